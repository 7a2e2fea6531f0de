-- @idem/sql table for PostgreSQL: the same DDL as createTableSql('postgres') and SqlStore#migrate().
-- Rename the table (and its index) if you pass another `table` option. Times are epoch milliseconds.

CREATE TABLE IF NOT EXISTS "idempotency_keys" (
  id char(64) PRIMARY KEY,
  idempotency_key text NOT NULL,
  fingerprint text NOT NULL,
  status varchar(16) NOT NULL,
  token varchar(64),
  response bytea,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  lock_expires_at bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS "idempotency_keys_expires_at_idx" ON "idempotency_keys" (expires_at);
