-- `make bench`, the mods under test: fm.setup{stage = "control", load_mods = …} of flib and
-- Tapeline (published mods, ../shared/real-mods), the first time in the process (their settings
-- and data stages run) and again (the result is kept by content), each against the same mods'
-- control.lua loaded by hand over the built-in dataset (`fm.setup{stage = "control"}`,
-- `fm.add_mod`, `fm.load_control`: the floor, since the game runs control.lua on every load) in
-- the same run. Prints two rows of the README's speed table (target for the second: ≤ 2×).
--
--   lua5.2 bench/load_mods_bench.lua [real-mods folder]

local lua_dir = jit and "luajit" or ("lua" .. _VERSION:gsub("%D", ""))
package.cpath = "build/" .. lua_dir .. "/?.so;" .. package.cpath
package.path = "bench/?.lua;" .. package.path
local fm = require("factorio_mocks")
local median = require("timing").median

local root = arg and arg[1] or "../shared/real-mods"
local load_mods = { root .. "/flib", root .. "/Tapeline" }
local f = io.open(root .. "/Tapeline/info.json")
if not f then
  print("load_mods: skipped (" .. root .. " not found)")
  return
end
f:close()

local builtin = median(function()
  fm.setup{ stage = "control" }
  fm.add_mod(load_mods[1])
  fm.load_control(load_mods[2])
end)
local t0 = os.clock()
fm.setup{ stage = "control", load_mods = load_mods }
local first = os.clock() - t0
local again = median(function() fm.setup{ stage = "control", load_mods = load_mods } end)
fm.teardown()

print(("| 6. `fm.setup{stage = \"control\", load_mods = {flib, Tapeline}}`, first in the process | %.1f ms | %.1f× the built-in setup with the same control.lua files (%.2f ms) |")
  :format(first * 1000, first / builtin, builtin * 1000))
print(("| 7. the same setup again (kept by content) | %.2f ms | %.2f× the same (target ≤ 2×) |")
  :format(again * 1000, again / builtin))
