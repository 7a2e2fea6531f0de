/**
 * The Lua scripts, one per store transition. Each touches exactly one key (KEYS[1]), so it runs
 * unchanged on Redis Cluster, and each runs atomically on the server: no other command interleaves
 * between the read and the write, which is what makes concurrent duplicates safe.
 *
 * A record is a hash: status, fingerprint, token (while in progress), createdAt, expiresAt,
 * lockExpiresAt, response (once completed). Times are epoch ms strings computed by the caller from the
 * `now` it was given, so every decision uses the caller's clock; PEXPIRE (relative) only cleans up.
 * Keys and values are always arguments, never spliced into the script text.
 */
import { createHash } from 'node:crypto';

export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

function script(name: string, lua: string): LuaScript {
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * ARGV: now, token, fingerprint, expiresAt, lockExpiresAt, pexpireMs.
 * Replies {'completed', fingerprint, createdAt, expiresAt, lockExpiresAt, response},
 * {'in_progress', fingerprint, createdAt, expiresAt, lockExpiresAt} or {'acquired'}.
 * The completed reply carries the response, so a replay costs one round trip.
 */
export const ACQUIRE = script(
  'acquire',
  `local f = redis.call('HMGET', KEYS[1], 'status', 'fingerprint', 'createdAt', 'expiresAt', 'lockExpiresAt', 'response')
local now = tonumber(ARGV[1])
if f[1] then
  if tonumber(f[4]) > now then
    if f[1] == 'completed' then
      return {'completed', f[2], f[3], f[4], f[5], f[6]}
    end
    if tonumber(f[5]) > now then
      return {'in_progress', f[2], f[3], f[4], f[5]}
    end
  end
  -- Stale (expired, or its lease ran out): start over from an empty hash.
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 'status', 'in_progress', 'fingerprint', ARGV[3], 'token', ARGV[2],
  'createdAt', ARGV[1], 'expiresAt', ARGV[4], 'lockExpiresAt', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return {'acquired'}`,
);

/** ARGV: token, now, response, expiresAt, pexpireMs. Replies 1 when the token still owned the lease. */
export const COMPLETE = script(
  'complete',
  `local f = redis.call('HMGET', KEYS[1], 'status', 'token', 'expiresAt')
if f[1] ~= 'in_progress' or f[2] ~= ARGV[1] or tonumber(f[3]) <= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'completed', 'response', ARGV[3], 'expiresAt', ARGV[4])
redis.call('HDEL', KEYS[1], 'token')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`,
);

/** ARGV: token, now, lockExpiresAt. Replies 1 when the token still owned the lease. */
export const EXTEND = script(
  'extend',
  `local f = redis.call('HMGET', KEYS[1], 'status', 'token', 'expiresAt')
if f[1] ~= 'in_progress' or f[2] ~= ARGV[1] or tonumber(f[3]) <= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 'lockExpiresAt', ARGV[3])
return 1`,
);

/** ARGV: token. Deletes the pending record if the token owns it (no clock: the token decides). */
export const RELEASE = script(
  'release',
  `local f = redis.call('HMGET', KEYS[1], 'status', 'token')
if f[1] == 'in_progress' and f[2] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`,
);
