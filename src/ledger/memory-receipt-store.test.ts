import { createMemoryReceiptStore } from "./memory-receipt-store.ts";
import { runReceiptStoreConformance } from "./receipt-store.conformance.ts";

runReceiptStoreConformance("memory", () => createMemoryReceiptStore());
