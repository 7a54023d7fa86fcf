import {
  issueKey,
  KeyStoreError,
  type KeyRecord,
  type KeySpec,
  type KeyStore,
  type RevokeResult,
} from "./key-store.ts";

export interface MemoryKeyStoreOptions {
  /** Wall-clock Unix milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/** A key store that lives as long as the process: for tests and throwaway gateways. */
export function createMemoryKeyStore(options: MemoryKeyStoreOptions = {}): KeyStore {
  const clock = options.clock ?? Date.now;
  /** In creation order. */
  const records: KeyRecord[] = [];
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error("the key store is closed");
  };
  // Copies out, so a caller cannot change what is stored.
  const copy = (r: KeyRecord): KeyRecord => ({ ...r, budget: { ...r.budget }, rateLimit: { ...r.rateLimit }, routes: r.routes && [...r.routes] });
  const byIdOrName = (idOrName: string): KeyRecord | undefined =>
    records.find((r) => r.id === idOrName) ??
    records.find((r) => r.name === idOrName && r.revokedAt === null) ??
    records.findLast((r) => r.name === idOrName);

  return {
    async create(spec: KeySpec) {
      assertOpen();
      const { record, secret } = issueKey(spec, clock());
      if (records.some((r) => r.name === record.name && r.revokedAt === null)) {
        throw new KeyStoreError("duplicate_name", `A key named '${record.name}' already exists; revoke it first or choose another name.`);
      }
      records.push(record);
      return { record: copy(record), secret };
    },
    async list() {
      assertOpen();
      // A stable sort: keys created in the same millisecond stay in creation order.
      return records.map(copy).sort((a, b) => a.createdAt - b.createdAt);
    },
    async revoke(idOrName: string): Promise<RevokeResult> {
      assertOpen();
      const found = byIdOrName(idOrName);
      if (!found) return { type: "not_found" };
      if (found.revokedAt !== null) return { type: "already_revoked", record: copy(found) };
      found.revokedAt = clock();
      return { type: "revoked", record: copy(found) };
    },
    async findByHash(hash: string) {
      assertOpen();
      const found = records.find((r) => r.hash === hash);
      return found ? copy(found) : null;
    },
    async count() {
      assertOpen();
      return records.length;
    },
    async close() {
      closed = true;
    },
  };
}
