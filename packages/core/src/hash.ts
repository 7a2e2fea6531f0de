import { createHash } from 'node:crypto';
import { textBytes } from './text-bytes';

/**
 * SHA-256 of the given parts, hex. Parts are length-prefixed so ("ab","c") and ("a","bc") differ, and a
 * string is hashed by its `textBytes`, so strings differing only by a lone surrogate differ too.
 */
export function sha256(...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? textBytes(part) : part;
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}
