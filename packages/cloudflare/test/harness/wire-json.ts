/**
 * JSON that carries bytes, for the test harness's calls between Node and the Worker (both sides
 * import it): every Uint8Array (a Buffer too) becomes `{ $bytes: base64 }` and back.
 */
import { Buffer } from 'node:buffer';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function toJson(value: unknown): Json {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [name, item] of Object.entries(value)) if (item !== undefined && typeof item !== 'function') out[name] = toJson(item);
    return out;
  }
  return value as Json;
}

function fromJson(value: Json): unknown {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value !== null && typeof value === 'object') {
    if (typeof value.$bytes === 'string') return new Uint8Array(Buffer.from(value.$bytes, 'base64'));
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, fromJson(item)]));
  }
  return value;
}

export const stringifyWire = (value: unknown): string => JSON.stringify(toJson(value));
export const parseWire = <T = unknown>(text: string): T => fromJson(JSON.parse(text) as Json) as T;
