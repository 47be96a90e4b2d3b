"""The Redis Lua scripts behind dialogue.conversation_locks: each change to a conversation's
ticket lock is one script, so it costs one round trip and Redis runs it atomically (no other
client's command runs in between, so no WATCH/MULTI retries).

The key holds Rasa's `TicketLock` JSON (`{"conversation_id", "tickets": ["<ticket JSON>"...]}`,
each ticket `{"number", "expires"}`), so Rasa's `RedisLockStore.get_lock` still reads it, plus
`last_issued`, which Rasa ignores: numbers keep growing while the key lives, so a ticket that
expired at the end of the queue is never issued again to someone else.

Expiry uses the Redis server's clock (`TIME`), the one clock every server process shares.
The key expires with its last ticket and is deleted when its last ticket is removed.
"""

from __future__ import annotations

_PRELUDE = """
local function now_s()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end

-- The live tickets, oldest first, and the last number issued (-1: none).
local function load(key, now)
  local raw = redis.call('GET', key)
  local live, last_issued = {}, -1
  if raw then
    local lock = cjson.decode(raw)
    for _, text in ipairs(lock.tickets or {}) do
      local ticket = cjson.decode(text)
      if ticket.number > last_issued then last_issued = ticket.number end
      if ticket.expires >= now then table.insert(live, ticket) end
    end
    if type(lock.last_issued) == 'number' and lock.last_issued > last_issued then
      last_issued = lock.last_issued
    end
  end
  return live, last_issued
end

local function save(key, conversation_id, tickets, last_issued, now)
  if #tickets == 0 then
    redis.call('DEL', key)
    return
  end
  local encoded, last_expiry = {}, now
  for i, ticket in ipairs(tickets) do
    encoded[i] = cjson.encode({number = ticket.number, expires = ticket.expires})
    if ticket.expires > last_expiry then last_expiry = ticket.expires end
  end
  local lock = {conversation_id = conversation_id, tickets = encoded, last_issued = last_issued}
  local ttl_ms = math.max(1, math.ceil((last_expiry - now) * 1000))
  redis.call('SET', key, cjson.encode(lock), 'PX', ttl_ms)
end

local function position(tickets, number)
  for i, ticket in ipairs(tickets) do
    if ticket.number == number then return i end
  end
  return nil
end
"""

# KEYS[1] lock key; ARGV conversation id, lifetime (s).
# Returns {ticket number, 1 if it is served now else 0}.
ISSUE = (
    _PRELUDE
    + """
local now = now_s()
local tickets, last_issued = load(KEYS[1], now)
local number = last_issued + 1
table.insert(tickets, {number = number, expires = now + tonumber(ARGV[2])})
save(KEYS[1], ARGV[1], tickets, number, now)
if tickets[1].number == number then return {number, 1} end
return {number, 0}
"""
)

# KEYS[1] lock key; ARGV ticket number. Read only.
# Returns 1: the ticket is served now; 0: it waits; -1: it has expired (or never existed).
POLL = (
    _PRELUDE
    + """
local tickets = load(KEYS[1], now_s())
local at = position(tickets, tonumber(ARGV[1]))
if at == nil then return -1 end
if at == 1 then return 1 end
return 0
"""
)

# KEYS[1] lock key; ARGV conversation id, ticket number, lifetime (s).
# Returns 1 when the live ticket was extended, 0 when it had already expired.
RENEW = (
    _PRELUDE
    + """
local now = now_s()
local tickets, last_issued = load(KEYS[1], now)
local at = position(tickets, tonumber(ARGV[2]))
if at == nil then return 0 end
tickets[at].expires = now + tonumber(ARGV[3])
save(KEYS[1], ARGV[1], tickets, last_issued, now)
return 1
"""
)

# KEYS[1] lock key; ARGV conversation id, ticket number. Removes the ticket (and expired ones);
# the key goes with its last ticket, in the same step, so a ticket issued meanwhile by another
# process is never deleted with it. Returns 1 when the ticket was there.
RELEASE = (
    _PRELUDE
    + """
local now = now_s()
local tickets, last_issued = load(KEYS[1], now)
local at = position(tickets, tonumber(ARGV[2]))
if at ~= nil then table.remove(tickets, at) end
save(KEYS[1], ARGV[1], tickets, last_issued, now)
if at == nil then return 0 end
return 1
"""
)
