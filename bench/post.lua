-- wrk script: POSTs one JSON body, read from the file named after `--`, to the URL (for
-- /graphql): wrk ... -s bench/post.lua http://HOST:PORT/graphql -- bench/queries/gql_list.json
function init(args)
  local f = io.open(args[1])
  if not f then error("cannot open body file " .. tostring(args[1])) end
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
