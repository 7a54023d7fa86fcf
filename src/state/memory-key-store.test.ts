import { runKeyStoreConformance } from "./key-store.conformance.ts";
import { createMemoryKeyStore } from "./memory-key-store.ts";

runKeyStoreConformance("memory", (clock) => createMemoryKeyStore({ clock }));
