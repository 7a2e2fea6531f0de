/**
 * A bounded load: a fixed list of payment requests (each key sent several times, shuffled) at a fixed
 * concurrency, with a hook that fires once a given number of answers came back (to inject a fault
 * mid-load). Every answer is classified; anything outside the allowed set is kept for the assertion.
 */
import type { AppProcess } from './apps';
import { pay } from './apps';

export interface Answer {
  key: string;
  status: number;
  replayed: boolean;
  retryAfter: string | null;
  body: string;
}

export interface LoadOptions {
  keys: number;
  copiesPerKey: number;
  concurrency: number;
  handlerMs: number;
  /** Called (and awaited by nobody) after this many answers: [answersSoFar, action]. */
  at?: Array<[number, () => Promise<void> | void]>;
  keyPrefix: string;
}

export async function runLoad(app: AppProcess, options: LoadOptions): Promise<Answer[]> {
  const queue: string[] = [];
  for (let i = 0; i < options.keys; i++) for (let c = 0; c < options.copiesPerKey; c++) queue.push(`${options.keyPrefix}-${i}`);
  shuffle(queue);
  const answers: Answer[] = [];
  const pending = [...(options.at ?? [])].sort((a, b) => a[0] - b[0]);
  const fired: Array<Promise<void> | void> = [];
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const key = queue[next++]!;
      let answer: Answer;
      try {
        const response = await pay(app, key, { delayMs: options.handlerMs });
        answer = {
          key,
          status: response.status,
          replayed: response.headers.get('idempotent-replayed') === 'true',
          retryAfter: response.headers.get('retry-after'),
          body: await response.text(),
        };
      } catch (error) {
        answer = { key, status: 0, replayed: false, retryAfter: null, body: String(error) };
      }
      answers.push(answer);
      while (pending.length > 0 && answers.length >= pending[0]![0]) fired.push(pending.shift()![1]());
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await Promise.all(fired);
  return answers;
}

/** The allowed answers under a store fault: first result, replay, 409 or 503 — the last two with Retry-After. */
export function unexpectedAnswers(answers: Answer[]): Answer[] {
  return answers.filter((a) => {
    if (a.status === 201) return false;
    if ((a.status === 409 || a.status === 503) && a.retryAfter !== null && /^\d+$/.test(a.retryAfter)) return false;
    return true;
  });
}

/** Every replay of a key carries exactly the body of that key's first answer. */
export function replaysThatDiffer(answers: Answer[]): Answer[] {
  const firstBody = new Map<string, string>();
  for (const a of answers) if (a.status === 201 && !a.replayed) firstBody.set(a.key, a.body);
  return answers.filter((a) => a.status === 201 && a.replayed && firstBody.has(a.key) && firstBody.get(a.key) !== a.body);
}

// Deterministic enough for a load test (the order does not matter for the assertions).
function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
