/**
 * Scenarios for what hooks are told: the key the client sent (unquoted, as it was sent), and the key as
 * the store holds it (`storageKey`, scope applied) beside it for logs, on every middleware.
 */
import assert from 'node:assert/strict';
import { storageKey, type HookContext } from '@idem/core';
import { newKey } from './http-client';
import type { GroupFactory } from './http-suite';
import type { ScenarioIt } from './not-applicable';

type Seen = { hook: string; key: unknown; context: unknown };

export function hookKeyScenarios(
  group: GroupFactory,
  it: ScenarioIt,
  readHeader: (raw: unknown, name: string) => string | undefined,
): void {
  const seen: Seen[] = [];
  const hook = (name: string) => (key: string, _req: unknown, context: HookContext) => void seen.push({ hook: name, key, context });
  group(
    'hook keys',
    () => ({ scope: (req: unknown) => readHeader(req, 'x-tenant'), onCacheMiss: hook('onCacheMiss'), onCacheHit: hook('onCacheHit') }),
    (g) => {
      it("hooks get the client's key, and the storage key in their context", async () => {
        const key = newKey();
        await g.post(`"${key}"`, { 'x-tenant': 'tenant-a' }, '{}');
        await g.post(key, { 'x-tenant': 'tenant-a' }, '{}');
        const events = seen.filter((event) => event.key === key);
        assert.deepEqual(
          events.map((event) => event.hook),
          ['onCacheMiss', 'onCacheHit'],
          `hooks saw ${JSON.stringify(seen.map((event) => event.key))}`,
        );
        for (const event of events) assert.deepEqual(event.context, { storageKey: storageKey(key, 'tenant-a') });
      });
    },
  );
}
