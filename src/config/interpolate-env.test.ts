import { test } from "node:test";
import assert from "node:assert/strict";
import { interpolateEnv } from "./interpolate-env.ts";

test("replaces ${VAR} from the environment", () => {
  const r = interpolateEnv("Bearer ${KEY}", { KEY: "sk-1" });
  assert.equal(r.value, "Bearer sk-1");
  assert.deepEqual(r.unset, []);
  assert.equal(r.changed, true);
});

test("${VAR:-default} uses the default when the variable is unset or empty", () => {
  assert.equal(interpolateEnv("${M:-gpt-5.4}", {}).value, "gpt-5.4");
  assert.equal(interpolateEnv("${M:-gpt-5.4}", { M: "" }).value, "gpt-5.4");
  assert.equal(interpolateEnv("${M:-gpt-5.4}", { M: "gpt-5.5" }).value, "gpt-5.5");
  assert.equal(interpolateEnv("${M:-}", {}).value, "");
  assert.deepEqual(interpolateEnv("${M:-}", {}).unset, []);
  assert.equal(interpolateEnv("http://${HOST:-localhost}:${PORT:-8080}/v1", { PORT: "9" }).value, "http://localhost:9/v1");
});

test("an unset ${VAR} without default becomes empty and is reported", () => {
  const r = interpolateEnv("${A}-${B}-${C}", { B: "b" });
  assert.equal(r.value, "-b-");
  assert.deepEqual(r.unset, ["A", "C"]);
});

test("$${ is a literal ${, and a lone $ is left alone", () => {
  const r = interpolateEnv("$${NOT_A_VAR} costs $5 and $HOME", { NOT_A_VAR: "x" });
  assert.equal(r.value, "${NOT_A_VAR} costs $5 and $HOME");
  assert.deepEqual(r.unset, []);
});

test("malformed references are reported and left as written", () => {
  const r = interpolateEnv("a ${} b ${1X} c ${OPEN", {});
  assert.deepEqual(r.malformed, ["${}", "${1X}", "${OPEN"]);
  assert.equal(r.value, "a ${} b ${1X} c ${OPEN");
});

test("text without references is returned unchanged", () => {
  const r = interpolateEnv("plain $ text", {});
  assert.deepEqual(r, { value: "plain $ text", unset: [], malformed: [], changed: false });
});
