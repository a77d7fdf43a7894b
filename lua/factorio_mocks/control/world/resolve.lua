-- The world's identifications resolved to objects: MapPosition, BoundingBox, ForceID, SurfaceID,
-- PlayerIdentification, each failing in the game's words at the caller's level.

local classes = require("factorio_mocks.control.classes")

local M = {}

local data = classes.data

local function position_of(p, what, level)
  if type(p) ~= "table" then error(("%s: MapPosition expected, got %s"):format(what, type(p)), level + 1) end
  local x, y = p.x or p[1], p.y or p[2]
  if type(x) ~= "number" or type(y) ~= "number" then
    error(what .. ": MapPosition expected ({x = …, y = …} or {x, y})", level + 1)
  end
  return { x = x, y = y }
end
M.position_of = position_of

local function area_of(a)
  local lt, rb = a.left_top or a[1], a.right_bottom or a[2]
  local p1, p2 = position_of(lt, "area", 3), position_of(rb, "area", 3)
  return p1, p2
end

M.area_of = area_of

-- Resolves a ForceID (name, index or LuaForce) to the force object.
local function force_of(state, force, level)
  if force == nil then return nil end
  local fd = data(force)
  if fd and fd.class == "LuaForce" then return force end
  local found = state.world.forces[force] or (type(force) == "number" and state.world.force_list[force])
  if not found then error("Invalid force: " .. tostring(force), level + 1) end
  return found
end
M.force_of = force_of

local function surface_of(state, surface, level)
  local sd = data(surface)
  if sd and sd.class == "LuaSurface" then return surface end
  local found = state.world.surfaces[surface] or (type(surface) == "number" and state.world.surface_list[surface])
  if not found then error("Invalid surface: " .. tostring(surface), level + 1) end
  return found
end
M.surface_of = surface_of

local function player_of(state, player, level)
  local pd = data(player)
  if pd and pd.class == "LuaPlayer" then return player end
  local found = type(player) == "number" and state.world.players[player] or state.world.players_by_name[player]
  if not found then error("Invalid player: " .. tostring(player), level + 1) end
  return found
end
M.player_of = player_of

return M
