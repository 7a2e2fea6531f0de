/**
 * The store's one timeout mechanism: every operation in flight gets the same bound, so their deadlines
 * come in the order the operations started, and a single timer, armed for the oldest unsettled one,
 * serves them all. An operation costs a queue entry instead of a timer and a `Promise.race` of its own.
 * Replies arrive in order on a connection, so settled entries leave from the front of the queue.
 */

interface Waiter {
  readonly deadline: number;
  readonly operation: string;
  readonly reject: (error: Error) => void;
  settled: boolean;
}

/** The error an operation's caller gets, from what went wrong (the command's own error, or the timeout). */
export type OperationFailure = (operation: string, error: unknown) => Error;

export class Deadlines {
  private queue: Waiter[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `timeoutMs` 0: no bound. */
  constructor(
    private readonly timeoutMs: number,
    private readonly failure: OperationFailure,
  ) {}

  /** Settles like `sent` (its error through `failure`), or rejects once `timeoutMs` has passed without an answer. */
  bound<T>(sent: Promise<T>, operation: string): Promise<T> {
    if (this.timeoutMs === 0) {
      return sent.then(undefined, (error: unknown) => {
        throw this.failure(operation, error);
      });
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = { deadline: Date.now() + this.timeoutMs, operation, reject, settled: false };
      this.queue.push(waiter);
      if (this.timer === undefined) this.arm(this.timeoutMs);
      sent.then(
        (value) => {
          waiter.settled = true;
          this.dropSettled();
          resolve(value);
        },
        (error: unknown) => {
          waiter.settled = true;
          this.dropSettled();
          reject(this.failure(operation, error));
        },
      );
    });
  }

  /** Stops the timer; operations still in flight settle with their command. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.expire, ms);
    // An idle store must not keep the process alive; a command in flight keeps its socket open anyway.
    this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = Date.now();
    while (this.head < this.queue.length) {
      const waiter = this.queue[this.head]!;
      if (!waiter.settled) {
        if (waiter.deadline > now) break;
        waiter.settled = true;
        waiter.reject(this.failure(waiter.operation, new Error(`no answer within operationTimeout (${this.timeoutMs} ms)`)));
      }
      this.head++;
    }
    this.compact();
    if (this.head < this.queue.length) this.arm(this.queue[this.head]!.deadline - now);
  };

  private dropSettled(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.settled) this.head++;
    this.compact();
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
