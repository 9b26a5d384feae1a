-- Apply on_hand and allocated changes all or none, once per op id. ARGV[4] op id, ARGV[5] how long
-- to remember it (s), ARGV[6] JSON [[fc, sku, on_hand_delta, allocated_delta], ...].
-- Returns {'ok'} | {'done'} (applied before) | {'over', index, delta, allocated}
--       | {'unknown_node' | 'unknown_sku', index}.
local okey = P .. 'op:' .. ARGV[4]
if redis.call('EXISTS', okey) == 1 then return {'done'} end
local items = cjson.decode(ARGV[6])
for i, it in ipairs(items) do
  if not is_node(it[1]) then return {'unknown_node', i - 1} end
  if not is_sku(it[2]) then return {'unknown_sku', i - 1} end
  local allocated = num(redis.call('HGET', stock_key(it[2]), 'al:' .. it[1]))
  if allocated + it[4] < 0 then return {'over', i - 1, it[4], allocated} end
end
for _, it in ipairs(items) do
  local key = stock_key(it[2])
  if it[3] ~= 0 then redis.call('HINCRBY', key, 'oh:' .. it[1], it[3]) end
  if it[4] ~= 0 then redis.call('HINCRBY', key, 'al:' .. it[1], it[4]) end
  mark_restock(it[1], it[2])
end
redis.call('SET', okey, '1', 'EX', ARGV[5])
return {'ok'}
