import type { DatabaseSync } from "node:sqlite";

/**
 * Brings a SQLite file's schema up to date: `migrations[i]` takes it from version i to i + 1, and
 * `PRAGMA user_version` records how many have run. Several processes may open a new file at once
 * (cluster workers, the CLI beside a gateway): each step re-reads the version under the write
 * lock, so a migration runs exactly once. A file newer than this code knows is an error.
 */
export function migrateSqlite(db: DatabaseSync, options: { path: string; what: string; migrations: readonly string[] }): void {
  const { migrations } = options;
  if (schemaVersion(db, options) === migrations.length) return;
  for (;;) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const version = schemaVersion(db, options);
      if (version === migrations.length) {
        db.exec("COMMIT");
        return;
      }
      db.exec(migrations[version] ?? "");
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec("COMMIT");
    } catch (err) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw err;
    }
  }
}

function schemaVersion(db: DatabaseSync, options: { path: string; what: string; migrations: readonly string[] }): number {
  const version = Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
  if (version > options.migrations.length) {
    throw new Error(`${options.path}: ${options.what} schema version ${version} is newer than this Switchyard knows (${options.migrations.length}); upgrade Switchyard to read it.`);
  }
  return version;
}
