-- Finish or abandon an Idempotency-Key claim, only if this caller's pending marker still holds it.
-- ARGV[4] key, ARGV[5] token, ARGV[6] record ('' to abandon), ARGV[7] record ttl in ms.
local key = P .. 'idem:' .. ARGV[4]
if redis.call('GET', key) ~= 'P:' .. ARGV[5] then return 0 end
if ARGV[6] == '' then
  redis.call('DEL', key)
else
  redis.call('SET', key, ARGV[6], 'PX', ARGV[7])
end
return 1
