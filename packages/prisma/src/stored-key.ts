/**
 * The value of the model's `key` column for a (prefixed) key, one-to-one over every JS string. The
 * column holds the key as text, and the database stores text as UTF-8, where a lone surrogate becomes
 * U+FFFD: "k\ud800" and "k\udc00" would be one row. Well-formed keys are stored as themselves (as they
 * always were); a key with a lone surrogate, or with U+FFFF (a noncharacter no client sends), is stored
 * as U+FFFF followed by the key with each of those code units written as U+FFFF and four hex digits.
 * Only the second kind starts with U+FFFF, and its escapes decode one way, so no two keys share a row.
 */
const NEEDS_ESCAPE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\uffff/g;

export function storedKey(key: string): string {
  NEEDS_ESCAPE.lastIndex = 0;
  if (!NEEDS_ESCAPE.test(key)) return key;
  return `\uffff${key.replace(NEEDS_ESCAPE, (unit) => `\uffff${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)}`;
}
