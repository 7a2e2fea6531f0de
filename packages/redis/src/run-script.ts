/**
 * Calls a script by SHA (EVALSHA: the script text is not resent on every call) and falls back to EVAL
 * when the server answers NOSCRIPT (first use, restart, SCRIPT FLUSH, a new cluster node); EVAL also
 * caches the script, so the next call is an EVALSHA again. Replies come back as Buffers, so binary
 * values are never decoded as text.
 */
import type { RedisClient } from './client';
import type { LuaScript } from './scripts';

export type ScriptArgument = string | Buffer;

export async function runScript(client: RedisClient, script: LuaScript, key: Buffer, args: ScriptArgument[]): Promise<unknown> {
  try {
    return await client.callBuffer('evalsha', [script.sha, 1, key, ...args]);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.callBuffer('eval', [script.lua, 1, key, ...args]);
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
