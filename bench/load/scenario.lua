-- Pressroom load scenario for wrk: 60 % article pages, 20 % lists, 10 % search,
-- 10 % feeds, the feeds asked conditionally (If-None-Match with the ETag of an earlier
-- answer for the same feed), as feed readers do.
--
-- Usage (bench/load/run.py does all this):
--   wrk -t N -c N -d 60s --latency -s bench/load/scenario.lua URL -- PATHS_FILE
-- PATHS_FILE holds one "kind<TAB>path<TAB>etag" per line, kind being article, list,
-- search or feed; etag (for feeds) is what an earlier visit was answered, or empty.
-- Threads must equal connections: each thread then drives one connection, so every
-- answer belongs to the thread's last request, which the ETag bookkeeping relies on.
-- At the end one line "PRESSROOM-RESULT {json}" sums everything up for run.py.

local KINDS = { "article", "list", "search", "feed" }
-- Cumulative percentages of the mix above.
local SHARES = { article = 60, list = 80, search = 90, feed = 100 }

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

local function load_paths(file)
   local paths = { article = {}, list = {}, search = {}, feed = {} }
   local known = {}
   for line in io.lines(file) do
      local kind, path, etag = line:match("^(%a+)\t([^\t]+)\t?(.*)$")
      if kind and paths[kind] then
         table.insert(paths[kind], path)
         if etag ~= "" then
            known[path] = etag
         end
      end
   end
   for _, kind in ipairs(KINDS) do
      if #paths[kind] == 0 then
         error("no " .. kind .. " paths in " .. file)
      end
   end
   return paths, known
end

function init(args)
   math.randomseed(os.time() * 1000 + id)
   paths, etags = load_paths(args[1])
   sent = { article = 0, list = 0, search = 0, feed = 0 }
   conditional = 0
   statuses = {}
   unexpected = 0
   bad = ""
end

local function pick_kind()
   local roll = math.random(100)
   for _, kind in ipairs(KINDS) do
      if roll <= SHARES[kind] then
         return kind
      end
   end
end

function request()
   local kind = pick_kind()
   local choices = paths[kind]
   local path = choices[math.random(#choices)]
   last_kind, last_path = kind, path
   sent[kind] = sent[kind] + 1
   -- wrk.format copies only Host from wrk.headers when given a table: copy them all
   -- (-H options such as X-Forwarded-Proto).
   local headers = {}
   for name, value in pairs(wrk.headers) do
      headers[name] = value
   end
   if kind == "feed" and etags[path] then
      headers["If-None-Match"] = etags[path]
      conditional = conditional + 1
   end
   return wrk.format("GET", path, headers)
end

function response(status, headers, body)
   local code = tostring(status)
   statuses[code] = (statuses[code] or 0) + 1
   if last_kind == "feed" and status == 200 then
      local etag = headers["ETag"] or headers["Etag"] or headers["etag"]
      if etag then
         etags[last_path] = etag
      end
   end
   if status ~= 304 and (status < 200 or status > 299) then
      unexpected = unexpected + 1
      if #bad < 2000 then
         bad = bad .. code .. " " .. last_path .. "\n"
      end
   end
end

local function json_string(text)
   return '"' .. text:gsub('[%c"\\]', function(c)
      return string.format("\\u%04x", c:byte())
   end) .. '"'
end

function done(summary, latency, requests)
   local totals = { article = 0, list = 0, search = 0, feed = 0 }
   local codes, conditional_sent, unexpected_total, bad_paths = {}, 0, 0, ""
   for _, thread in ipairs(threads) do
      for kind, count in pairs(thread:get("sent")) do
         totals[kind] = totals[kind] + count
      end
      for code, count in pairs(thread:get("statuses")) do
         codes[code] = (codes[code] or 0) + count
      end
      conditional_sent = conditional_sent + thread:get("conditional")
      unexpected_total = unexpected_total + thread:get("unexpected")
      bad_paths = bad_paths .. thread:get("bad")
   end
   local sent_parts, code_parts = {}, {}
   for _, kind in ipairs(KINDS) do
      table.insert(sent_parts, string.format('"%s":%d', kind, totals[kind]))
   end
   for code, count in pairs(codes) do
      table.insert(code_parts, string.format('"%s":%d', code, count))
   end
   local errors = summary.errors
   io.write(string.format(
      'PRESSROOM-RESULT {"requests":%d,"duration_us":%d,"bytes":%d,'
         .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
         .. '"status_errors":%d,"unexpected":%d,"statuses":{%s},"sent":{%s},'
         .. '"conditional":%d,"latency_us":{"p50":%d,"p95":%d,"p99":%d,"max":%d},'
         .. '"bad":%s}\n',
      summary.requests, summary.duration, summary.bytes,
      errors.connect, errors.read, errors.write, errors.timeout,
      errors.status, unexpected_total, table.concat(code_parts, ","),
      table.concat(sent_parts, ","), conditional_sent,
      latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
      json_string(bad_paths)
   ))
end
