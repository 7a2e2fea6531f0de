/**
 * Loaded into a bench server by `alloc-profile.ts` (`--import`): V8's sampling heap profiler, counting
 * objects the GC already collected too (what a request allocates and drops is what the GC pays for),
 * written to IDEM_ALLOC_PROFILE when the server is stopped.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.IDEM_ALLOC_PROFILE;
if (out) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  // Before the server's own SIGTERM handler exits: an in-process session answers synchronously.
  process.prependListener('SIGTERM', () => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(out, JSON.stringify(result.profile));
    });
  });
}
