-- LuaSettings (settings): startup, global, player_default and per-player settings (the stores:
-- control/settings.lua).

local classes = require("factorio_mocks.control.classes")
local settings = require("factorio_mocks.control.settings")

local settings_table, writer, per_player, player_index_of = settings.settings_table, settings.writer, settings.per_player, settings.player_index_of

local settings_impl = classes.impl("LuaSettings")
function settings_impl.get.startup(d) return d.state.settings.tables.startup end
function settings_impl.get.global(d) return d.state.settings.tables.global end
function settings_impl.get.player_default(d) return d.state.settings.tables.player_default end
function settings_impl.call.get_player_settings(d, player)
  local state = d.state
  local index = player_index_of(state, player, "LuaSettings.get_player_settings", 2)
  local tables = state.settings.tables.per_player
  if not tables[index] then
    tables[index] = settings_table(per_player(state, index), writer(state, nil, "runtime-per-user", index))
  end
  return tables[index]
end
