-- LuaBootstrap (script): handlers, events, filters, raise_*, registrations (the event machinery:
-- control/script.lua).

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local api = classes.api

local event_id, event_label, rebuild, rebuild_nth = script.event_id, script.event_label, script.rebuild, script.rebuild_nth

local function check_handler(handler, where)
  if handler ~= nil and type(handler) ~= "function" then
    error(("bad argument to '%s': function or nil expected, got %s"):format(where, type(handler)), 4)
  end
end

-- LuaBootstrap -------------------------------------------------------------------------------

local boot = classes.impl("LuaBootstrap")

function boot.get.mod_name(d) return d.mod.name end
function boot.get.level(d) return { is_simulation = false, is_tutorial = false, campaign_name = nil, level_name = "freeplay", mod_name = nil } end
function boot.get.active_mods(d)
  local mods = {}
  for name, version in pairs(d.state.active_mods) do mods[name] = version end
  return mods
end
function boot.get.feature_flags(d)
  local flags = {}
  for name, on in pairs(d.state.feature_flags) do flags[name] = on end
  return flags
end

function boot.call.on_init(d, handler) check_handler(handler, "LuaBootstrap.on_init"); d.mod.on_init = handler end
function boot.call.on_load(d, handler) check_handler(handler, "LuaBootstrap.on_load"); d.mod.on_load = handler end
function boot.call.on_configuration_changed(d, handler)
  check_handler(handler, "LuaBootstrap.on_configuration_changed")
  d.mod.on_configuration_changed = handler
end

local function set_filters(state, mod, id, filters, level)
  if filters == nil then mod.filters[id] = nil; return end
  local name = state.event_names[id]
  local desc = name and api.events[name]
  if not (desc and desc.filter) then
    error(("Event %s doesn't support filters."):format(event_label(state, id)), level + 1)
  end
  if type(filters) ~= "table" then error("filters: array of " .. desc.filter .. " expected, got " .. type(filters), level + 1) end
  local kinds = {}
  for kind in api.filters[desc.filter]:gmatch("[^,]+") do kinds[kind] = true end
  local copy = { on = desc.on }
  for i, f in ipairs(filters) do
    if type(f) ~= "table" or not kinds[f.filter] then
      error(("%s: unknown filter %q at index %d"):format(desc.filter, tostring(type(f) == "table" and f.filter), i), level + 1)
    end
    copy[i] = f
  end
  -- An empty filter list is no filter, as in the game.
  mod.filters[id] = copy[1] and copy or nil
end

-- One event's registration; `level` counts from this function to the mod's call.
local function register(d, event, handler, filters, level)
  local state, mod = d.state, d.mod
  local id = event_id(state, event, level + 1)
  mod.handlers[id] = handler
  if handler then set_filters(state, mod, id, filters, level + 1) else mod.filters[id] = nil end
  rebuild(state, id)
end

function boot.call.on_event(d, event, handler, filters)
  check_handler(handler, "LuaBootstrap.on_event")
  if type(event) == "table" and not classes.is_object(event) then
    if filters ~= nil then error("Filters can only be used when registering single events.", 2) end
    for _, e in ipairs(event) do register(d, e, handler, nil, 2) end
    return
  end
  register(d, event, handler, filters, 2)
end

function boot.call.on_nth_tick(d, tick, handler)
  check_handler(handler, "LuaBootstrap.on_nth_tick")
  local mod = d.mod
  if tick == nil then
    if handler ~= nil then error("bad argument #1 to 'LuaBootstrap.on_nth_tick' (tick expected, got nil)", 2) end
    mod.nth = {}
  else
    local ticks = type(tick) == "table" and tick or { tick }
    for _, t in ipairs(ticks) do
      if type(t) ~= "number" or t < 1 or t % 1 ~= 0 then
        error("bad argument #1 to 'LuaBootstrap.on_nth_tick' (positive integer expected, got " .. tostring(t) .. ")", 2)
      end
      mod.nth[t] = handler
    end
  end
  rebuild_nth(d.state)
end

function boot.call.generate_event_name(d)
  local state = d.state
  local id = state.next_custom_id
  state.next_custom_id = id + 1
  state.event_names[id] = "custom event " .. id
  state.custom_events[id] = true
  return id
end

function boot.call.get_event_handler(d, event)
  return d.mod.handlers[event_id(d.state, event, 2)]
end

function boot.call.get_event_filter(d, event)
  local filters = d.mod.filters[event_id(d.state, event, 2)]
  if not filters then return nil end
  local copy = {}
  for i, f in ipairs(filters) do copy[i] = f end
  return copy
end

function boot.call.set_event_filter(d, event, filters)
  local id = event_id(d.state, event, 2)
  if not d.mod.handlers[id] then
    error("Can't set event filters for an event with no handler registered.", 2)
  end
  set_filters(d.state, d.mod, id, filters, 2)
end

function boot.call.get_event_id(d, event)
  return event_id(d.state, event, 2)
end

function boot.call.get_event_order(d)
  local order = {}
  for _, mod in ipairs(d.state.mods) do order[#order + 1] = mod.name end
  return order
end

function boot.call.raise_event(d, event, data)
  local state = d.state
  local id = event_id(state, event, 2)
  if not (state.raisable[id] or state.custom_events[id]) then
    error(("Event %s can't be raised by script.raise_event; only custom events and the script_raised_* family can."):format(event_label(state, id)), 2)
  end
  local payload = {}
  for k, v in pairs(data) do payload[k] = v end
  payload.mod_name = d.mod.name
  script.raise(state, id, payload)
end

local function raiser(event_name)
  return function(d, data)
    local payload = {}
    for k, v in pairs(data) do payload[k] = v end
    script.raise(d.state, d.state.env_defines.events[event_name], payload)
  end
end
boot.call.raise_console_chat = raiser("on_console_chat")
boot.call.raise_player_crafted_item = raiser("on_player_crafted_item")
boot.call.raise_player_fast_transferred = raiser("on_player_fast_transferred")
boot.call.raise_biter_base_built = raiser("on_biter_base_built")
boot.call.raise_market_item_purchased = raiser("on_market_item_purchased")
boot.call.raise_script_built = raiser("script_raised_built")
boot.call.raise_script_destroy = raiser("script_raised_destroy")
boot.call.raise_script_revive = raiser("script_raised_revive")
boot.call.raise_script_teleported = raiser("script_raised_teleported")
boot.call.raise_script_set_tiles = raiser("script_raised_set_tiles")

function boot.call.register_metatable(d, name, mt)
  d.mod.metatables[name] = mt
end

-- Registration targets and the `type` the event reports (defines.target_type).
local TARGET_TYPES = {
  LuaEntity = "entity", LuaEquipment = "equipment", LuaPlayer = "player", LuaSurface = "surface",
  LuaRenderObject = "render_object", LuaCommandable = "commandable", LuaTrain = "train",
  LuaSpacePlatform = "space_platform", LuaCustomChartTag = "custom_chart_tag", LuaGuiElement = "gui_element",
  LuaItemStack = "item", LuaLogisticSection = "logistic_section", LuaPlanet = "planet",
  LuaCargoPod = "cargo_pod", LuaSchedule = "schedule",
}

function boot.call.register_on_object_destroyed(d, object)
  local state = d.state
  local od = classes.data(object)
  local kind = od and TARGET_TYPES[od.class]
  if not kind then
    error("bad argument #1 to 'LuaBootstrap.register_on_object_destroyed' (a registration target expected, got " .. (od and od.class or type(object)) .. ")", 2)
  end
  local existing = state.registrations[object]
  if existing then return existing.registration_number, existing.useful_id, existing.type end
  local number = state.next_registration
  state.next_registration = number + 1
  local target_types = state.env_defines.target_type or {}
  local useful_id = od.unit_number or od.index or od.id or 0
  local reg = { registration_number = number, useful_id = useful_id, type = target_types[kind] }
  state.registrations[object] = reg
  return number, useful_id, reg.type
end
