-- wrk script: portal traffic, many different URLs picked at random on every request, from the
-- ids, codes and words prepare.py gathered into DATA_FILE:
--   wrk ... -s bench/mixed.lua http://HOST:PORT -- DATA_FILE TOKEN
-- Out of 100 requests:
--   30 member lists: 20 or 50 a page, page 1-5, by a random country, action line or SDG goal
--   10 member searches: one or two random words from the titles, 20 a page
--   20 member details of a random id; 10 the partners of a random id
--   20 anonymous public lists: page 1-5, unfiltered or by a random country, or a search
--   10 anonymous details of a random public id
package.path = (debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local data, member, anonymous

setup = common.setup

function init(args)
  common.seed()
  data = common.load(args[1])
  member = { Authorization = "Bearer " .. args[2] }
  anonymous = {}
end

local api = "/api/v1/initiatives"
local filters = { "country", "action_line", "sdg" }

local function get(path, headers)
  local h = {}
  for k, v in pairs(headers) do h[k] = v end
  return wrk.format("GET", path, h)
end

function request()
  local r, pick = math.random(100), common.pick
  if r <= 30 then
    local f = pick(filters)
    return get(string.format("%s?%s=%s&per_page=%d&page=%d", api, f, pick(data[f]),
      pick({ 20, 50 }), math.random(5)), member)
  elseif r <= 40 then
    local q = pick(data.word)
    if math.random(2) == 1 then q = q .. "%20" .. pick(data.word) end
    return get(string.format("%s?q=%s&per_page=20", api, q), member)
  elseif r <= 60 then
    return get(api .. "/" .. pick(data.id), member)
  elseif r <= 70 then
    return get(api .. "/" .. pick(data.id) .. "/partners", member)
  elseif r <= 90 then
    local s = math.random(4)
    if s == 1 then
      return get(string.format("%s?per_page=50&page=%d", api, math.random(5)), anonymous)
    elseif s == 2 then
      return get(string.format("%s?q=%s&per_page=20", api, pick(data.word)), anonymous)
    end
    return get(string.format("%s?country=%s&per_page=50&page=%d", api, pick(data.country),
      math.random(5)), anonymous)
  end
  return get(api .. "/" .. pick(data.pid), anonymous)
end

response = common.response
done = common.done
