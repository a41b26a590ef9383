-- wrk script: the search of issue 14. On every request a query of one to three words of one
-- language, drawn as the generator writes its texts (half English, a tenth each of French,
-- Spanish, Russian, Arabic and Chinese), from WORDS_FILE (bench/queries/search_words.tsv,
-- "lang<TAB>word" lines of words the generator writes), with random filters: none (a third),
-- a country, an SDG goal or a stage (each a sixth), or a country and a stage (a sixth); 20 a
-- page. The countries and SDG goals come from DATA_FILE (prepare.py gather); the token with
-- wrk's -H like any header.
--   wrk ... -s bench/search.lua http://HOST:PORT/api/v1/initiatives -- DATA_FILE WORDS_FILE
package.path = (debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")
local data, words, prefix

setup = common.setup

-- The languages by weight: one draw of ten.
local languages = { "en", "en", "en", "en", "en", "fr", "es", "ru", "ar", "zh" }
local stages = { "understand_context", "agree_vision", "agree_purpose", "agree_objectives",
  "agree_resources", "structure", "sign_agreement", "implementing", "reviewing", "sustaining",
  "closed", "discontinued" }

-- Percent-encodes every byte but the unreserved ones (UTF-8 passes byte by byte).
local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  common.seed()
  data = common.load(args[1])
  words = common.load(args[2])
  for _, lang in ipairs(languages) do
    if not words[lang] then error("no " .. lang .. " words in " .. tostring(args[2])) end
  end
  prefix = wrk.path:gsub("/$", "")
end

local function query()
  local pool = words[common.pick(languages)]
  local q = {}
  for i = 1, math.random(3) do q[i] = encode(common.pick(pool)) end
  return table.concat(q, "%20")
end

local function filters()
  local f = math.random(6)
  if f <= 2 then return "" end
  if f == 3 then return "&country=" .. common.pick(data.country) end
  if f == 4 then return "&sdg=" .. common.pick(data.sdg) end
  if f == 5 then return "&stage=" .. common.pick(stages) end
  return "&country=" .. common.pick(data.country) .. "&stage=" .. common.pick(stages)
end

function request()
  return wrk.format("GET", string.format("%s?q=%s%s&per_page=20", prefix, query(), filters()))
end

response = common.response
done = common.done
