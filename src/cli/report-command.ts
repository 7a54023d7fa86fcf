import { existsSync } from "node:fs";
import { formatReportTable } from "../ledger/format-report-table.ts";
import { reportDocument, type ReportQuery } from "../ledger/ledger-report.ts";
import { parseReportQuery, ReportWindowError } from "../ledger/parse-report-query.ts";
import { openSqliteReceiptStore } from "../ledger/sqlite-receipt-store.ts";
import { keyStorePathFor, openSqliteKeyStore } from "../state/sqlite-key-store.ts";
import { loadCliConfig } from "./load-cli-config.ts";

export interface ReportCommandOptions {
  since?: string;
  until?: string;
  by?: string;
  json?: boolean;
  config?: string;
}

/** `switchyard report`: the figures of GET /admin/report, from the ledger the gateway writes. */
export async function runReportCommand(opts: ReportCommandOptions): Promise<number> {
  const { ledgerPath } = loadCliConfig(opts.config);
  let query: ReportQuery;
  try {
    query = parseReportQuery({ since: opts.since, until: opts.until, by: opts.by, nowMs: Date.now() });
  } catch (err) {
    if (!(err instanceof ReportWindowError)) throw err;
    console.error(`--${err.param}: ${err.message}`);
    return 1;
  }
  if (!existsSync(ledgerPath)) {
    console.error(`No ledger at ${ledgerPath} yet: start the gateway (switchyard start) and send a request first, or set SWITCHYARD_DATA.`);
    return 1;
  }
  const store = openSqliteReceiptStore(ledgerPath);
  try {
    const result = await store.report(query);
    if (opts.json) {
      console.log(JSON.stringify(reportDocument(query, result), null, 2));
      return 0;
    }
    const names = query.by === "key" ? await keyNames(keyStorePathFor(ledgerPath)) : new Map<string, string>();
    console.log(formatReportTable(result, { ...query, label: (g) => names.get(g) ?? g }));
    return 0;
  } finally {
    await store.close();
  }
}

/** Key id → `name (id)`, when keys.db exists (it is never created here). */
async function keyNames(path: string): Promise<Map<string, string>> {
  if (!existsSync(path)) return new Map();
  const keys = openSqliteKeyStore(path);
  try {
    return new Map((await keys.list()).map((k) => [k.id, `${k.name} (${k.id})`]));
  } finally {
    await keys.close();
  }
}
