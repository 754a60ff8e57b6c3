import type { RedisClient } from './client.js';

/**
 * The Lua side of the redis jobs driver. Every script takes KEYS[1] = the stream and KEYS[2] = the
 * delayed set (same hash slot, so a cluster runs them too) and is atomic: a job is never in two places
 * nor in none. Times come from the server's clock (TIME), so rr instances with skewed clocks agree on
 * when a delayed job is due.
 *
 * A delayed job is a member of the sorted set (score = due time in ms): a 16-character nonce (so equal
 * jobs stay distinct members) followed by the stream entry's field/value list, each as `<bytes>:<value>`.
 */
const COMMON = `
local function encode(fields)
  local parts = {}
  for i = 1, #fields do parts[i] = #fields[i] .. ':' .. fields[i] end
  return table.concat(parts)
end
local function decode(s, from)
  local out, pos = {}, from
  while pos <= #s do
    local colon = string.find(s, ':', pos, true)
    if not colon then return nil end
    local len = tonumber(string.sub(s, pos, colon - 1))
    if not len or colon + len > #s then return nil end
    out[#out + 1] = string.sub(s, colon + 1, colon + len)
    pos = colon + len + 1
  end
  if #out == 0 or #out % 2 == 1 then return nil end
  return out
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function add(fields, delay, nonce)
  if delay > 0 then
    redis.call('ZADD', KEYS[2], now_ms() + delay, nonce .. encode(fields))
  else
    redis.call('XADD', KEYS[1], '*', unpack(fields))
  end
end
local function mine(group, consumer, id)
  local r = redis.pcall('XPENDING', KEYS[1], group, id, id, 1, consumer)
  return type(r) == 'table' and r.err == nil and #r > 0
end
local function settle(group, id)
  redis.pcall('XACK', KEYS[1], group, id)
  redis.call('XDEL', KEYS[1], id)
end
`;

/** ARGV: per job `delayMs, nonce, fieldCount, field, value, …`. Returns how many were stored. */
const PUSH = `${COMMON}
local i, pushed = 1, 0
while i <= #ARGV do
  local n = tonumber(ARGV[i + 2])
  local fields = {}
  for j = 1, n do fields[j] = ARGV[i + 2 + j] end
  add(fields, tonumber(ARGV[i]), ARGV[i + 1])
  i = i + 3 + n
  pushed = pushed + 1
end
return pushed
`;

/**
 * ARGV: group, consumer, entry id, mode, delayMs, nonce, field, value, …
 * mode `ack` removes the entry (whoever holds it: the work is done, or the job is dropped). Mode
 * `requeue` first adds the given copy, then removes the entry, but only while this consumer still holds
 * it: once another consumer claimed it, that one runs it, and a copy would multiply the job.
 * Returns 1 when applied, 0 when the entry was no longer this consumer's.
 */
const SETTLE = `${COMMON}
local group, consumer, id, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if mode == 'requeue' then
  if not mine(group, consumer, id) then return 0 end
  local fields = {}
  for j = 7, #ARGV do fields[#fields + 1] = ARGV[j] end
  add(fields, tonumber(ARGV[5]), ARGV[6])
end
settle(group, id)
return 1
`;

/**
 * ARGV: group, consumer[, entry id, …]. Gives entries this consumer holds back to the stream as new
 * entries (any consumer reads them at once): the listed ones, or all of them and then the consumer
 * itself once it holds nothing. Returns how many went back.
 */
const RELEASE = `${COMMON}
local group, consumer = ARGV[1], ARGV[2]
local ids = {}
if #ARGV > 2 then
  for j = 3, #ARGV do ids[#ids + 1] = ARGV[j] end
else
  local r = redis.pcall('XPENDING', KEYS[1], group, '-', '+', 100000, consumer)
  if type(r) ~= 'table' or r.err then return 0 end
  for _, p in ipairs(r) do ids[#ids + 1] = p[1] end
end
local released = 0
for _, id in ipairs(ids) do
  if mine(group, consumer, id) then
    local entry = redis.call('XRANGE', KEYS[1], id, id)
    if #entry > 0 then
      redis.call('XADD', KEYS[1], '*', unpack(entry[1][2]))
      released = released + 1
    end
    settle(group, id)
  end
end
if #ARGV == 2 then
  local left = redis.pcall('XPENDING', KEYS[1], group, '-', '+', 1, consumer)
  if type(left) == 'table' and left.err == nil and #left == 0 then redis.pcall('XGROUP', 'DELCONSUMER', KEYS[1], group, consumer) end
end
return released
`;

/**
 * ARGV: limit. Moves due delayed jobs to the stream. Returns { moved, ms until the next one is due or -1 }.
 * A member that does not decode (not written by rr) goes to the stream as its payload, never dropped.
 */
const MOVE = `${COMMON}
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  local fields = decode(member, 17)
  if fields then redis.call('XADD', KEYS[1], '*', unpack(fields)) else redis.call('XADD', KEYS[1], '*', 'payload', member) end
  redis.call('ZREM', KEYS[2], member)
end
local nxt = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local wait = -1
if #nxt > 0 then wait = math.max(0, tonumber(nxt[2]) - now) end
return { #due, wait }
`;

/** ARGV: group. Returns { stream length, entries pending in the group, delayed jobs }. */
const STAT = `
local pending = 0
local r = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if type(r) == 'table' and r.err == nil then pending = r[1] end
return { redis.call('XLEN', KEYS[1]), pending, redis.call('ZCARD', KEYS[2]) }
`;

/**
 * ARGV: group, consumer, entry id, … Renews entries this consumer still holds (XCLAIM to itself resets
 * their idle time), so XAUTOCLAIM elsewhere never takes a job a live rr is running. Returns how many.
 */
const TOUCH = `${COMMON}
local group, consumer, kept = ARGV[1], ARGV[2], 0
for j = 3, #ARGV do
  if mine(group, consumer, ARGV[j]) then
    redis.call('XCLAIM', KEYS[1], group, consumer, 0, ARGV[j], 'JUSTID')
    kept = kept + 1
  end
end
return kept
`;

export type ScriptArg = string | Buffer | number;

/**
 * The scripts as commands of one client (ioredis sends EVALSHA, or EVAL the first time on a socket). The
 * arguments travel as one array, which ioredis flattens, so a batch of any size never meets JavaScript's
 * limit on spread arguments.
 */
export interface JobsScripts {
  push(stream: string, delayed: string, args: ScriptArg[]): Promise<number>;
  settle(stream: string, delayed: string, args: ScriptArg[]): Promise<number>;
  release(stream: string, delayed: string, args: ScriptArg[]): Promise<number>;
  move(stream: string, delayed: string, args: [limit: number]): Promise<[number, number]>;
  stat(stream: string, delayed: string, args: [group: string]): Promise<[number, number, number]>;
  touch(stream: string, delayed: string, args: ScriptArg[]): Promise<number>;
}

const SCRIPTS = { push: PUSH, settle: SETTLE, release: RELEASE, move: MOVE, stat: STAT, touch: TOUCH } as const;

type Call = (stream: string, delayed: string, args: ScriptArg[]) => Promise<unknown>;

/** Registers the scripts on `client` (as rrJobs* commands) and returns them typed. */
export function defineScripts(client: RedisClient): JobsScripts {
  const commands = client as unknown as Record<string, Call>;
  const out: Record<string, Call> = {};
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    const command = `rrJobs${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    client.defineCommand(command, { numberOfKeys: 2, lua });
    out[name] = (stream, delayed, args) => (commands[command] as Call).call(client, stream, delayed, args);
  }
  return out as unknown as JobsScripts;
}
