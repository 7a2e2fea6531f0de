/** The record layout (record.ts) on its own: what a pending value holds, and what a damaged one turns into. */
import { decodeRecord, pendingValue } from '../src/record';

const token = '0b6a4c0e-0000-4000-8000-000000000001';
const now = 1_764_806_400_123;

describe('Redis record values', () => {
  it('a pending value decodes to its fingerprint and its three times, to the millisecond', () => {
    const record = decodeRecord('k', Buffer.from(pendingValue(token, 'fp é', now, 30_000, 86_400_000)));
    expect(record).toEqual({
      key: 'k',
      fingerprint: 'fp é',
      status: 'in_progress',
      createdAt: now,
      lockExpiresAt: now + 30_000,
      expiresAt: now + 86_400_000,
    });
  });

  it('a time field holding anything but digits is refused, naming what it holds', () => {
    const value = Buffer.from(pendingValue(token, 'fp', now, 30_000, 86_400_000));
    for (const damage of [' ', '-', 'a', '.']) {
      const damaged = Buffer.from(value);
      damaged.write(damage, 1 + 36 + 16 + 5, 'latin1'); // inside expiresAt
      expect(() => decodeRecord('k', damaged)).toThrow(/Malformed time in idempotency record: "0+\d*\D/);
    }
  });
});
