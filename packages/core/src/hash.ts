import { createHash } from 'node:crypto';

/** SHA-256 of the given parts, hex. Parts are length-prefixed so ("ab","c") and ("a","bc") differ. */
export function sha256(...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string') hash.update(`${Buffer.byteLength(part)}:${part}`, 'utf8');
    else hash.update(`${part.length}:`).update(part);
  }
  return hash.digest('hex');
}
