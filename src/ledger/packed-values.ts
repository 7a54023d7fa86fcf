/** What a packed list holds. */
export type PackedValue = string | number | boolean | null | undefined;

const NULL = 0;
const UNDEFINED = 1;
const FALSE = 2;
const TRUE = 3;
const NUMBER = 4;
/** A string not seen before in this list: its UTF-8 length (u32) and bytes; it joins the list's string table. */
const STRING = 5;
/** A string seen before in this list: its index (u32) in the string table. */
const STRING_REF = 6;
/** A string with a lone surrogate, which UTF-8 cannot carry: as JSON text (length and bytes), which can. */
const STRING_JSON = 7;

/** Strings shorter than this are looked up in the table (model and provider names, statuses); longer ones are written as they are. */
const MAX_SHARED_STRING = 256;

/**
 * A list of strings, numbers, booleans and nulls written into bytes: one tag byte per value, a
 * float64 per number, and each string's UTF-8 bytes the first time it occurs, an index into the
 * list's own string table after that. Receipts repeat most of their strings (model, provider,
 * status), so a batch of them packs into a few bytes per field, and crossing to another thread
 * costs one copy of the bytes instead of a structured clone value by value.
 */
export class ValuePacker {
  private buffer: Buffer;
  /** The same bytes, for numbers: DataView's stores compile to plain stores, Buffer's writers check their arguments first. */
  private view: DataView;
  private offset = 0;
  private readonly strings = new Map<string, number>();

  constructor(initialBytes = 16 * 1024) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, initialBytes));
    this.view = viewOf(this.buffer);
  }

  add(value: PackedValue): void {
    switch (typeof value) {
      case "number":
        this.reserve(9);
        this.buffer[this.offset] = NUMBER;
        this.view.setFloat64(this.offset + 1, value, true);
        this.offset += 9;
        return;
      case "string":
        this.addString(value);
        return;
      case "boolean":
        this.reserve(1);
        this.buffer[this.offset++] = value ? TRUE : FALSE;
        return;
      case "undefined":
        this.reserve(1);
        this.buffer[this.offset++] = UNDEFINED;
        return;
      default:
        if (value !== null) throw new TypeError(`cannot pack a ${typeof value}`);
        this.reserve(1);
        this.buffer[this.offset++] = NULL;
    }
  }

  /**
   * The bytes written so far, in a buffer of their own (the packer can be reused after `clear`),
   * to be transferred rather than copied. Its memory is Node's, not V8's: a transferred
   * `new Uint8Array(n)` costs several times as much to allocate, hand over and account for.
   */
  bytes(): Uint8Array<ArrayBuffer> {
    const out = Buffer.allocUnsafeSlow(this.offset);
    this.buffer.copy(out, 0, 0, this.offset);
    return new Uint8Array(out.buffer, out.byteOffset, this.offset);
  }

  clear(): void {
    this.offset = 0;
    this.strings.clear();
  }

  private addString(value: string): void {
    const shared = value.length < MAX_SHARED_STRING;
    const index = shared ? this.strings.get(value) : undefined;
    if (index !== undefined) {
      this.reserve(5);
      this.buffer[this.offset] = STRING_REF;
      this.view.setUint32(this.offset + 1, index, true);
      this.offset += 5;
      return;
    }
    const wellFormed = value.isWellFormed();
    const text = wellFormed ? value : JSON.stringify(value);
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    this.reserve(5 + text.length * 3);
    const length = this.buffer.write(text, this.offset + 5, "utf8");
    this.buffer[this.offset] = wellFormed ? STRING : STRING_JSON;
    this.view.setUint32(this.offset + 1, length, true);
    this.offset += 5 + length;
    if (shared) this.strings.set(value, this.strings.size);
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.offset + bytes));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
    this.view = viewOf(grown);
  }
}

function viewOf(buffer: Buffer): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Reads back, in order, the values a ValuePacker wrote. */
export class ValueReader {
  private readonly buffer: Buffer;
  private offset = 0;
  private readonly strings: string[] = [];

  constructor(bytes: Uint8Array) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.offset >= this.buffer.length;
  }

  next(): PackedValue {
    this.need(1);
    const tag = this.buffer[this.offset++];
    switch (tag) {
      case NULL:
        return null;
      case UNDEFINED:
        return undefined;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case NUMBER: {
        this.need(8);
        const value = this.buffer.readDoubleLE(this.offset);
        this.offset += 8;
        return value;
      }
      case STRING:
      case STRING_JSON: {
        this.need(4);
        const length = this.buffer.readUInt32LE(this.offset);
        this.need(4 + length);
        const text = this.buffer.toString("utf8", this.offset + 4, this.offset + 4 + length);
        this.offset += 4 + length;
        const value = tag === STRING ? text : (JSON.parse(text) as string);
        if (value.length < MAX_SHARED_STRING) this.strings.push(value);
        return value;
      }
      case STRING_REF: {
        this.need(4);
        const index = this.buffer.readUInt32LE(this.offset);
        this.offset += 4;
        const value = this.strings[index];
        if (value === undefined) throw new Error(`packed values refer to string ${index}, which they never gave`);
        return value;
      }
      default:
        throw new Error(`packed values hold an unknown tag ${String(tag)} at byte ${this.offset - 1}`);
    }
  }

  /** Throws unless `bytes` more bytes are left. */
  private need(bytes: number): void {
    if (this.offset + bytes > this.buffer.length) throw new Error("packed values end early");
  }
}
