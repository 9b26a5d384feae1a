-- Commit, release or look up one reservation. ARGV[4] id, ARGV[5] 'committed' | 'released' |
-- 'get'. A hold past its expiry is expired here first, whatever the action.
-- Returns {} when unknown, else {state after the call, expires_at_ms, items JSON}.
local id, action = ARGV[4], ARGV[5]
local rkey = res_key(id)
local rec = redis.call('HMGET', rkey, 'state', 'expires_at', 'items')
if not rec[1] then return {} end
if rec[1] ~= 'held' then return rec end
if tonumber(rec[2]) <= now_ms() then
  unreserve(rec[3], false)
  finish(rkey, id, 'expired')
  return {'expired', rec[2], rec[3]}
end
if action == 'get' then return rec end
unreserve(rec[3], action == 'committed')
finish(rkey, id, action)
return {action, rec[2], rec[3]}
