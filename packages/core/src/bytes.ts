/** Joins chunks read from a stream into one byte array (the chunk itself when there is only one). */
export function concatBytes(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export interface ReadUpTo {
  /** Every byte read: the whole source, or — when it outgrew the limit — the first chunks past it. */
  bytes: Uint8Array;
  /** True when the source held more than `limit` bytes and was left unfinished. */
  overflowed: boolean;
}

/**
 * Reads chunks from `next` (a stream reader's or an async iterator's step) until the source is done or
 * more than `limit` bytes arrived, so a body is never buffered much past the limit whatever its size.
 */
export async function readUpTo(next: () => Promise<IteratorResult<Uint8Array, unknown>>, limit: number): Promise<ReadUpTo> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const step = await next();
    if (step.done) return { bytes: concatBytes(chunks, size), overflowed: false };
    chunks.push(step.value);
    size += step.value.byteLength;
    if (size > limit) return { bytes: concatBytes(chunks, size), overflowed: true };
  }
}
