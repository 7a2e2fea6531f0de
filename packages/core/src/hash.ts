import * as crypto from 'node:crypto';
import { isWellFormedText, textBytes } from './text-bytes';

/** `crypto.hash` (Node ≥ 20.12, Bun, Deno): a one-shot digest with no Hash object per call. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/**
 * SHA-256 of the given parts, hex. Parts are length-prefixed so ("ab","c") and ("a","bc") differ, and a
 * string is hashed by its `textBytes`, so strings differing only by a lone surrogate differ too.
 *
 * The common case, every part well-formed text (a fingerprint's method, URL and canonical JSON, a
 * key), is hashed as one string in one call: its UTF-8 is exactly the length-prefixed parts' bytes, so
 * the digest is the same as hashing part by part, without a Buffer per part.
 */
export function sha256(...parts: Array<string | Uint8Array>): string {
  let text = '';
  for (const part of parts) {
    if (typeof part !== 'string' || !isWellFormedText(part)) return hashParts(parts);
    text += `${Buffer.byteLength(part, 'utf8')}:${part}`;
  }
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

function hashParts(parts: Array<string | Uint8Array>): string {
  const hash = crypto.createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? textBytes(part) : part;
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}
