/**
 * What happens to a key when its client hangs up while the handler runs. The handler may still be
 * charging the card: releasing at once would let a retry run it a second time. So the lease is kept; if
 * the handler ends, its response is recorded for the retry. If it never ends, the key is given back one
 * lease period later, so a hung handler cannot lock the key for ever.
 */
import type { Execution } from './manager';

export interface AbandonGuard {
  /** The client went away before the response was committed. */
  clientGone(): void;
  /** The response was committed or the key released: the guard has nothing left to do. */
  settle(): void;
}

export function guardAbandonedExecution(execution: Execution, lockTtl: number): AbandonGuard {
  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    clientGone() {
      if (settled || timer !== undefined) return;
      timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        void execution.abort();
      }, lockTtl);
      timer.unref?.();
    },
    settle() {
      settled = true;
      clearTimeout(timer);
    },
  };
}

/**
 * The same guard on the Fetch API, where a request's `signal` aborts when its client hangs up (on
 * @hono/node-server, Deno, Bun, Next.js). A runtime whose signal never aborts gives no such notice: a
 * handler that never ends there keeps its key until the request itself is torn down.
 */
export function guardAbandonedWebExecution(execution: Execution, lockTtl: number, signal: AbortSignal | undefined): AbandonGuard {
  const guard = guardAbandonedExecution(execution, lockTtl);
  if (!signal) return guard;
  const onAbort = () => guard.clientGone();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return {
    clientGone: guard.clientGone,
    settle() {
      signal.removeEventListener('abort', onAbort);
      guard.settle();
    },
  };
}
