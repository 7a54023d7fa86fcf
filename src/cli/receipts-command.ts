import { formatReceiptsTable } from "../ledger/format-receipts-table.ts";
import { openSqliteReceiptStore } from "../ledger/sqlite-receipt-store.ts";
import { existsSync } from "node:fs";
import { loadCliConfig } from "./load-cli-config.ts";

/** `switchyard receipts`: reads the same ledger the gateway writes. */
export async function runReceiptsCommand(opts: { last: number; task?: string; id?: string; json?: boolean; config?: string }): Promise<number> {
  const { ledgerPath } = loadCliConfig(opts.config);
  if (!existsSync(ledgerPath)) {
    console.error(`No ledger at ${ledgerPath} yet: start the gateway (switchyard start) and send a request first, or set SWITCHYARD_DATA.`);
    return 1;
  }
  const store = openSqliteReceiptStore(ledgerPath);
  try {
    if (opts.id !== undefined) {
      const receipt = await store.get(opts.id);
      if (!receipt) {
        console.error(`No receipt with request id ${opts.id} in ${ledgerPath}.`);
        return 1;
      }
      console.log(JSON.stringify(receipt, null, 2));
      return 0;
    }
    const receipts = await store.list({ limit: opts.last, ...(opts.task !== undefined && { taskId: opts.task }) });
    if (opts.json) console.log(JSON.stringify(receipts, null, 2));
    else if (receipts.length === 0) console.log(`No receipts in ${ledgerPath} yet.`);
    else console.log(formatReceiptsTable(receipts, { color: process.stdout.isTTY === true }));
    return 0;
  } finally {
    await store.close();
  }
}
