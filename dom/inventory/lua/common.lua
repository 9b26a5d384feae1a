-- Prepended to every ledger script. ARGV[1] is the key prefix, ARGV[2] the tombstone time in
-- seconds, ARGV[3] how many due holds one call may expire; a script's own arguments follow.
local P = ARGV[1]
local TOMB = ARGV[2]
local SWEEP_LIMIT = tonumber(ARGV[3])

-- Redis server time in ms: one clock for every replica.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function stock_key(sku) return P .. 'stock:' .. sku end
local function res_key(id) return P .. 'res:' .. id end
local function num(v) return tonumber(v) or 0 end

local function is_node(fc) return redis.call('HEXISTS', P .. 'nodes', fc) == 1 end
local function is_sku(sku) return redis.call('SISMEMBER', P .. 'skus', sku) == 1 end

-- A held reservation ends (committed, released or expired); its record stays as a tombstone.
local function finish(rkey, id, state)
  redis.call('HSET', rkey, 'state', state)
  redis.call('EXPIRE', rkey, TOMB)
  redis.call('ZREM', P .. 'expiry', id)
  redis.call('HINCRBY', P .. 'counters', 'reservations_' .. state, 1)
end

-- Keep {p}restock, the set of fc NUL sku of stocked cells (reorder point above 0) whose
-- on_hand - allocated is at or below the reorder point (base.needs_restock's rule), up to date
-- after a change of on_hand or allocated (commit and set levels; a fulfilment lowers both alike).
local function mark_restock(fc, sku)
  local r = redis.call('HMGET', stock_key(sku), 'oh:' .. fc, 'al:' .. fc, 'rp:' .. fc)
  local member = fc .. '\0' .. sku
  if r[3] and tonumber(r[3]) > 0 and num(r[1]) - num(r[2]) <= tonumber(r[3]) then
    redis.call('SADD', P .. 'restock', member)
  else
    redis.call('SREM', P .. 'restock', member)
  end
end

-- Move a hold's units out of reserved (and into allocated when committing).
local function unreserve(items_json, to_allocated)
  for _, it in ipairs(cjson.decode(items_json)) do
    local key = stock_key(it[2])
    redis.call('HINCRBY', key, 'rs:' .. it[1], -it[3])
    if to_allocated then
      redis.call('HINCRBY', key, 'al:' .. it[1], it[3])
      mark_restock(it[1], it[2])
    end
  end
end

-- Expire up to SWEEP_LIMIT holds due at `now`, returning their stock.
-- Returns {due ids looked at, holds expired}.
local function sweep(now)
  local ids = redis.call('ZRANGEBYSCORE', P .. 'expiry', '-inf', now, 'LIMIT', 0, SWEEP_LIMIT)
  local expired = 0
  for _, id in ipairs(ids) do
    local rkey = res_key(id)
    local rec = redis.call('HMGET', rkey, 'state', 'items')
    if rec[1] == 'held' then
      unreserve(rec[2], false)
      finish(rkey, id, 'expired')
      expired = expired + 1
    else
      redis.call('ZREM', P .. 'expiry', id)
    end
  end
  return {#ids, expired}
end

-- The stored row of (fc, sku): on_hand, safety_stock, reserved, allocated, reorder_point.
local function row(fc, sku)
  return redis.call('HMGET', stock_key(sku), 'oh:' .. fc, 'ss:' .. fc, 'rs:' .. fc,
    'al:' .. fc, 'rp:' .. fc)
end
