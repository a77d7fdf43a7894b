-- `make bench`: factorio-mocks against lua-cjson (and dkjson) on the same data in one process.
-- Data: ../shared/data/data-raw/space-age-2.0.77.json.gz, unpacked by the Makefile to
-- build/bench/space-age.json. Every figure is a ratio to cjson decoding that JSON here.

package.cpath = "build/lua52/?.so;" .. package.cpath
local cjson = require("cjson")
local ok_dk, dkjson = pcall(require, "dkjson")
local fm = require("factorio_mocks")

local JSON = arg[1] or "build/bench/space-age.json"
package.path = "bench/?.lua;" .. package.path
local RUNS = require("timing").RUNS
local text = assert(io.open(JSON, "rb"), "missing " .. JSON):read("*a")

local median = require("timing").median

local function heap_growth(f)
  collectgarbage("collect"); collectgarbage("collect")
  local before = collectgarbage("count")
  local keep = f()
  collectgarbage("collect"); collectgarbage("collect")
  local grown = collectgarbage("count") - before
  return grown, keep
end

local function materialize_all()
  local n = 0
  for _, prototypes in pairs(data.raw) do
    for _ in pairs(prototypes) do n = n + 1 end
  end
  return n
end

-- Warm the parsed-tree cache (the first load in a fresh cache parses the JSON once).
fm.setup{ stage = "data", dataset = JSON }
local prototypes = materialize_all()
fm.teardown()

local cjson_time = median(function() cjson.decode(text) end)
local dk_time = ok_dk and (function()
  local t0 = os.clock(); dkjson.decode(text); return os.clock() - t0
end)() or nil

local full = median(function()
  fm.setup{ stage = "data", dataset = JSON }
  materialize_all()
  fm.teardown()
end)

local first_read = median(function()
  fm.setup{ stage = "data", dataset = JSON }
  assert(data.raw.recipe["iron-gear-wheel"])
  fm.teardown()
end)

-- The same in a new process, where only the on-disk tree cache is warm.
local child = io.popen(("lua5.2 bench/fresh_process.lua %q"):format(JSON))
local fresh_process = tonumber(child:read("*a"))
child:close()

fm.setup{ stage = "data", dataset = JSON }
local resets = {}
for i = 1, RUNS do
  data.raw.recipe["iron-gear-wheel"].ingredients[1].amount = 3
  data.raw.item["iron-plate"].stack_size = 1
  data.raw.technology["automation"].enabled = false
  collectgarbage("collect")
  -- The first allocation after freeing a big heap makes glibc consolidate its free lists; that
  -- belongs to collecting the previous test's tables, not to reset, so it happens before timing.
  local _ = { {}, {}, string.rep("x", 4096) }
  local t0 = os.clock()
  fm.reset()
  resets[i] = os.clock() - t0
end
table.sort(resets)
local reset = resets[math.ceil(RUNS / 2)]
fm.teardown()

-- The game's load-time checks over the whole data.raw (what `dataset build` and
-- assert.prototypes_valid run), once the types are built.
fm.setup{ stage = "data", dataset = JSON }
materialize_all()
fm.validate(nil, "2.0.77") -- the description compiled into checkers, once per process
local validate = median(function() assert(fm.validate(nil, "2.0.77").ok) end)
fm.teardown()

local cjson_heap = heap_growth(function() return cjson.decode(text) end)
local fm_heap = heap_growth(function()
  fm.setup{ stage = "data", dataset = JSON }
  materialize_all()
  return data.raw
end)
fm.teardown()

local function row(name, seconds, target)
  local ratio = seconds / cjson_time
  local verdict = target and (ratio <= target and "ok" or "OVER") or ""
  print(("| %-58s | %8.1f ms | %6.3f× | %-8s | %-4s |"):format(name, seconds * 1000, ratio, target and ("≤ " .. target .. "×") or "", verdict))
end

print(("%s: %d prototypes, %.1f MB of JSON; %s, median of %d runs"):format(JSON, prototypes, #text / 1e6, _VERSION, RUNS))
print("| measurement                                                |      time  | ratio   | target   |      |")
print("|------------------------------------------------------------|-----------:|--------:|----------|------|")
row("lua-cjson: decode the JSON (the reference)", cjson_time)
if dk_time then row("dkjson: decode the JSON (context)", dk_time) end
row("1. full materialization of data.raw as Lua tables", full, 0.5)
row("2. setup up to data.raw.recipe['iron-gear-wheel']", first_read, 0.05)
row("2'. the same in a new process (disk tree cache only)", fresh_process)
row("3. fm.reset() after a test changed three types", reset, 0.01)
row("3'. fm.validate() of the whole data.raw (context)", validate)
print(("| %-58s | %8.1f MB | %6.3f× | %-8s | %-4s |"):format("4. Lua heap after full materialization (cjson: " .. ("%.1f MB)"):format(cjson_heap / 1024),
  fm_heap / 1024, fm_heap / cjson_heap, "≤ 1.2×", fm_heap / cjson_heap <= 1.2 and "ok" or "OVER"))
