/**
 * What a completed record must hold to be replayed. A record written by idem always passes; one that
 * does not (corrupt bytes, foreign data, a hand edit) is answered 503 STORAGE_ERROR on every
 * middleware instead of crashing the framework: its handler may have run, so it is never run again.
 */
import { StorageError } from './errors';
import type { HttpResponse } from './http';

/** The header that marks a key whose response was too large to keep (never sent to a client). */
export const NOT_STORED_MARKER = 'idem-response-not-stored';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
// eslint-disable-next-line no-control-regex
const BAD_HEADER_VALUE = /[\r\n\u0000]/;

export function checkReplayable(response: HttpResponse): void {
  const { status, headers, body } = response;
  if (!Number.isInteger(status) || status < 200 || status > 599)
    throw new StorageError(`The completed record holds an invalid status (${String(status)})`);
  if (!(body instanceof Uint8Array)) throw new StorageError('The completed record holds no response body');
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    throw new StorageError('The completed record holds malformed headers');
  for (const [name, value] of Object.entries(headers)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (!HEADER_NAME.test(name) || values.some((v) => typeof v !== 'string' || BAD_HEADER_VALUE.test(v))) {
      throw new StorageError('The completed record holds a malformed header');
    }
  }
}
