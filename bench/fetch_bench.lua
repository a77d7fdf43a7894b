-- The fetch figures of `make bench`, run by bench/fetch_bench.sh against its loopback registry:
-- curl fetching the manifest and blobs, fm.fetch into an empty cache (cold) and into a filled
-- one (warm), as a markdown table with the ratios the issue sets (cold <= 1.3x curl, warm <=
-- 0.02x cold). Wall time comes from `date +%s%N` (Lua has no wall clock below a second); its
-- own cost is measured and taken off.
--
-- usage: lua fetch_bench.lua CPATH REFERENCE WORKDIR RUNS  (WORKDIR/urls lists curl's URLs)

local cpath, reference, work, runs = arg[1], arg[2], arg[3], tonumber(arg[4] or "7")
package.cpath = cpath .. ";" .. package.cpath
local fm = require("factorio_mocks")

local function now_ns()
  local p = assert(io.popen("date +%s%N"))
  local t = tonumber(p:read("*l"))
  p:close()
  return t
end

local clock_cost
do
  local c = {}
  for i = 1, 5 do
    local a = now_ns(); local b = now_ns(); c[i] = b - a
  end
  table.sort(c)
  clock_cost = c[3]
end

-- Every timed part starts with the disk written back: the files the last one wrote are
-- otherwise flushed during the next, whichever it is.
local function wall(f)
  os.execute("sync")
  local t0 = now_ns()
  f()
  return math.max(0, now_ns() - t0 - clock_cost) / 1e6
end

local function median(list)
  table.sort(list)
  return list[math.ceil(#list / 2)]
end

local urls = {}
for line in io.lines(work .. "/urls") do urls[#urls + 1] = line end

local function sh(cmd)
  local ok = os.execute(cmd)
  assert(ok == true or ok == 0, "failed: " .. cmd)
end

-- curl: every URL in one process (one connection reused), each into its own file.
local function curl_cmd(dir)
  local parts = { "curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json'" }
  for i, u in ipairs(urls) do parts[#parts + 1] = string.format("-o %s/%d '%s'", dir, i, u) end
  return table.concat(parts, " ")
end

-- Interleaved, so the registry's and the machine's drift during the run hits every column alike.
local curl, curl_tar, inflate, cold = {}, {}, {}, {}
local bytes = 0
local last_cache, path
for i = 1, runs do
  local dir = string.format("%s/curl-%d", work, i)
  sh("mkdir -p " .. dir)
  curl[i] = wall(function() sh(curl_cmd(dir)) end)
  -- The same download plus what a dataset needs done to it: unpack the folder layers.
  local dir2 = dir .. "-tar"
  sh("mkdir -p " .. dir2 .. "/out")
  curl_tar[i] = wall(function()
    sh(curl_cmd(dir2))
    for n = 2, #urls do
      os.execute(string.format("tar -xzf %s/%d -C %s/out 2>/dev/null", dir2, n, dir2))
    end
  end)
  -- The floor of any client that unpacks: the layers' inflate alone (gzip, to /dev/null), which
  -- cannot start before the bytes arrive nor run faster than one core inflates one stream.
  inflate[i] = wall(function()
    for n = 2, #urls do os.execute(string.format("gzip -dc < %s/%d > /dev/null 2>&1", dir, n)) end
  end)
  if i == 1 then
    for n = 1, #urls do
      local f = assert(io.open(string.format("%s/%d", dir, n), "rb"))
      bytes = bytes + f:seek("end")
      f:close()
    end
  end
  last_cache = string.format("%s/cache-%d", work, i)
  cold[i] = wall(function() path = fm.fetch(reference, { cache_dir = last_cache, progress = false }) end)
end

-- Warm: everything cached and the tag fresh; many calls, so the clock's cost vanishes.
local calls = 200
local warm_total = wall(function()
  for _ = 1, calls do fm.fetch(reference, { cache_dir = last_cache }) end
end)
local warm = warm_total / calls

local unpacked
do
  local p = io.popen("du -sb '" .. path .. "' | cut -f1")
  unpacked = tonumber(p:read("*l")) or 0
  p:close()
end

-- Each run's own ratio too (before `median` sorts the lists): the spread the noise leaves.
local paired = {}
for i = 1, runs do paired[i] = cold[i] / curl[i] end
table.sort(paired)
local c, ct, k, inf = median(curl), median(curl_tar), median(cold), median(inflate)
print(string.format("\n### Fetch: Space Age dataset from a loopback registry (%s)\n", _VERSION))
print(string.format("%.1f MB of manifest and blobs, %.1f MB unpacked; median of %d runs (warm: mean of %d calls)\n", bytes / 1e6, unpacked / 1e6, runs, calls))
print("| what | time | ratio | target |")
print("| --- | ---: | ---: | --- |")
print(string.format("| curl: manifest + %d blobs, one process | %.1f ms | 1.00× curl | |", #urls - 1, c))
print(string.format("| curl + `tar -xzf` of the folder layers | %.1f ms | %.2f× curl | (same work as a cold fetch) |", ct, ct / c))
print(string.format("| curl + inflate of the folder layers (`gzip -dc`, no files written): the floor | %.1f ms | %.2f× curl | |", c + inf, (c + inf) / c))
print(string.format("| fm.fetch, cold (empty cache) | %.1f ms | %.2f× curl (runs: %.2f–%.2f×) | ≤ 1.3× curl %s |", k, k / c, paired[1], paired[#paired], k / c <= 1.3 and "✓" or "✗"))
print(string.format("| fm.fetch, cold, against the floor | | %.2f× the floor | |", k / (c + inf)))
print(string.format("| fm.fetch, warm (cached, tag fresh) | %.3f ms | %.4f× cold | ≤ 0.02× cold %s |", warm, warm / k, warm / k <= 0.02 and "✓" or "✗"))
