import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ValuePacker, ValueReader, type PackedValue } from "./packed-values.ts";

const roundTrip = (values: readonly PackedValue[], packer = new ValuePacker()): PackedValue[] => {
  for (const v of values) packer.add(v);
  const reader = new ValueReader(packer.bytes());
  const out: PackedValue[] = [];
  while (!reader.done) out.push(reader.next());
  return out;
};

describe("ValuePacker / ValueReader", () => {
  test("every kind of value comes back as it went, in order", () => {
    const values: PackedValue[] = [null, undefined, true, false, 0, -0, 1, -1.5, 7.484679999994114, 2 ** 53 + 2, Number.NaN, Infinity, "", "a", "gpt-5.5", null];
    assert.deepEqual(roundTrip(values), values);
  });

  test("strings keep every character: non-ASCII, astral and lone surrogates alike", () => {
    const values = ["Überlastet — \"bitte\" 🙂", "中文", "\ud800 alone", "end \udfff", "\ud83d\ude42", "\u0000\n\t"];
    assert.deepEqual(roundTrip(values), values);
    // The same again: the second time they are references to the first.
    assert.deepEqual(roundTrip([...values, ...values]), [...values, ...values]);
  });

  test("a repeated string is written once; long strings are written every time", () => {
    const short = "openai-compatible";
    const long = "x".repeat(300);
    const bytes = (values: PackedValue[]): number => {
      const p = new ValuePacker();
      for (const v of values) p.add(v);
      return p.bytes().byteLength;
    };
    assert.equal(bytes([short, short, short]), 5 + short.length + 2 * 5);
    assert.equal(bytes([long, long]), 2 * (5 + long.length));
    assert.deepEqual(roundTrip([long, short, long, short]), [long, short, long, short]);
  });

  test("the buffer grows past its first size", () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? `s${i}` : i % 3 === 1 ? i * 0.5 : "y".repeat(i % 400)));
    assert.deepEqual(roundTrip(values, new ValuePacker(64)), values);
  });

  test("after clear, a packer starts a new list with a new string table", () => {
    const packer = new ValuePacker();
    packer.add("model");
    packer.bytes();
    packer.clear();
    packer.add("model");
    const reader = new ValueReader(packer.bytes());
    assert.equal(reader.next(), "model");
    assert.ok(reader.done);
  });

  test("bytes() is a copy: later writes do not change it", () => {
    const packer = new ValuePacker();
    packer.add(1);
    const first = packer.bytes();
    packer.clear();
    packer.add(2);
    assert.equal(new ValueReader(first).next(), 1);
  });

  test("bad input is refused with a reason", () => {
    assert.throws(() => new ValuePacker().add({} as unknown as PackedValue), /cannot pack a object/);
    assert.throws(() => new ValueReader(Uint8Array.of(99)).next(), /unknown tag 99/);
    assert.throws(() => new ValueReader(Uint8Array.of(4, 0, 0)).next(), /end early/);
    assert.throws(() => new ValueReader(Uint8Array.of(6, 0, 0, 0, 0)).next(), /never gave/);
    assert.throws(() => new ValueReader(new Uint8Array(0)).next(), /end early/);
  });
});
