/**
 * JSON with object keys sorted at every depth, so `{"a":1,"b":2}` and `{ "b": 2, "a": 1 }` match.
 *
 * It is a fingerprint's input, so its output must never change: objects are walked by their own
 * enumerable keys (no `toJSON`), fields holding `undefined` are dropped, an array's `undefined` is
 * `null` and a hole is left empty, and any other value is `JSON.stringify`'s (`null` where it gives
 * nothing). Built as one string, without the intermediate arrays of a map/filter/join.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (i in value) out += canonicalJson(value[i] === undefined ? null : value[i]);
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const names = Object.keys(object).sort();
  let out = '{';
  for (const name of names) {
    const field = object[name];
    if (field === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(name)}:${canonicalJson(field)}`;
  }
  return `${out}}`;
}
