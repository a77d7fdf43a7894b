-- The permission groups of a game (state.world.permission_groups).

local classes = require("factorio_mocks.control.classes")

local M = {}

-- Permission groups: every player starts in the game's "Default" group (group_id 0, which mods
-- read with game.permissions.get_group(0)), where every action is allowed.
local function permissions_of(state)
  local w = state.world
  if not w.permission_groups then
    w.permission_groups = {}
    w.next_permission_group = 0
  end
  return w.permission_groups
end

local function new_permission_group(state, name)
  local groups = permissions_of(state)
  local w = state.world
  local id = w.next_permission_group
  w.next_permission_group = id + 1
  local g = classes.new("LuaPermissionGroup", { state = state, group_id = id, name = name, denied = {} })
  groups[#groups + 1] = g
  return g
end

local function default_group(state)
  local groups = permissions_of(state)
  return groups[1] or new_permission_group(state, "Default")
end

M.permissions_of, M.new_permission_group, M.default_group = permissions_of, new_permission_group, default_group

-- "Setting the name to nil or an empty string sets the name to the default value." That value
-- was not found; the mock's is "Group <id>".
local function group_name(d, v)
  return (v == nil or v == "") and ("Group " .. d.group_id) or v
end

M.group_name = group_name

return M
