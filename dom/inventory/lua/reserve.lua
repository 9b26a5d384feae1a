-- Hold every item or none. ARGV[4] reservation id, ARGV[5] ttl in ms, ARGV[6] the items as
-- canonical JSON [[fc, sku, qty], ...] (merged, sorted: equal holds have equal text).
-- Returns {'ok', expires_at_ms} | {'short', {fc, sku, qty, available, ...}}
--       | {'unknown_node' | 'unknown_sku', item index} | {'exists', state}.
local now = now_ms()
sweep(now)
local id, ttl, items_json = ARGV[4], tonumber(ARGV[5]), ARGV[6]
local items = cjson.decode(items_json)
for i, it in ipairs(items) do
  if not is_node(it[1]) then return {'unknown_node', i - 1} end
  if not is_sku(it[2]) then return {'unknown_sku', i - 1} end
end
local rkey = res_key(id)
local old = redis.call('HMGET', rkey, 'state', 'items', 'expires_at')
if old[1] then
  if old[1] == 'held' and old[2] == items_json then return {'ok', old[3]} end
  return {'exists', old[1]}
end
local short = {}
for _, it in ipairs(items) do
  local fc, sku, qty = it[1], it[2], it[3]
  local free = 0
  if redis.call('HGET', P .. 'nodes', fc) == '1' then
    local r = row(fc, sku)
    free = math.max(0, num(r[1]) - num(r[2]) - num(r[3]) - num(r[4]))
  end
  if free < qty then
    for _, v in ipairs({fc, sku, qty, free}) do table.insert(short, v) end
  end
end
if #short > 0 then
  redis.call('HINCRBY', P .. 'counters', 'reserve_short', 1)
  return {'short', short}
end
for _, it in ipairs(items) do
  redis.call('HINCRBY', stock_key(it[2]), 'rs:' .. it[1], it[3])
end
local expires = now + ttl
redis.call('HSET', rkey, 'state', 'held', 'expires_at', expires, 'items', items_json)
redis.call('ZADD', P .. 'expiry', expires, id)
redis.call('HINCRBY', P .. 'counters', 'reservations_created', 1)
return {'ok', expires}
