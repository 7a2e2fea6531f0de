/**
 * The smoke test every payments example runs against its own running app: a retry replays the first
 * answer byte for byte, and the same key with another amount is refused. Each example starts its app
 * (and its store) itself and hands over the base URL, or undefined when its service is missing.
 */
import { randomUUID } from 'node:crypto';

export function paymentSmokeTests(baseUrl: () => string | undefined): void {
  const pay = (base: string, key: string, amount: number) =>
    fetch(`${base}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ amount }),
    });

  it('charges once and replays the first answer to a retry with the same key', async () => {
    const base = baseUrl();
    if (base === undefined) return;
    const key = randomUUID();
    const first = await pay(base, key, 1999);
    const firstBody = await first.text();
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const retry = await pay(base, key, 1999);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.text()).toBe(firstBody);
  });

  it('refuses the same key with a different amount (422)', async () => {
    const base = baseUrl();
    if (base === undefined) return;
    const key = randomUUID();
    await pay(base, key, 500);
    expect((await pay(base, key, 700)).status).toBe(422);
  });
}
