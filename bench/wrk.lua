-- Spread requests over the paths listed (one a line) in the file named by BENCH_PATHS,
-- each thread starting at its own place, and print the figures as one JSON line.
-- BENCH_ACCEPT_ENCODING, when set, is sent as the Accept-Encoding header (browsers send
-- "gzip, deflate, br, zstd").
local headers = {}
local accept_encoding = os.getenv("BENCH_ACCEPT_ENCODING")
if accept_encoding and accept_encoding ~= "" then headers["Accept-Encoding"] = accept_encoding end
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end

local threads = 0
function setup(thread)
  thread:set("start", threads * 7919)
  threads = threads + 1
end

local counter = 0
function init(args)
  counter = start or 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
