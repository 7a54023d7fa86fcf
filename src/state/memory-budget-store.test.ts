import { runBudgetStoreConformance } from "./budget-store.conformance.ts";
import { MemoryBudgetStore } from "./memory-budget-store.ts";

runBudgetStoreConformance("memory", () => new MemoryBudgetStore());
