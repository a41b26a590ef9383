-- wrk script: one initiative by id, a different random id on every request (ids from the data
-- file prepare.py wrote). The token comes with wrk's -H like any header.
--   wrk ... -s bench/get_random.lua http://HOST:PORT/api/v1/initiatives -- DATA_FILE [pid]
-- "pid" picks among the public ids instead of the member's (for anonymous callers).
package.path = (debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local ids, prefix

setup = common.setup

function init(args)
  common.seed()
  ids = common.load(args[1])[args[2] or "id"]
  prefix = wrk.path:gsub("/$", "")
end

function request()
  return wrk.format("GET", prefix .. "/" .. common.pick(ids))
end

response = common.response
done = common.done
