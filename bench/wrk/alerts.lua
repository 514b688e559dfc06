-- wrk script: POST a new alert per request (a unique dispatch incident id, occurred_at now).
-- Env: BENCH_TOKEN (bearer), BENCH_BODY (JSON with "@INCIDENT@" and "@OCCURRED@" holes).
-- Prints one line "statuses 201=N other=M" at the end; a non-201 is a failed alert.
local threads = {}
local token = os.getenv("BENCH_TOKEN")
local template = os.getenv("BENCH_BODY")
local prefix = os.getenv("BENCH_PREFIX") or "W"

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  created = 0
  other = 0
  headers = {["Content-Type"] = "application/json"}
  if token then headers["Authorization"] = "Bearer " .. token end
end

function request()
  counter = counter + 1
  local incident = string.format("%s-%d-%d", prefix, id, counter)
  local body = template:gsub("@INCIDENT@", incident):gsub("@OCCURRED@", os.date("!%Y-%m-%dT%H:%M:%SZ"))
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("created")
    bad = bad + thread:get("other")
  end
  io.write(string.format("statuses 201=%d other=%d\n", ok, bad))
end
