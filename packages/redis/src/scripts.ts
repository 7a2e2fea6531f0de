/**
 * The Lua scripts left once `acquire` is a native `SET … NX PX … GET`: the fenced transitions, which
 * must compare the lease token and write in one atomic step. Each touches exactly one key (KEYS[1]), so
 * it runs unchanged on Redis Cluster, and none parses the record: it compares bytes 1–37 (status and
 * token) and splices the fixed-width times (layout in record.ts; Lua strings are 1-based).
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
 * ARGV: owner ('P' + token), expiresAt (16 digits), response, ttl ms.
 * The pending record becomes the completed one (same token, fingerprint and createdAt, the new expiry,
 * the response appended); the key expires `ttl` after completion. Replies 1 when the token owned it.
 */
export const COMPLETE = script(
  'complete',
  `local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 37) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'C' .. string.sub(v, 2, 53) .. ARGV[2] .. string.sub(v, 70) .. ARGV[3], 'PX', ARGV[4])
return 1`,
);

/**
 * ARGV: owner ('P' + token), lockExpiresAt (16 digits), lockTtl ms.
 * Renews the lease (on both clocks: the stored lockExpiresAt and the key's own expiry) and lifts the
 * record's expiresAt to at least the new lease end, so a record never expires under a live lease.
 * Replies 1 when the token owned it.
 */
export const EXTEND = script(
  'extend',
  `local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 37) ~= ARGV[1] then return 0 end
local expiresAt = string.sub(v, 54, 69)
if ARGV[2] > expiresAt then expiresAt = ARGV[2] end
redis.call('SET', KEYS[1], ARGV[1] .. ARGV[2] .. expiresAt .. string.sub(v, 70), 'PX', ARGV[3])
return 1`,
);

/** ARGV: owner ('P' + token). Deletes the pending record if the token owns it; replies 1 if it did. */
export const RELEASE = script(
  'release',
  `if redis.call('GETRANGE', KEYS[1], 0, 36) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`,
);

/**
 * ARGV: new pending value, lockTtl ms. `SET key value NX PX lockTtl GET` for servers older than Redis
 * 7.0, where NX and GET cannot be combined: writes the value if the key is empty and replies nil
 * (acquired); otherwise replies what the key holds.
 */
export const SET_NX_GET = script(
  'set-nx-get',
  `local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`,
);
