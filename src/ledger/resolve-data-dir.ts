import { isAbsolute, join, resolve } from "node:path";

export type Env = Readonly<Record<string, string | undefined>>;

export interface ResolveDataDirOptions {
  env: Env;
  cwd: string;
  /** `storage.ledger` from the config: `sqlite:<path>`, `sqlite::memory:` or `postgres://…`. */
  storageLedger?: string | undefined;
}

export type LedgerLocation =
  | { kind: "sqlite"; /** A file path, or `:memory:`. */ path: string }
  | { kind: "postgres"; url: string };

export interface DataDir {
  /** Folder for Switchyard's local data: `$SWITCHYARD_DATA`, else `<cwd>/.switchyard`. */
  dataDir: string;
  /** The SQLite ledger file: `storage.ledger` when it names one, else `<dataDir>/ledger.db`. */
  ledgerPath: string;
}

/**
 * Where local data and the SQLite ledger live; `start` and the CLI's read commands must agree.
 * Throws when `storage.ledger` is not a SQLite ledger (Postgres is not available yet; when it
 * is, callers switch to `resolveLedgerLocation`).
 */
export function resolveDataDir(options: ResolveDataDirOptions): DataDir {
  const dataDir = dataDirOf(options);
  const ledger = resolveLedgerLocation(options);
  if (ledger.kind !== "sqlite") {
    throw new Error(`storage.ledger: ${ledger.kind} ledgers are not available in this version of Switchyard; use sqlite:<path> or leave it out`);
  }
  return { dataDir, ledgerPath: ledger.path };
}

/**
 * The receipt ledger to open: `storage.ledger` when set (relative SQLite paths are taken from
 * `cwd`), else `ledger.db` in the data folder. Throws on anything else, saying what to write.
 */
export function resolveLedgerLocation(options: ResolveDataDirOptions): LedgerLocation {
  const configured = options.storageLedger?.trim();
  if (!configured) return { kind: "sqlite", path: join(dataDirOf(options), "ledger.db") };
  if (/^postgres(ql)?:\/\//i.test(configured)) return { kind: "postgres", url: configured };
  if (/^sqlite:/i.test(configured)) {
    let path = configured.slice("sqlite:".length);
    if (path.startsWith("//")) path = path.slice(2); // sqlite:///abs/path, sqlite://relative/path
    if (path === ":memory:") return { kind: "sqlite", path };
    if (path === "") throw new Error(`storage.ledger: '${configured}' names no file; write e.g. sqlite:./.switchyard/ledger.db`);
    return { kind: "sqlite", path: isAbsolute(path) ? path : resolve(options.cwd, path) };
  }
  throw new Error(`storage.ledger: '${configured}' is not a ledger Switchyard knows; write sqlite:<path> or postgres://…`);
}

function dataDirOf(options: ResolveDataDirOptions): string {
  const fromEnv = options.env["SWITCHYARD_DATA"]?.trim();
  return fromEnv ? resolve(options.cwd, fromEnv) : join(options.cwd, ".switchyard");
}
