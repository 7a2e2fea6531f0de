/** Assertions the HTTP scenario files share. */
import assert from 'node:assert/strict';
import type { ClientResponse } from './http-client';

export function assertProblem(response: ClientResponse, status: number, code: string): void {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status}: ${response.body.toString().slice(0, 200)}`);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const problem = response.json();
  assert.equal(problem.code, code);
  assert.equal(problem.status, status);
}

export async function waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'the scenario handler to start'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
