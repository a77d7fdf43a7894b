-- `make bench`, per test: the 500-test busted suites of bench/suites/ (a data-stage one and a
-- control-stage one, as a mod author writes them) against busted's own floor, 500 empty tests,
-- each run in a new busted process under /usr/bin/time: CPU (user + system) per test above the
-- floor, and peak memory (the process's largest resident set, and the Lua heap at the largest
-- test end). Prints rows of the README's speed table.
--
--   lua5.2 bench/suites.lua [lua ...]     (default: lua5.2 and luajit; BENCH_RUNS runs each)

package.path = "bench/?.lua;" .. package.path
local RUNS = require("timing").RUNS
local TESTS = tonumber(os.getenv("BENCH_TESTS") or "500")
local luas = { ... }
if #luas == 0 then luas = { "lua5.2", "luajit" } end

local function sh(command)
  local p = io.popen(command)
  local out = p:read("*a")
  p:close()
  return out
end
local busted = sh("command -v busted"):match("%S+") or "/usr/bin/busted"

local function module_dir(lua)
  return sh(lua .. [[ -e 'io.write(jit and "luajit" or "lua" .. _VERSION:gsub("%D", ""))' 2>/dev/null]])
end

-- One run of a suite: CPU seconds, peak resident set (KB), the Lua heap's largest test end (KB).
local function run_once(lua, dir, suite)
  local heap = os.tmpname()
  local out = sh(("BENCH_TESTS=%d BENCH_HEAP=%s /usr/bin/time -f 'TIME %%U %%S %%M' %s %s --cpath='build/%s/?.so' -o plainTerminal bench/suites/%s_spec.lua 2>&1")
    :format(TESTS, heap, lua, busted, dir, suite))
  local user, system, rss = out:match("TIME (%S+) (%S+) (%d+)")
  local ok = out:match("(%d+) successes? / 0 failures / 0 errors")
  if not (user and ok and tonumber(ok) == TESTS) then
    error(("bench/suites/%s_spec.lua under %s did not pass:\n%s"):format(suite, lua, out), 0)
  end
  local f = io.open(heap)
  local heap_kb = f and tonumber(f:read("*a")) or 0
  if f then f:close() end
  os.remove(heap)
  return tonumber(user) + tonumber(system), tonumber(rss), heap_kb
end

-- The median of RUNS runs, interleaved with the floor's so both see the same machine.
local function median(list)
  table.sort(list)
  return list[math.ceil(#list / 2)]
end
local function measure(lua, suites)
  local dir = module_dir(lua)
  local samples = {}
  for _, suite in ipairs(suites) do samples[suite] = { cpu = {}, rss = {}, heap = {} } end
  for _ = 1, RUNS do
    for _, suite in ipairs(suites) do
      local cpu, rss, heap = run_once(lua, dir, suite)
      local s = samples[suite]
      s.cpu[#s.cpu + 1], s.rss[#s.rss + 1], s.heap[#s.heap + 1] = cpu, rss, heap
    end
  end
  local out = {}
  for suite, s in pairs(samples) do
    out[suite] = { cpu = median(s.cpu), rss = median(s.rss) / 1024, heap = median(s.heap) / 1024 }
  end
  return out
end

local function row(name, figure, ratio, target, ok)
  print(("| %-68s | %-10s | %7s | %-9s | %-4s |"):format(name, figure, ratio, target,
    ok == nil and "" or (ok and "ok" or "OVER")))
end

local WHAT = {
  data = "data stage: setup, read 3 prototypes, change one",
  control = "control stage: setup, control-mod, fm.init(), a player, 60 ticks",
}
print(("| %-68s | %-10s | %7s | %-9s | %-4s |"):format(("busted suites of %d tests, per test"):format(TESTS),
  "figure", "× floor", "target", ""))
print("|----------------------------------------------------------------------|------------|--------:|-----------|------|")
local number = 8
for _, lua in ipairs(luas) do
  local suites = lua == "lua5.2" and { "empty", "data", "control" } or { "empty", "control" }
  local m = measure(lua, suites)
  local floor = m.empty
  local floor_per_test = floor.cpu / TESTS * 1000
  for _, suite in ipairs({ "data", "control" }) do
    local s = m[suite]
    if s then
      local per_test = (s.cpu - floor.cpu) / TESTS * 1000
      local limit = suite == "data" and 1.5 or 3
      local what = lua == "lua5.2" and WHAT[suite] or ("the " .. suite .. " suite on " .. lua)
      row(("%d. %s: CPU above the floor"):format(number, what), ("%.2f ms"):format(per_test),
        ("%.1f×"):format(per_test / floor_per_test), ("≤ %s ms"):format(limit), per_test <= limit)
      row(("%d'. peak resident memory (Lua heap at a test's end: %.0f MB)"):format(number, s.heap),
        ("%.0f MB"):format(s.rss), ("%.1f×"):format(s.rss / floor.rss),
        suite == "control" and "≤ 100 MB" or "", suite == "control" and s.rss <= 100 or nil)
      number = number + 1
    end
  end
  print(("  (%s, median of %d runs; the floor, %d empty tests: %.0f ms CPU, %.0f MB peak)"):format(
    lua, RUNS, TESTS, floor.cpu * 1000, floor.rss))
end
