/** The DDL, for `migrate()` and for users who run their own migration tool. */
import type { DialectName, DialectSql, SqlDialect } from './dialect';
import { mysqlSql } from './mysql';
import { postgresSql } from './postgres';
import { sqliteSql } from './sqlite';
import { DEFAULT_TABLE, parseTableName } from './table-name';

const DIALECTS: Record<DialectName, DialectSql> = { postgres: postgresSql, mysql: mysqlSql, sqlite: sqliteSql };

export function dialectSql(dialect: DialectName | SqlDialect): DialectSql {
  const sql = typeof dialect === 'string' ? DIALECTS[dialect] : dialect?.sql;
  if (!sql) throw new TypeError(`Unknown dialect ${JSON.stringify(dialect)}: use 'postgres', 'mysql' or 'sqlite'`);
  return sql;
}

/**
 * The statements that create the table and its expiry index (each `IF NOT EXISTS`), separated by
 * `;` and newlines, ready for a migration file. `table` is validated like the store's option.
 */
export function createTableSql(dialect: DialectName | SqlDialect, table: string = DEFAULT_TABLE): string {
  return dialectSql(dialect)
    .createTable(parseTableName(table))
    .map((statement) => `${statement};\n`)
    .join('\n');
}
