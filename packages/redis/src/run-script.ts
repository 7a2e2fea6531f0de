/**
 * Calls a script by SHA (EVALSHA: the script text is not resent on every call) and falls back to EVAL
 * when the server answers NOSCRIPT (first use, restart, SCRIPT FLUSH, a new cluster node); EVAL also
 * caches the script, so the next call is an EVALSHA again. Replies come back as Buffers, so binary
 * values are never decoded as text.
 *
 * It uses ioredis's named `evalshaBuffer` / `evalBuffer`, not `callBuffer`: with `enableAutoPipelining`
 * ioredis drops the command name of a `callBuffer` call (ioredis issue 1923), while the named commands
 * join the automatic pipeline like any other.
 */
import type { RedisClient } from './client';
import type { LuaScript } from './scripts';

export type ScriptArgument = string | Buffer;

/** ioredis defines `<command>Buffer` for every command at runtime; its typings omit the scripting ones. */
interface BufferScripting {
  evalshaBuffer(sha: string, keys: number, ...args: (string | Buffer)[]): Promise<unknown>;
  evalBuffer(lua: string, keys: number, ...args: (string | Buffer)[]): Promise<unknown>;
}

export async function runScript(client: RedisClient, script: LuaScript, key: string | Buffer, args: ScriptArgument[]): Promise<unknown> {
  const scripting = client as unknown as BufferScripting;
  try {
    return await scripting.evalshaBuffer(script.sha, 1, key, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return scripting.evalBuffer(script.lua, 1, key, ...args);
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
