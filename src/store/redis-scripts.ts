/**
 * The Lua scripts of the Redis store (redis.ts): each runs atomically on the server, so every replica
 * sees one order of the single-use and budget operations. Each is sent by its SHA-1 (EVALSHA)
 * and loaded on a NOSCRIPT answer.
 */
import { createHash } from 'node:crypto';

/** A script's text and its SHA-1 (what EVALSHA names). */
export interface Script {
  readonly lua: string;
  readonly sha: string;
}

/**
 * `RedisStore.takeIf` on the server: GET, compare one field of the JSON value; when it
 * matches, SET the mark (KEYS[2], if given) NX with its TTL, then DEL. Answers nil when absent,
 * else `{value, 1|0}`.
 */
export const TAKE_IF = script(`
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ok, doc = pcall(cjson.decode, raw)
if ok and type(doc) == 'table' and doc[ARGV[1]] == ARGV[2] then
  if KEYS[2] then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4], 'NX') end
  redis.call('DEL', KEYS[1])
  return {raw, 1}
end
return {raw, 0}
`);

/**
 * `RedisStore.claim` with writes or deletes: SET KEYS[1] NX; only when that created it, SET
 * KEYS[2..n] and DEL the keys after them. ARGV[1] is n; then a value and a TTL per written key, in
 * the order of KEYS. Answers 1 when claimed, else 0.
 */
export const CLAIM_AND_SET = script(`
local n = tonumber(ARGV[1])
if not redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3], 'NX') then return 0 end
for i = 2, n do redis.call('SET', KEYS[i], ARGV[2 * i], 'EX', ARGV[2 * i + 1]) end
for i = n + 1, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`);

/**
 * `RedisStore.hit`: for each counter in turn, refuse when it is at its maximum (answer its
 * 1-based position and PTTL), else INCR it, starting its window (PEXPIRE, ARGV[1] ms) on the first
 * hit. ARGV[1 + i] is the maximum of KEYS[i]. Answers {0, 0} when every counter allowed it.
 */
export const HIT = script(`
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[i + 1]) then return {i, redis.call('PTTL', KEYS[i])} end
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return {0, 0}
`);

/**
 * `RedisStore.reserve`. KEYS[1..n] are the counters, KEYS[n + i] the held units of counter i (a
 * sorted set: hold id → end of its lease, ms, by Redis' clock). ARGV[1] is the hold id ('' for
 * none), ARGV[2] the lease in ms, ARGV[1 + 2i] and ARGV[2 + 2i] the maximum and the window (ms)
 * of counter i. Refuses when any counter is at its maximum, charging none: answers the 1-based
 * position and PTTL of the first counter whose spent units (count minus live holds) reach its
 * maximum, with 0; else of the first full counter, with 1 (held: waiting may help). Otherwise
 * INCRs each (starting a window where none runs), holds the unit under the id, and answers
 * {0, 0, 0}. Expired leases are dropped as they are met and a set expires with its last lease:
 * the holds of a crashed replica become spent units, never a wait that lasts.
 */
export const RESERVE = script(`
local n = #KEYS / 2
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local heldBy = 0
for i = 1, n do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  local max = tonumber(ARGV[1 + 2 * i])
  if count >= max then
    redis.call('ZREMRANGEBYSCORE', KEYS[n + i], '-inf', now)
    if count - redis.call('ZCARD', KEYS[n + i]) >= max then return {i, redis.call('PTTL', KEYS[i]), 0} end
    if heldBy == 0 then heldBy = i end
  end
end
if heldBy > 0 then return {heldBy, redis.call('PTTL', KEYS[heldBy]), 1} end
for i = 1, n do
  redis.call('INCR', KEYS[i])
  if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[2 + 2 * i]) end
  if ARGV[1] ~= '' then
    redis.call('ZREMRANGEBYSCORE', KEYS[n + i], '-inf', now)
    redis.call('ZADD', KEYS[n + i], now + tonumber(ARGV[2]), ARGV[1])
    redis.call('PEXPIRE', KEYS[n + i], ARGV[2])
  end
end
return {0, 0, 0}
`);

/**
 * `RedisStore.release`: DECR each counter above zero (DECR keeps the key's TTL; an absent counter,
 * its window ended, is not created) and, when ARGV[1] names a hold, end it. KEYS as {@link RESERVE}.
 */
export const RELEASE = script(`
local n = #KEYS / 2
for i = 1, n do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
  if ARGV[1] ~= '' then redis.call('ZREM', KEYS[n + i], ARGV[1]) end
end
return 0
`);

/** `RedisStore.keep`: end the hold ARGV[1] in each set of held units (KEYS); the units stay counted. */
export const KEEP = script(`
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 0
`);

/**
 * `RedisStore.addToSet`: SADD, then move the set's expiry to ARGV[2] ms from now unless it is
 * already later (or the set has none).
 */
export const ADD_TO_SET = script(`
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`);

/**
 * `RedisStore.enqueue`: KEYS[1] is the schedule (sorted set: job id → due ms), KEYS[2] the jobs
 * (hash: id → value). ARGV: id, value, due, max. Answers 1 when queued (or already there), 0 when full.
 */
export const ENQUEUE = script(`
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`);

/**
 * \`RedisStore.dequeue\`: the earliest job due at ARGV[1] is leased until ARGV[1] + ARGV[2] (its due
 * time moves there) and returned as {id, value}; nil when none is due.
 */
export const DEQUEUE = script(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
local id = due[1]
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), id)
local value = redis.call('HGET', KEYS[2], id)
if not value then
  redis.call('ZREM', KEYS[1], id)
  return false
end
return {id, value}
`);

/** `RedisStore.reschedule`: only a job still queued gets its new value and due time. */
export const RESCHEDULE = script(`
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
`);

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}
