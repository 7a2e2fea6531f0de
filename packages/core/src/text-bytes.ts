/**
 * The bytes of a JS string, one-to-one over every string. A JS string is UTF-16 code units and may
 * hold a lone surrogate, which UTF-8 cannot carry: encoding it turns "\ud800", "\udc00" and "\ufffd"
 * alike into U+FFFD, so two keys would hash (or be stored) as one. Well-formed text keeps its UTF-8
 * bytes, exactly as before; ill-formed text is 0xFF (a byte no UTF-8 text contains) then its UTF-16LE
 * code units, so the two kinds never meet.
 */
const ILL_FORMED = Buffer.from([0xff]);
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (code units, no `u` flag). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` holds no lone surrogate, so its UTF-8 is its `textBytes` (native where the runtime has it). */
export const isWellFormedText: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => (text as string & { isWellFormed(): boolean }).isWellFormed()
    : (text) => !LONE_SURROGATE.test(text);

// Typed Uint8Array (a Buffer is one): the root's published types stand without @types/node.
export function textBytes(text: string): Uint8Array {
  if (isWellFormedText(text)) return Buffer.from(text, 'utf8');
  return Buffer.concat([ILL_FORMED, Buffer.from(text, 'utf16le')]);
}
