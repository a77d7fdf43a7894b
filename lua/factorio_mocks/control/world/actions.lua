-- What a test makes players and robots do: fm.build (on_built_entity, on_robot_built_entity)
-- and fm.mine (the mining events).

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local prototypes = require("factorio_mocks.control.prototypes")
local inventory = require("factorio_mocks.control.inventory")
local resolve = require("factorio_mocks.control.world.resolve")
local entities = require("factorio_mocks.control.world.entities")
local hints = require("factorio_mocks.hints")

local M = {}

local data = classes.data

local player_of, force_of, surface_of = resolve.player_of, resolve.force_of, resolve.surface_of

local create_entity, remove_entity = entities.create_entity, entities.remove_entity

local inventory_contents = inventory.contents

local player = classes.impl("LuaPlayer")

-- A temporary inventory holding `items` ({name, count, quality}…) with `spare` empty slots,
-- for an event's lifetime.
local function temporary_inventory(state, items, spare)
  local inv = inventory.new(state, #items + spare, nil, nil)
  for _, item in ipairs(items) do inventory.insert(inv, item, 2) end
  return inv
end

-- A construction robot builds: on_robot_built_entity with the robot and the stack of the item
-- used (in a temporary inventory, gone after the event).
local function robot_build(state, opts)
  local robot = opts.robot
  local surface_obj = surface_of(state, opts.surface or (data(robot) and data(robot).surface) or 1, 4)
  local force_obj = force_of(state, opts.force or (data(robot) and data(robot).force) or "player", 4)
  if robot == true then
    if not prototypes.get(state, "entity", "construction-robot") then
      error("fm.build: the dataset has no construction-robot; pass robot = <a LuaEntity>", 4)
    end
    robot = create_entity(data(surface_obj), { name = "construction-robot", position = opts.position, force = force_obj }, 4)
  elseif not data(robot) or data(robot).class ~= "LuaEntity" then
    error("fm.build: robot must be true or a LuaEntity, got " .. type(robot), 4)
  end
  local e = create_entity(data(surface_obj), { name = opts.name, position = opts.position, direction = opts.direction,
    force = force_obj, recipe = opts.recipe }, 4)
  local items = data(e).proto.items_to_place_this
  local held = temporary_inventory(state, items[1] and { { name = items[1].name, count = items[1].count or 1 } } or {}, 1)
  local ok, err = pcall(script.raise, state, state.env_defines.events.on_robot_built_entity,
    { robot = robot, entity = e, stack = inventory.stack(held, 1), tags = opts.tags })
  classes.invalidate(held)
  if not ok then error(err, 0) end
  return e, robot
end

--- fm.build{name = …, position = …, player = p, direction = …, tags = …}: the player places
--- the entity (on their surface, for their force); on_built_entity follows with the item used.
--- With robot = true (or a robot entity) instead of player, a construction robot builds it:
--- on_robot_built_entity, for `force` (default "player").
function M.build(state, opts)
  if type(opts) ~= "table" then error("fm.build: expected a table such as {name = \"iron-chest\", position = {0, 0}, player = p}", 3) end
  if opts.robot ~= nil and opts.player ~= nil then error("fm.build: give player or robot, not both", 3) end
  if type(opts.name) == "string" and not prototypes.family_raw(state, "entity").by_name[opts.name] then
    error(("fm.build: no entity prototype named '%s'%s"):format(opts.name,
      hints.did_you_mean(opts.name, prototypes.family_raw(state, "entity").names)), 3)
  end
  if opts.robot ~= nil then
    local e, robot = robot_build(state, opts)   -- not a tail call: robot_build's error levels count this frame
    return e, robot
  end
  if opts.player == nil then error("fm.build: player (the player who builds) or robot = true is required", 3) end
  local p = player_of(state, opts.player, 3)
  local pd = data(p)
  local surface_obj = opts.surface and surface_of(state, opts.surface, 3) or player.get.surface(pd)
  local e = create_entity(data(surface_obj), { name = opts.name, position = opts.position, direction = opts.direction,
    force = opts.force or pd.force, recipe = opts.recipe, player = p }, 3)
  local items = data(e).proto.items_to_place_this
  local consumed = temporary_inventory(state, items[1] and { { name = items[1].name, count = items[1].count or 1 } } or {}, 0)
  local ok, err = pcall(script.raise, state, state.env_defines.events.on_built_entity,
    { entity = e, player_index = pd.index, consumed_items = consumed, tags = opts.tags })
  -- "This inventory is temporary and thus invalidated after the event" (the API description).
  classes.invalidate(consumed)
  if not ok then error(err, 0) end
  return e
end

--- fm.mine(entity, player): the player mines the entity. on_pre_player_mined_item, then
--- on_player_mined_entity with the products in a buffer handlers may change; the entity goes,
--- the buffer's items go to the player, and on_player_mined_item follows for each.
function M.mine(state, e, p)
  local ed = data(e)
  if not ed or ed.class ~= "LuaEntity" then error("fm.mine: expected a LuaEntity", 3) end
  if ed.valid == false then error("LuaEntity API call when LuaEntity was invalid.", 3) end
  local pd = data(player_of(state, p, 3))
  local events = state.env_defines.events
  local props = ed.proto.mineable_properties
  if not props.minable then error(("fm.mine: %s is not minable"):format(ed.name), 3) end
  script.raise(state, events.on_pre_player_mined_item, { entity = e, player_index = pd.index })
  if ed.valid == false then return {} end   -- a handler destroyed it: nothing is mined
  local items = {}
  for _, product in ipairs(props.products) do
    if product.type == nil or product.type == "item" then
      local amount = product.amount or product.amount_max or 1
      if amount > 0 then items[#items + 1] = { name = product.name, count = amount } end
    end
  end
  -- Room for what handlers add; the game's buffer size is not documented.
  local buffer = temporary_inventory(state, items, 10)
  local ok, err = pcall(script.raise, state, events.on_player_mined_entity, { entity = e, player_index = pd.index, buffer = buffer })
  if not ok then classes.invalidate(buffer); error(err, 0) end
  local mined = inventory_contents(buffer)
  classes.invalidate(buffer)
  if ed.valid ~= false then remove_entity(ed) end
  local main = player.call.get_main_inventory(pd)
  for _, item in ipairs(mined) do
    if main then inventory.insert(main, item, 2) end
    script.raise(state, events.on_player_mined_item, { item_stack = item, player_index = pd.index })
  end
  return mined
end

return M
