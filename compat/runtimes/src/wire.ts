/**
 * JSON that keeps what the scenarios pass around: bytes (request and response bodies) and errors (an
 * `IdempotencyError` handed to `onStoreError`, with its code and status).
 */
const BYTES = '$bytes';
const ERROR = '$error';

export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, plain) {
    const original = this[key];
    if (original instanceof Uint8Array) return { [BYTES]: toBase64(original) };
    if (original instanceof Error) return { [ERROR]: { ...original, name: original.name, message: original.message } };
    return plain;
  });
}

export function decode(text: string | Uint8Array): unknown {
  const json = typeof text === 'string' ? text : new TextDecoder().decode(text);
  return JSON.parse(json, (_key, value) => {
    if (value && typeof value === 'object' && BYTES in value) return fromBase64(value[BYTES] as string);
    if (value && typeof value === 'object' && ERROR in value) return Object.assign(new Error(value[ERROR].message), value[ERROR]);
    return value;
  });
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
