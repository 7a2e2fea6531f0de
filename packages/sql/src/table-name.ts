/**
 * The table name is the only identifier a user supplies, so it is checked against a strict pattern
 * (optionally schema-qualified) and then always quoted: it can never carry SQL of its own.
 */
import { ConfigurationError } from '@idem/core';

export const DEFAULT_TABLE = 'idempotency_keys';

// 48 leaves room for the `_expires_at_idx` suffix within the 63/64-character identifier limits.
const PART = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

export interface TableName {
  schema?: string;
  name: string;
}

export function parseTableName(table: string): TableName {
  if (typeof table !== 'string') throw new ConfigurationError('`table` must be a string');
  const parts = table.split('.');
  const valid = parts.length <= 2 && parts.every((part) => PART.test(part));
  if (!valid) {
    throw new ConfigurationError(
      `\`table\` must be an identifier (letters, digits, _; at most 48 characters), optionally schema-qualified as schema.table; got ${JSON.stringify(table)}`,
    );
  }
  return parts.length === 2 ? { schema: parts[0], name: parts[1]! } : { name: parts[0]! };
}

/** Quotes the (already validated) table, schema-qualified when a schema was given. */
export function qualifiedName(table: TableName, quote: (part: string) => string): string {
  return table.schema ? `${quote(table.schema)}.${quote(table.name)}` : quote(table.name);
}

export function indexName(table: TableName): string {
  return `${table.name}_expires_at_idx`;
}
