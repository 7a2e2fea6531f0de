export { SqlStore, type SqlStoreOptions, type PurgeOptions } from './sql-store';
export { postgres, postgresSql, type PgQueryable } from './postgres';
export type { PostgresJsSql } from './postgres-js';
export { mysql, mysqlSql, type MysqlExecutable, type MysqlValue } from './mysql';
export { sqlite, sqliteSql, type SqliteDatabase } from './sqlite';
export { createTableSql } from './schema';
export { DEFAULT_TABLE } from './table-name';
export type { SqlDialect, DialectSql, DialectName, StoredRow, StatementResult } from './dialect';
