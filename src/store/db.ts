/**
 * The SQLite state file: WAL mode, versioned migrations, created 0600 in a 0700 directory.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateDir } from '../util/secure-fs.js';
import { MIGRATIONS } from './migrations.js';
import { OfferwatchError } from '../errors.js';

export type DB = Database.Database;

/**
 * Statements prepared once per connection and reused: `prepare` is a noticeable part of a cycle
 * on a large mailbox when it runs per thread.
 */
export function statements(db: DB): (sql: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
}

/** Opens (creating if needed) the state database; `:memory:` for a throwaway one. */
export function openDatabase(path: string): DB {
  if (path !== ':memory:') {
    ensurePrivateDir(dirname(path));
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  if (path !== ':memory:') for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
  return db;
}

export function migrate(db: DB): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new OfferwatchError('ESTATE', `cannot open state: it was written by a newer offerwatch (schema ${current}, this one knows ${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
