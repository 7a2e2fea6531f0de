import * as crypto from 'node:crypto';
import { isWellFormedText, textBytes } from './text-bytes';

/** `crypto.hash` (Node ≥ 20.12, Bun, Deno): a one-shot digest with no Hash object per call. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

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

/**
 * The same length-prefixed bytes as the string path, for parts that are bytes (a raw request body) or
 * ill-formed text: written into one buffer for a one-shot digest (a raw body is small: about 25 %
 * cheaper than a Hash object and four updates), or streamed into a Hash where there is no one-shot.
 */
function hashParts(parts: Array<string | Uint8Array>): string {
  const bytes = parts.map((part) => (typeof part === 'string' ? textBytes(part) : part));
  if (!oneShot) {
    const hash = crypto.createHash('sha256');
    for (const part of bytes) hash.update(`${part.length}:`).update(part);
    return hash.digest('hex');
  }
  let total = 0;
  for (const part of bytes) total += String(part.length).length + 1 + part.length;
  const joined = Buffer.allocUnsafe(total);
  let at = 0;
  for (const part of bytes) {
    at += joined.write(`${part.length}:`, at, 'latin1');
    joined.set(part, at);
    at += part.length;
  }
  return oneShot('sha256', joined, 'hex');
}
