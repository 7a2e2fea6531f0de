-- @idem/sql table for SQLite (3.35 or newer): the same DDL as createTableSql('sqlite') and SqlStore#migrate().
-- Rename the table (and its index) if you pass another `table` option. Times are epoch milliseconds.

CREATE TABLE IF NOT EXISTS "idempotency_keys" (
  id TEXT NOT NULL PRIMARY KEY,
  idempotency_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL,
  token TEXT,
  response BLOB,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  lock_expires_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS "idempotency_keys_expires_at_idx" ON "idempotency_keys" (expires_at);
