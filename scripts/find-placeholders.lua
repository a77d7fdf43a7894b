-- Finds the modules the game generates at build time and its public Lua copy lacks, by running
-- the game's settings and data stages from that copy; prints one `__mod__/path` per line
-- (fixtures/builtin/<version>/placeholders.txt; scripts/pack-game-lua.py turns them into placeholders).
--
--   lua5.2 scripts/find-placeholders.lua <factorio-data folder> [mod …]
--
-- With mods named (`core base`), only those of the folder run (a folder of links to them is
-- made in a temporary place); without, every game mod the folder has.
--
-- Needs the built module on package.cpath (make build LUA=lua5.2). A missing module under a
-- mod's graphics/, sound/ or menu-simulations/ folder is recorded and answered with the
-- placeholder fm.run_stage uses (mod_loader.placeholder); any other missing module stops the
-- run, as it would stop the game. The dataset's own copy of those modules is not consulted, so
-- the list is what the folder lacks.
local dir = assert(arg[1], "usage: find-placeholders.lua <factorio-data folder> [mod …]")
package.cpath = "build/lua52/?.so;" .. package.cpath
local fm = require("factorio_mocks")
local mod_loader = require("factorio_mocks.mod_loader")

if arg[2] then
  local only = os.tmpname()
  os.remove(only)
  assert(os.execute(("mkdir -p %q"):format(only)))
  for i = 2, #arg do
    local target = dir:find("^/") and dir or (os.getenv("PWD") .. "/" .. dir)
    assert(os.execute(("ln -s %q %q"):format(target .. "/" .. arg[i], only .. "/" .. arg[i])))
  end
  dir = only
end

local found, seen = {}, {}
local read_file = fm.mods.read_file
fm.mods.read_file = function(mod, rel)
  local text = read_file(mod, rel)
  if text or not mod.game then return text end
  local placeholder = mod_loader.placeholder(mod.name, rel)
  if placeholder then
    local name = "__" .. mod.name .. "__/" .. rel:gsub("%.lua$", "")
    if not seen[name] then seen[name] = true; found[#found + 1] = name end
  end
  return placeholder
end
fm.setup{ stage = "data" }
-- The game's folder runs from a clean state: none of the built-in dataset's game globals
-- (`hit_effects_loaded`, `autoplace_sets`, …) may guard its files off.
setmetatable(_G, nil)
-- 2.1 moved defines.default_icon_size to defines.constant.default_icon_size.
defines.constant = defines.constant or { default_icon_size = defines.default_icon_size }
fm.run_stage{ stage = "data", factorio_data = dir }
table.sort(found)
for _, name in ipairs(found) do print(name) end
