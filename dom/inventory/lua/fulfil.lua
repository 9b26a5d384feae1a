-- Units shipped. ARGV[4] fc, ARGV[5] sku, ARGV[6] qty.
-- Returns {'ok', row} | {'over', allocated} | {'unknown_node' | 'unknown_sku'}.
local fc, sku, qty = ARGV[4], ARGV[5], tonumber(ARGV[6])
if not is_node(fc) then return {'unknown_node'} end
if not is_sku(sku) then return {'unknown_sku'} end
local key = stock_key(sku)
local allocated = num(redis.call('HGET', key, 'al:' .. fc))
if allocated < qty then return {'over', allocated} end
redis.call('HINCRBY', key, 'al:' .. fc, -qty)
redis.call('HINCRBY', key, 'oh:' .. fc, -qty)
return {'ok', row(fc, sku)}
