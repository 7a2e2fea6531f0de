/**
 * postgres.js (the `postgres` package) behind the same small shape as `pg`: the PostgreSQL dialect's
 * statements go through `sql.unsafe(text, parameters)`, which binds `$1…` parameters server-side
 * exactly as `pg` does (the store never splices values into SQL text). Nothing else differs: postgres.js
 * returns `bytea` as a Buffer, `bigint` as a string, and raises PostgreSQL's own SQLSTATE `code`.
 */
import type { PgQueryable } from './postgres';

/** The part of a postgres.js `sql` instance (or a reserved connection) the store uses. */
export interface PostgresJsSql {
  unsafe(query: string, parameters?: never[], options?: { prepare?: boolean }): PromiseLike<ArrayLike<unknown> & { count: number | null }>;
}

export function isPostgresJs(client: unknown): client is PostgresJsSql {
  return (
    (typeof client === 'function' || typeof client === 'object') &&
    client !== null &&
    typeof (client as Partial<PostgresJsSql>).unsafe === 'function'
  );
}

export function postgresJsQueryable(sql: PostgresJsSql): PgQueryable {
  return {
    async query(query, values = []) {
      const { text, values: parameters, name } = typeof query === 'string' ? { text: query, values, name: undefined } : query;
      // postgres.js names and caches its prepared statements itself (and honours its own connection
      // option `prepare: false` over this one).
      const rows = await sql.unsafe(text, parameters as never[], { prepare: name !== undefined });
      return { rows: Array.from(rows), rowCount: rows.count };
    },
  };
}
