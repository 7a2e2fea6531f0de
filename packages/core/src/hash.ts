import { createHash } from 'node:crypto';

/** SHA-256 of the given parts, hex. Parts are length-prefixed so ("ab","c") and ("a","bc") differ. */
export function sha256(...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
