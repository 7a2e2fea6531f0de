/**
 * A key's bytes in Redis. Well-formed text is plain UTF-8. A lone surrogate (which UTF-8 cannot hold,
 * and `Buffer.from` would turn into U+FFFD, making two different keys collide) is written as its
 * 3-byte generalized-UTF-8 form (WTF-8): never produced by valid UTF-8, so every distinct key string
 * maps to distinct bytes.
 */
export function keyBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      unit = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    if (unit < 0x80) bytes.push(unit);
    else if (unit < 0x800) bytes.push(0xc0 | (unit >> 6), 0x80 | (unit & 0x3f));
    else if (unit < 0x10000) bytes.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
    else bytes.push(0xf0 | (unit >> 18), 0x80 | ((unit >> 12) & 0x3f), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
  }
  return Buffer.from(bytes);
}
