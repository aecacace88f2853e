-- Replays pre-signed requests from WRK_REQUESTS, one per line: path TAB signature TAB
-- idempotency token TAB form body. Of WRK_THREADS threads, thread k takes lines k, k+n, ...
--
-- Unpaced (maximum load): each connection sends its next request as soon as the last is answered.
-- Paced (WRK_RATE set, one connection per thread): each thread sends WRK_RATE requests/s on a
-- fixed schedule (open loop), and a request's latency runs from the moment it was DUE, not from
-- when it went out: a slow reply that holds up the requests behind it is charged to them too
-- (wrk alone would leave that wait out, "coordinated omission").
--
-- At the end, WRK_REPORT gets per thread "lines N" and "sent N" (more sent than lines means
-- requests were repeated), "errors N" (non-200 answers, paced runs only) and, in paced runs,
-- one "latency MS" per reply.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local function load_requests(path, nthreads)
  local loaded = {}
  local index = 0
  for line in io.lines(path) do
    if index % nthreads == id - 1 then
      local target, signature, token, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
      table.insert(loaded, wrk.format("POST", target, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = signature,
        ["I-Twilio-Idempotency-Token"] = token,
      }, body))
    end
    index = index + 1
  end
  return loaded
end

function init(args)
  nthreads = tonumber(os.getenv("WRK_THREADS"))
  requests = load_requests(os.getenv("WRK_REQUESTS"), nthreads)
  lines = #requests
  verifying = id == 1
  sent = 0
  latencies = {}
  errors = 0
  rate = tonumber(os.getenv("WRK_RATE") or "0")
end

function request()
  if verifying then
    -- wrk calls request() once on its first thread before the run, only to check the script:
    -- answer without using up a line or a slot in the schedule.
    verifying = false
    return requests[1]
  end
  if rate > 0 then
    if due == nil then due = now_ms() end
    started = math.min(now_ms(), due)
  end
  sent = sent + 1
  return requests[(sent - 1) % #requests + 1]
end

if os.getenv("WRK_RATE") then
  function delay()
    local now = now_ms()
    local interval = 1000 / rate
    if due == nil then
      -- Threads start a fraction of an interval apart, so that together they send evenly.
      due = now + interval * (id - 1) / nthreads
    else
      due = due + interval
    end
    -- wrk's timer counts whole milliseconds: round down and send at most 1 ms early, which
    -- `started` then measures from (sending late would be charged as latency instead).
    return math.max(0, math.floor(due - now))
  end

  function response(status, headers, body)
    latencies[#latencies + 1] = now_ms() - started
    if status ~= 200 then errors = errors + 1 end
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("WRK_REPORT"), "w"))
  for _, thread in ipairs(threads) do
    out:write(string.format("lines %d\n", thread:get("lines")))
    out:write(string.format("sent %d\n", thread:get("sent")))
    out:write(string.format("errors %d\n", thread:get("errors")))
    for _, ms in ipairs(thread:get("latencies")) do
      out:write(string.format("latency %.3f\n", ms))
    end
  end
  out:close()
end
