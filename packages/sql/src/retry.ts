/**
 * Deadlocks, serialization failures and a busy SQLite file are transient: the statement was rolled
 * back whole, so running it again is safe. A few attempts with a growing, jittered pause, then give up.
 */
export const TRANSIENT_ATTEMPTS = 4;

export async function retryTransient<T>(attempt: () => Promise<T>, isTransient: (error: unknown) => boolean): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= TRANSIENT_ATTEMPTS || !isTransient(error)) throw error;
      const pauseMs = 5 * 2 ** tries * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
