-- Cycles through pre-signed requests (one per line: path TAB signature TAB token TAB body),
-- each wrk thread taking every Nth line, and paces itself when WRK_DELAY_MS is set.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
  delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
  requests = {}
  local index = 0
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    if index % nthreads == id - 1 then
      local path, sig, token, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
      table.insert(requests, wrk.format("POST", path, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = sig,
        ["I-Twilio-Idempotency-Token"] = token,
      }, body))
    end
    index = index + 1
  end
  position = 0
  wrapped = 0
end

function request()
  position = position + 1
  if position > #requests then
    position = 1
    wrapped = wrapped + 1
  end
  return requests[position]
end

function delay()
  return delay_ms
end
