import { namespacedKey } from '@idem/core';

/**
 * The id a record is stored under: SHA-256 of its name, `namespacedKey(prefix, key)` (which keeps prefix
 * "a" + key "bc" apart from prefix "ab" + key "c"). JSON.stringify escapes lone surrogates, so two keys
 * that differ only there still hash apart (UTF-8 would turn both into U+FFFD).
 */
export async function storageId(prefix: string, key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(namespacedKey(prefix, key))));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
