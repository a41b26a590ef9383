-- Shared by the benchmark's wrk scripts: the data file prepare.py writes ("kind<TAB>value" a
-- line) and status counts gathered from every thread (wrk gives each thread its own Lua state).
local M = {}

function M.load(path)
  local data, f = {}, io.open(path)
  if not f then error("cannot open data file " .. tostring(path)) end
  for line in f:lines() do
    local kind, value = line:match("^([^\t]+)\t(.*)$")
    if kind then
      data[kind] = data[kind] or {}
      table.insert(data[kind], value)
    end
  end
  f:close()
  return data
end

function M.pick(list)
  return list[math.random(#list)]
end

-- setup/response/done for counting answers by status; a thread's counts go to `done` through
-- thread:get.
local threads = {}
function M.setup(thread)
  table.insert(threads, thread)
  thread:set("thread_no", #threads)
end

function M.seed()
  math.randomseed(os.time() * 1000 + (thread_no or 0) * 7919)
  for _ = 1, 10 do math.random() end
end

counts = {}
function M.response(status)
  counts[status] = (counts[status] or 0) + 1
end

function M.done()
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("counts") or {}) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts, by_class = {}, { 0, 0, 0, 0, 0 }
  for status, n in pairs(total) do
    table.insert(parts, status .. "=" .. n)
    local class = math.floor(status / 100)
    if class >= 1 and class <= 5 then by_class[class] = by_class[class] + n end
  end
  table.sort(parts)
  io.write(string.format("STATUS 2xx=%d 3xx=%d 4xx=%d 5xx=%d [%s]\n",
    by_class[2], by_class[3], by_class[4], by_class[5], table.concat(parts, " ")))
end

return M
