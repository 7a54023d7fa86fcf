/**
 * Recorded provider traffic, read in place from `../shared/fixtures` next to the repository
 * (see its SOURCES.md). Never copy fixtures into the project.
 *
 *   test("replays", { skip: skipWithoutFixtures }, () => { fixtureChunks("openai/openai-text.chunks.txt") … });
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const expectedDir = resolve(repoRoot, "..", "shared", "fixtures");

/** Absolute path of the fixtures folder, or null when it is not there. */
export const fixturesDir: string | null = existsSync(expectedDir) ? expectedDir : null;

/** For node:test's `{ skip }` option: `false` when the fixtures are present, else the reason printed. */
export const skipWithoutFixtures: string | false =
  fixturesDir === null ? `recorded fixtures not found at ${expectedDir} (../shared/fixtures next to the repository)` : false;

/** Absolute path of a fixture, e.g. `fixturePath("deepseek/deepseek-text.json")`. */
export function fixturePath(relPath: string): string {
  if (fixturesDir === null) throw new Error(`fixture ${relPath} requested but ${expectedDir} is absent; skip with skipWithoutFixtures`);
  return resolve(fixturesDir, relPath);
}

/** A fixture's text, exactly as stored. */
export function readFixture(relPath: string): string {
  return readFileSync(fixturePath(relPath), "utf8");
}

/** A fixture parsed as JSON. */
export function readFixtureJson(relPath: string): unknown {
  return JSON.parse(readFixture(relPath));
}

/** The events of a `*.chunks.txt` fixture: one JSON payload per non-empty line. */
export function fixtureChunks(relPath: string): string[] {
  return readFixture(relPath)
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "");
}
