/**
 * How the PostgreSQL dialect sends a statement. Prepared (the default), each statement goes out named
 * (`idem_<hash of its text>`): a connection parses and plans it once, then every later call sends only
 * Bind/Execute with the values, so the server skips the parse and plan a replay or an acquire would
 * otherwise repeat every time. The name is a hash of the text, so two stores on different tables never
 * share a name, and every process names the same statement the same way.
 *
 * A transaction-pooling proxy (PgBouncer in `pool_mode = transaction` before 1.21, Supavisor, RDS
 * Proxy in some modes) hands each statement to whichever server connection is free, where the named
 * statement may not exist: `prepare: false` sends every statement unnamed (parsed each time, as `pg`
 * does for a plain `query(text, values)`).
 */
import { createHash } from 'node:crypto';

/** The query config `pg` takes (`client.query({ name, text, values })`). */
export interface PgQueryConfig {
  text: string;
  values: unknown[];
  /** Present when the statement is to be prepared under this name. */
  name?: string;
}

export function pgQueryConfigs(prepare: boolean): (text: string, values: unknown[]) => PgQueryConfig {
  if (!prepare) return (text, values) => ({ text, values });
  // The store sends a handful of distinct texts: hash each once.
  const names = new Map<string, string>();
  return (text, values) => {
    let name = names.get(text);
    if (name === undefined) {
      name = `idem_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return { name, text, values };
  };
}
