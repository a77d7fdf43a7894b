-- LuaModData (prototypes.mod_data[name]): the data a mod-data prototype carried from the data
-- stage. The game hands out a copy: changing it changes nothing.

local classes = require("factorio_mocks.control.classes")
local game_env = require("factorio_mocks.game_env")

local mod_data = classes.impl("LuaModData")
function mod_data.get.data(d) return game_env.deep_copy(d.raw.data or {}) end
-- The prototype's data_type, "" when it gave none.
function mod_data.get.data_type(d) return d.raw.data_type or "" end
function mod_data.call.get(d, key)
  local data = d.raw.data or {}
  return game_env.deep_copy(data[key])
end
