-- max(0, available) per enabled node with a row, for each SKU in ARGV[4..].
-- Returns {'ok', {fc, units, fc, units, ...} per SKU} | {'unknown_sku', index}.
sweep(now_ms())
for i = 4, #ARGV do
  if not is_sku(ARGV[i]) then return {'unknown_sku', i - 4} end
end
local enabled = {}
local nodes = redis.call('HGETALL', P .. 'nodes')
for i = 1, #nodes, 2 do enabled[nodes[i]] = nodes[i + 1] == '1' end
local out = {}
for i = 4, #ARGV do
  local fields = redis.call('HGETALL', stock_key(ARGV[i]))
  local free, order = {}, {}
  for j = 1, #fields, 2 do
    local kind, fc = string.sub(fields[j], 1, 2), string.sub(fields[j], 4)
    if enabled[fc] then
      if free[fc] == nil then
        free[fc] = 0
        table.insert(order, fc)
      end
      local v = tonumber(fields[j + 1])
      if kind == 'oh' then free[fc] = free[fc] + v
      elseif kind ~= 'rp' then free[fc] = free[fc] - v end
    end
  end
  local flat = {}
  for _, fc in ipairs(order) do
    table.insert(flat, fc)
    table.insert(flat, math.max(0, free[fc]))
  end
  table.insert(out, flat)
end
return {'ok', out}
