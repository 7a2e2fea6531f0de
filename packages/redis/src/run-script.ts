/**
 * Calls a script by SHA (EVALSHA: the script text is not resent on every call) and falls back to EVAL
 * when the server answers NOSCRIPT (first use, restart, SCRIPT FLUSH, a new cluster node); EVAL also
 * caches the script, so the next call is an EVALSHA again. Replies come back as Buffers, so binary
 * values are never decoded as text.
 */
import type { RedisCommands, RedisKey, ScriptArgument } from './commands';
import type { LuaScript } from './scripts';

export async function runScript(commands: RedisCommands, script: LuaScript, key: RedisKey, args: ScriptArgument[]): Promise<unknown> {
  try {
    return await commands.evalsha(script.sha, key, args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return commands.eval(script.lua, key, args);
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
