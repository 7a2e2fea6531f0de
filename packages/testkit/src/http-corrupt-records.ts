/**
 * Scenarios for a completed record that cannot be replayed: a status outside 200–599, no response, or
 * bytes that are no idem payload (corrupt data, another program's rows, a hand edit). Every middleware
 * answers the one documented way, decided in core: 503 STORAGE_ERROR with Retry-After, the handler not
 * run (it may already have run once), never a crash or a 500.
 */
import assert from 'node:assert/strict';
import type { IdempotencyStore } from '@idem/core';
import { newKey } from './http-client';
import { forwardingStore } from './http-stores';
import type { GroupFactory } from './http-suite';
import type { ScenarioIt } from './not-applicable';

/** A stored payload in core's codec layout, written here by hand: version 1, meta length, JSON meta, body. */
function payload(status: unknown): Uint8Array {
  const meta = Buffer.from(JSON.stringify({ s: status, h: { 'content-type': 'text/plain' } }));
  const head = Buffer.alloc(5);
  head[0] = 1;
  head.writeUInt32BE(meta.length, 1);
  return new Uint8Array(Buffer.concat([head, meta, Buffer.from('stored body')]));
}

/** What the store holds for a key, by the key's first word (the store sees the client's key as it is). */
const CORRUPT: Record<string, Uint8Array | undefined> = {
  'status-99': payload(99),
  'status-600': payload(600),
  'status-text': payload('200'),
  missing: undefined,
  garbage: new Uint8Array([0x7b, 0x22, 0x6f, 0x6b, 0x22, 0x7d]),
};

/** Answers `acquire` for a corrupt key with a completed record holding that key's broken response. */
function corruptStore(store: IdempotencyStore): IdempotencyStore {
  return forwardingStore(store, {
    acquire: async (key, fingerprint, options) => {
      const kind = Object.keys(CORRUPT).find((name) => key.startsWith(`${name}.`));
      if (kind === undefined) return store.acquire(key, fingerprint, options);
      const { now } = options;
      const record = { key, fingerprint, status: 'completed' as const, createdAt: now, expiresAt: now + 60_000, lockExpiresAt: now };
      const response = CORRUPT[kind];
      return { state: 'completed', record: response === undefined ? record : { ...record, response } };
    },
  });
}

export function corruptRecordScenarios(group: GroupFactory, it: ScenarioIt): void {
  group(
    'corrupt records',
    (store) => ({ store: corruptStore(store) }),
    (g) => {
      for (const [kind, what] of [
        ['status-99', 'a stored status below 200'],
        ['status-600', 'a stored status above 599'],
        ['status-text', 'a stored status that is not a number'],
        ['missing', 'a completed record with no response'],
        ['garbage', 'a stored response that is not an idem payload'],
      ] as const) {
        it(`answers 503 STORAGE_ERROR with Retry-After for ${what}, handler not run`, async () => {
          const before = g.runs();
          const response = await g.post(`${kind}.${newKey()}`, {}, '{}');
          assert.equal(response.status, 503, `got ${response.status}: ${response.body.toString().slice(0, 200)}`);
          assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
          assert.equal(response.json().code, 'STORAGE_ERROR');
          assert.ok(Number(response.headers['retry-after']) >= 1);
          assert.equal(response.headers['idempotent-replayed'], undefined);
          assert.equal(g.runs() - before, 0);
        });
      }

      it('still replays a sound record of the same store', async () => {
        const key = newKey();
        await g.post(key, {}, '{}');
        const retry = await g.post(key, {}, '{}');
        assert.equal(retry.headers['idempotent-replayed'], 'true');
      });
    },
  );
}
