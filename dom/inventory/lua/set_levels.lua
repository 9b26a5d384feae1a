-- Absolute levels, all rows or none. ARGV[4] JSON [[fc, sku, on_hand, safety_stock or -1], ...].
-- Returns {'ok', {row, ...}} | {'unknown_node' | 'unknown_sku', row index}.
local rows = cjson.decode(ARGV[4])
for i, r in ipairs(rows) do
  if not is_node(r[1]) then return {'unknown_node', i - 1} end
  if not is_sku(r[2]) then return {'unknown_sku', i - 1} end
end
local out = {}
for _, r in ipairs(rows) do
  redis.call('HSET', stock_key(r[2]), 'oh:' .. r[1], r[3])
  if r[4] >= 0 then redis.call('HSET', stock_key(r[2]), 'ss:' .. r[1], r[4]) end
  mark_restock(r[1], r[2])
  table.insert(out, row(r[1], r[2]))
end
return {'ok', out}
