-- Finds the modules the game generates at build time and its public Lua copy lacks, by running
-- the game's settings and data stages from that copy; prints one `__mod__/path` per line
-- (fixtures/vanilla/placeholders.txt; scripts/pack-game-lua.py turns them into placeholders).
--
--   lua5.2 scripts/find-placeholders.lua <factorio-data folder> [mod …]
--
-- Needs the built module on package.cpath (make build LUA=lua5.2). A missing module under a
-- mod's graphics/, sound/ or menu-simulations/ folder is recorded and answered with the
-- placeholder; any other missing module stops the run, as it would stop the game.
local dir = assert(arg[1], "usage: find-placeholders.lua <factorio-data folder>")
package.cpath = "build/lua52/?.so;" .. package.cpath
local fm = require("factorio_mocks")
local GENERATED = { "^graphics/", "^sound/", "^menu%-simulations/" }
local PLACEHOLDER = "return {width = 1, height = 1, shift = {0, 0}, line_length = 1, frames = 1}"
local found, seen = {}, {}
local read_file = fm.mods.read_file
fm.mods.read_file = function(mod, rel)
  local text = read_file(mod, rel)
  if text or not mod.game or not rel:find("%.lua$") then return text end
  for _, pattern in ipairs(GENERATED) do
    if rel:find(pattern) then
      local name = "__" .. mod.name .. "__/" .. rel:gsub("%.lua$", "")
      if not seen[name] then seen[name] = true; found[#found + 1] = name end
      return PLACEHOLDER
    end
  end
end
fm.setup{ stage = "data" }
fm.run_stage{ stage = "data", factorio_data = dir }
table.sort(found)
for _, name in ipairs(found) do print(name) end
