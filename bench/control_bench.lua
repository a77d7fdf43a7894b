-- `make bench`, control stage: fm.tick(100000) with ten handlers registered (on_tick in four
-- mods, on_nth_tick 2, 3 and 5 in two more) against a hand-written loop in the same Lua calling
-- the same handler functions directly, with the same event tables. Prints one row of the
-- README's speed table: fm.tick's time and its ratio to the loop (target ≤ 3×).
--
--   lua5.2 bench/control_bench.lua [ticks]     (any Lua: the module comes from build/<lua>/)

local lua_dir = jit and "luajit" or ("lua" .. _VERSION:gsub("%D", ""))
package.cpath = "build/" .. lua_dir .. "/?.so;" .. package.cpath
local fm = require("factorio_mocks")

local TICKS = tonumber(arg and arg[1] or nil) or 100000
package.path = "bench/?.lua;" .. package.path
local PERIODS = { 2, 3, 5 }

local median = require("timing").median

-- Six small mods in a temporary folder; each keeps its handlers in HANDLERS for the hand loop.
local root = os.tmpname()
os.remove(root)
os.execute("mkdir -p '" .. root .. "'")
local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end
local mods = {}
for i = 1, 6 do
  local name = "bench-" .. i
  local dir = root .. "/" .. name
  os.execute("mkdir -p '" .. dir .. "'")
  write(dir .. "/info.json", ('{"name": "%s", "version": "1.0.0", "title": "b", "author": "b", "factorio_version": "2.0"}'):format(name))
  local control = "storage.n = 0\nHANDLERS = {nth = {}}\n"
  if i <= 4 then
    control = control .. "HANDLERS.tick = function(e) storage.n = storage.n + 1 end\n"
      .. "script.on_event(defines.events.on_tick, HANDLERS.tick)\n"
  else
    for _, p in ipairs(PERIODS) do
      control = control .. ("HANDLERS.nth[%d] = function(e) storage.n = storage.n + e.nth_tick end\n"):format(p)
        .. ("script.on_nth_tick(%d, HANDLERS.nth[%d])\n"):format(p, p)
    end
  end
  write(dir .. "/control.lua", control)
  mods[i] = dir
end

fm.setup{ stage = "control" }
local envs = {}
for i, dir in ipairs(mods) do envs[i] = fm.load_control(dir) end
os.execute("rm -rf '" .. root .. "'")

local on_tick = defines.events.on_tick
local ticks, nth = {}, {}
for _, env in ipairs(envs) do
  if env.HANDLERS.tick then ticks[#ticks + 1] = env.HANDLERS.tick end
  for p, f in pairs(env.HANDLERS.nth) do
    nth[p] = nth[p] or {}
    table.insert(nth[p], f)
  end
end

local function hand_loop()
  local n_ticks, n_periods = #ticks, #PERIODS
  for t = 1, TICKS do
    for i = 1, n_ticks do ticks[i]({ name = on_tick, tick = t }) end
    for j = 1, n_periods do
      local p = PERIODS[j]
      if t % p == 0 then
        local list = nth[p]
        for i = 1, #list do list[i]({ tick = t, nth_tick = p }) end
      end
    end
  end
end

local fm_time = median(function() fm.tick(TICKS) end)
local loop_time = median(hand_loop)
fm.teardown()

local ratio = fm_time / loop_time
print(("| %-58s | %8.1f ms | %6.3f× | %-8s | %-4s |"):format(
  ("5. fm.tick(%d), 10 handlers (hand loop: %.0f ms)"):format(TICKS, loop_time * 1000),
  fm_time * 1000, ratio, "≤ 3×", ratio <= 3 and "ok" or "OVER"))
