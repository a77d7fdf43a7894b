-- LuaPermissionGroup and LuaPermissionGroups (game.permissions): groups, their players and actions.

local classes = require("factorio_mocks.control.classes")
local resolve = require("factorio_mocks.control.world.resolve")
local permissions_state = require("factorio_mocks.control.world.permissions")

local data = classes.data

local player_of = resolve.player_of

local permissions_of, new_permission_group, default_group = permissions_state.permissions_of, permissions_state.new_permission_group, permissions_state.default_group

local group_name = permissions_state.group_name

local player = classes.impl("LuaPlayer")

local group = classes.impl("LuaPermissionGroup")
function group.get.group_id(d) return d.group_id end
function group.get.name(d) return d.name end

function group.set.name(d, v) d.name = group_name(d, v) end
function group.get.players(d)
  local list = {}
  for _, p in ipairs(d.state.world.player_list) do
    if p.permission_group == d.self then list[#list + 1] = p end
  end
  return list
end
function group.call.add_player(d, p)
  player.set.permission_group(data(player_of(d.state, p, 2)), d.self)
  return true
end
function group.call.remove_player(d, p)
  local pd = data(player_of(d.state, p, 2))
  if player.get.permission_group(pd) ~= d.self then return false end
  player.set.permission_group(pd, nil)
  return true
end
function group.call.allows_action(d, action) return not d.denied[action] end
function group.call.set_allows_action(d, action, allow)
  d.denied[action] = not allow or nil
  return true
end
function group.call.destroy(d)
  local groups = permissions_of(d.state)
  for i, g in ipairs(groups) do
    if g == d.self then table.remove(groups, i); break end
  end
  for _, p in ipairs(group.get.players(d)) do player.set.permission_group(data(p), nil) end
  classes.invalidate(d.self)
  return true
end

local permissions = classes.impl("LuaPermissionGroups")
function permissions.get.groups(d)
  default_group(d.state)
  local list = {}
  for i, g in ipairs(permissions_of(d.state)) do list[i] = g end
  return list
end
function permissions.call.create_group(d, name)
  default_group(d.state)
  local g = new_permission_group(d.state, name)
  data(g).name = group_name(data(g), name)
  return g
end
function permissions.call.get_group(d, id)
  for _, g in ipairs(permissions.get.groups(d)) do
    local gd = data(g)
    if gd.group_id == id or gd.name == id then return g end
  end
end
