/** What the plugin did with a request: `request.idempotency`, e.g. for an `onResponse` log line. */
import type { IdempotencyOutcome } from '@idem/core';
import { unprotectedOutcome } from '@idem/core/adapter';

export type { IdempotencyOutcome };

export const initialOutcome = (): IdempotencyOutcome => unprotectedOutcome();
