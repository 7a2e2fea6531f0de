-- @idem/sql table for MySQL / MariaDB: the same DDL as createTableSql('mysql') and SqlStore#migrate().
-- Rename the table (and its index) if you pass another `table` option. Times are epoch milliseconds.

CREATE TABLE IF NOT EXISTS `idempotency_keys` (
  id CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  idempotency_key TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  fingerprint TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  token VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  response LONGBLOB NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  lock_expires_at BIGINT NOT NULL,
  INDEX `idempotency_keys_expires_at_idx` (expires_at)
) ENGINE=InnoDB;
