import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/switchyard.js", import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], dataDir: string): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_DATA: dataDir };
  for (const key of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY"]) delete env[key];
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir`, as one string: what an attacker with the disk would read. */
function everything(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name)).toString("latin1"))
    .join("\n");
}

describe("switchyard keys", () => {
  let root: string;
  let dataDir: string;
  before(() => {
    root = mkdtempSync(path.join(tmpdir(), "switchyard-keys-cli-"));
    dataDir = path.join(root, "data");
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("creates a key, shows its secret once, lists it without the secret, and revokes it", () => {
    const empty = cli(["keys", "list"], dataDir);
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stdout, /No gateway keys/);
    assert.equal(existsSync(path.join(dataDir, "keys.db")), false, "listing creates nothing");

    const created = cli(["keys", "create", "--name", "ci-bot", "--budget-daily-usd", "5", "--budget-daily-tokens", "1000000", "--rpm", "60", "--tpm", "90000", "--routes", "general_qna,default"], dataDir);
    assert.equal(created.status, 0, created.stderr);
    const secrets = created.stdout.match(/sk-sy-[0-9A-Za-z]{32,}/g) ?? [];
    assert.equal(secrets.length, 1, created.stdout);
    const secret = secrets[0] ?? "";
    assert.match(created.stdout, /Store it now: it cannot be shown again/);
    assert.match(created.stdout, /\$5\/day, 1,000,000 tokens\/day/);
    assert.match(created.stdout, /60 req\/min, 90,000 tokens\/min/);
    assert.match(created.stdout, /general_qna, default/);
    assert.match(created.stderr, /first key/);
    const hash = createHash("sha256").update(secret).digest("hex");

    const listed = cli(["keys", "list"], dataDir);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /ci-bot\s+key_\w+\s+sk-sy-\w{4}…\s+active/);
    assert.ok(listed.stdout.includes(`${secret.slice(0, 10)}…`));
    for (const text of [listed.stdout, listed.stderr]) {
      assert.equal(text.includes(secret.slice(10)), false);
      assert.equal(text.includes(hash), false);
    }

    const json = cli(["keys", "list", "--json"], dataDir);
    assert.equal(json.status, 0, json.stderr);
    const keys = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    assert.equal(keys.length, 1);
    assert.deepEqual(Object.keys(keys[0] ?? {}).sort(), ["budget", "createdAt", "id", "name", "prefix", "rateLimit", "revokedAt", "routes"]);
    assert.deepEqual(keys[0]?.["budget"], { daily_usd: 5, daily_tokens: 1_000_000 });
    assert.equal(json.stdout.includes(secret.slice(10)), false);
    assert.equal(json.stdout.includes(hash), false);

    const disk = everything(dataDir);
    assert.equal(disk.includes(secret.slice(10)), false, "the secret is not stored");

    const revoked = cli(["keys", "revoke", "ci-bot"], dataDir);
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, /Revoked key 'ci-bot'/);
    assert.match(cli(["keys", "list"], dataDir).stdout, /ci-bot .* revoked \d{4}-\d\d-\d\d/);

    const again = cli(["keys", "revoke", String(keys[0]?.["id"])], dataDir);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /already revoked/);
  });

  it("refuses a duplicate name, an unknown key and bad numbers with a clear message and exit 1", () => {
    assert.equal(cli(["keys", "create", "--name", "dup", "--json"], dataDir).status, 0);
    const dup = cli(["keys", "create", "--name", "dup"], dataDir);
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /A key named 'dup' already exists/);
    assert.doesNotMatch(dup.stdout, /sk-sy-/);

    const unknown = cli(["keys", "revoke", "ghost"], dataDir);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /No gateway key named or with id 'ghost'/);

    // Each spawn costs a second or more; the parsers' other cases are as simple as these.
    for (const args of [["--rpm", "abc"], ["--budget-daily-usd", "-3"]]) {
      const bad = cli(["keys", "create", "--name", "bad", ...args], dataDir);
      assert.equal(bad.status, 1, args.join(" "));
      assert.match(bad.stderr, new RegExp(`${args[0]}.*invalid`), bad.stderr);
    }
  });

  it("with --config, keeps keys.db beside storage.ledger and warns about names the config lacks", () => {
    const configPath = path.join(root, "switchyard.yaml");
    writeFileSync(
      configPath,
      [
        "providers:",
        "  simulated: { type: simulated }",
        "models:",
        "  sim-mini: { provider: simulated, price: { input: 1, output: 2 } }",
        "storage:",
        `  ledger: sqlite:${path.join(root, "elsewhere", "ledger.db")}`,
        "",
      ].join("\n"),
    );
    const created = cli(["keys", "create", "--name", "cfg", "--routes", "sim-mini,simulated/any,nope", "--config", configPath], dataDir);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stderr, /defines no route, alias, lane or model named 'nope'/);
    assert.ok(existsSync(path.join(root, "elsewhere", "keys.db")));
    const listed = JSON.parse(cli(["keys", "list", "--json", "--config", configPath], dataDir).stdout) as Array<{ name: string }>;
    assert.deepEqual(listed.map((k) => k.name), ["cfg"]);
  });
});
