/**
 * SQLite's one-connection rule for the Prisma store. Prisma's better-sqlite3 adapter runs an interactive
 * transaction on the client's only connection, and lets the client's other queries run on it meanwhile:
 * a renewal or another request's acquire sent while a handler's transaction is open would run INSIDE it
 * and be rolled back with it. So on SQLite the store's own calls share this gate and a transaction takes
 * it exclusively: it waits for the calls in flight to finish, and new calls wait for it to end (a call
 * cannot be held back at the statement itself: Prisma awaits several times before sending it).
 */
export class SingleWriterGate {
  private inFlight = 0;
  private exclusive: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  /** Runs one store call, after any open transaction ended. */
  async shared<T>(call: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    this.inFlight++;
    try {
      return await call();
    } finally {
      if (--this.inFlight === 0) this.drained?.();
    }
  }

  /** Waits for the gate, blocks new calls, waits for the ones in flight; resolves the function that reopens it. */
  async close(): Promise<() => void> {
    while (this.exclusive) await this.exclusive;
    let reopen!: () => void;
    this.exclusive = new Promise<void>((resolve) => (reopen = resolve));
    while (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.drained = undefined;
    return () => {
      this.exclusive = undefined;
      reopen();
    };
  }
}
