/**
 * What happens to a key when its client hangs up while the handler runs. The handler may still be
 * charging the card: releasing at once would let a retry run it a second time. So the lease is kept; if
 * the handler ends, its response is recorded for the retry. If it never ends, the key is given back one
 * lease period later, so a hung handler cannot lock the key for ever.
 */
import type { Execution } from './execution';
import type { HttpResponse } from './http';
import type { NodeResponseSink } from './node-response';

export interface AbandonGuard {
  /** The client went away before the response was committed. */
  clientGone(): void;
  /** The response was committed or the key released: the guard has nothing left to do. */
  settle(): void;
}

/** One object per request, its behaviour on the prototype: no closure per request. */
class ExecutionAbandonGuard implements AbandonGuard {
  private settled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    protected readonly execution: Execution,
    private readonly lockTtl: number,
  ) {}

  clientGone(): void {
    if (this.settled || this.timer !== undefined) return;
    this.timer = setTimeout(ExecutionAbandonGuard.giveUp, this.lockTtl, this);
    this.timer.unref?.();
  }

  settle(): void {
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private static giveUp(guard: ExecutionAbandonGuard): void {
    if (guard.settled) return;
    guard.settled = true;
    void guard.execution.abort();
  }
}

export function guardAbandonedExecution(execution: Execution, lockTtl: number): AbandonGuard {
  return new ExecutionAbandonGuard(execution, lockTtl);
}

/**
 * An execution whose handler writes to a node response (`captureNodeResponse`): the response is
 * committed through `execution.finish()`, which settles the guard, and a client that hangs up first
 * starts it. The sink, the guard and the execution's link in one object.
 */
export class GuardedNodeExecution extends ExecutionAbandonGuard implements NodeResponseSink {
  async commit(response: HttpResponse): Promise<HttpResponse | undefined> {
    this.settle();
    // The handler's transaction was rolled back (lease lost, database failure): its answer is not sent.
    return (await this.execution.finish(response)).response;
  }
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
