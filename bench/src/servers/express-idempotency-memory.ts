/** Peer: express-idempotency with its default in-memory adapter, as its README sets it up. */
import { getSharedIdempotencyService, idempotency } from 'express-idempotency';
import { createBenchApp, serve } from './bench-app';

const middleware = idempotency();
serve(createBenchApp({ protect: [middleware], alreadyAnswered: (req) => getSharedIdempotencyService().isHit(req) }));
