/**
 * Statements are written once with named parameters (`:now`) and compiled to each driver's
 * placeholders: PostgreSQL's numbered `$1` (a name used twice binds once) or the `?` of MySQL and
 * SQLite (a name used twice binds twice).
 */
export type PlaceholderStyle = 'numbered' | 'positional';

export interface CompiledStatement {
  sql: string;
  /** The parameter name behind each placeholder, in order. */
  names: string[];
}

const NAMED = /:([a-zA-Z][a-zA-Z0-9]*)/g;

export function compileStatement(template: string, style: PlaceholderStyle): CompiledStatement {
  const names: string[] = [];
  const sql = template.replace(NAMED, (_match, name: string) => {
    if (style === 'positional') {
      names.push(name);
      return '?';
    }
    let index = names.indexOf(name);
    if (index === -1) index = names.push(name) - 1;
    return `$${index + 1}`;
  });
  return { sql, names };
}

export function bindParameters(statement: CompiledStatement, values: Record<string, unknown>): unknown[] {
  return statement.names.map((name) => {
    if (!(name in values)) throw new Error(`Missing SQL parameter :${name}`);
    return values[name];
  });
}
