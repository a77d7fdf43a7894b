-- The event engine: one LuaBootstrap (`script`) per mod, dispatch in mod order, on_tick before
-- on_nth_tick, event filters, custom events, and handler errors in the game's words
-- ("Error while running event my-mod::on_tick (ID 0)").

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")
local hints = require("factorio_mocks.hints")
local common = require("factorio_mocks.stage.common")

local M = {}

local api = classes.api

-- Events a mod may raise with script.raise_event besides its own custom events (from the API
-- description of LuaBootstrap::raise_event).
local RAISABLE = {
  "on_console_chat", "on_player_crafted_item", "on_player_fast_transferred", "on_biter_base_built",
  "on_market_item_purchased", "script_raised_built", "script_raised_destroy", "script_raised_revive",
  "script_raised_teleported", "script_raised_set_tiles",
}

-- defines.events of a version (the shared table, which nothing changes) → id → name, the
-- largest id, the raisable ids.
local events_by_table = setmetatable({}, { __mode = "k" })
local function events_of(events)
  local found = events_by_table[events]
  if found then return found end
  found = { names = {}, max_id = 0, raisable = {} }
  for name, id in pairs(events) do
    found.names[id] = name
    if id > found.max_id then found.max_id = id end
  end
  for _, name in ipairs(RAISABLE) do found.raisable[events[name]] = true end
  events_by_table[events] = found
  return found
end

--- Per-session engine state, kept on the control state.
function M.init_state(state, defines)
  state.tick = 0
  state.mods, state.mods_by_name = {}, {}
  state.dispatch = {}
  state.nth, state.nth_periods = {}, {}
  -- The version's own events, read once per process; a session adds its custom ones on top.
  local base = events_of(common.shared_of(defines.events))
  state.event_names = setmetatable({}, { __index = base.names })
  state.raisable = base.raisable
  state.next_custom_id = base.max_id + 1
  state.custom_inputs = {}   -- custom-input / custom-event name -> id
  -- Since 2.0.24 every custom-input and custom-event prototype has a constant in defines.events
  -- (the game's changelog); script.get_event_id gives the same id.
  for _, family in ipairs({ "custom_input", "custom_event" }) do
    local names = {}
    for name in pairs(prototypes.family_raw(state, family).by_name) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do
      if defines.events[name] == nil then
        local id = state.next_custom_id
        state.next_custom_id = id + 1
        defines.events[name], state.event_names[id], state.custom_inputs[name] = id, name, id
        if family == "custom_event" then state.custom_events[id] = true end
      end
    end
  end
  state.translations, state.next_translation_id = {}, 1
end

local function event_label(state, id)
  return state.event_names[id] or ("event " .. tostring(id))
end
M.event_label = event_label

-- The prototypes a LuaEventType may be: "the event of that custom input / custom event".
local PROTOTYPE_EVENTS = { LuaCustomInputPrototype = true, LuaCustomEventPrototype = true }

-- Resolves a LuaEventType (an id, a custom-input / custom-event name or prototype) to an id.
local event_id
function event_id(state, event, level)
  local od = classes.data(event)
  if od and PROTOTYPE_EVENTS[od.class] then
    local id = event_id(state, od.name, level + 1)
    if od.class == "LuaCustomEventPrototype" then state.custom_events[id] = true end
    return id
  end
  if type(event) == "number" then
    if not state.event_names[event] then
      error("Unknown event id: " .. tostring(event), level + 1)
    end
    return event
  elseif type(event) == "string" then
    local events = state.env_defines.events
    if events[event] then return events[event] end
    local id = state.custom_inputs[event]
    if not id then
      -- Custom inputs live in the mod's data stage; the mocks accept any name and give it an id.
      id = state.next_custom_id
      state.next_custom_id = id + 1
      state.custom_inputs[event] = id
      state.event_names[id] = event
      -- A custom-event prototype's event is one a mod may raise.
      if prototypes.family_raw(state, "custom_event").by_name[event] then state.custom_events[id] = true end
    end
    return id
  end
  error("bad argument #1 to 'LuaBootstrap.on_event' (event id or name expected, got " .. (od and od.class or type(event)) .. ")", level + 1)
end
M.event_id = event_id

-- Rebuilds the list of mods handling `id`, in mod order.
local function rebuild(state, id)
  local list = {}
  for _, mod in ipairs(state.mods) do
    if mod.handlers[id] then list[#list + 1] = mod end
  end
  state.dispatch[id] = list[1] and list or nil
end

M.rebuild = rebuild

local function rebuild_nth(state)
  local periods, seen = {}, {}
  state.nth = {}
  for _, mod in ipairs(state.mods) do
    for period in pairs(mod.nth) do
      if not seen[period] then seen[period] = true; periods[#periods + 1] = period end
      local list = state.nth[period] or {}
      list[#list + 1] = mod
      state.nth[period] = list
    end
  end
  table.sort(periods)
  state.nth_periods = periods
end
M.rebuild_nth = rebuild_nth

--- Calls `fn(arg)` for `mod`, turning an error into the game's report of it.
local function call(mod, label, fn, arg)
  local ok, err = pcall(fn, arg)
  if not ok then
    error(("Error while running event %s::%s\n"):format(mod.name, label) .. hints.explain(err), 0)
  end
end
M.call = call

-- Event filters: "and" binds tighter than "or"; each filter may be inverted.
local function passes_one(filter, target)
  local d = classes.data(target)
  local fields = d or target
  local kind = filter.filter
  local ok
  if kind == "name" then ok = fields.name == filter.name
  elseif kind == "type" then ok = fields.type == filter.type
  elseif kind == "ghost" then ok = fields.type == "entity-ghost"
  elseif kind == "ghost_name" then ok = fields.type == "entity-ghost" and fields.ghost_name == filter.name
  elseif kind == "ghost_type" then ok = fields.type == "entity-ghost" and fields.ghost_type == filter.type
  elseif kind == "force" then
    local force = fields.force
    local fd = classes.data(force)
    ok = (fd and fd.name or force) == filter.force
  else
    error("not mocked: event filter '" .. tostring(kind) .. "'", 0)
  end
  if filter.invert then ok = not ok end
  return ok
end

local function passes(filters, payload, on)
  local target = on and payload[on]
  if target == nil then return true end
  local any, group = false, nil
  for i, filter in ipairs(filters) do
    local ok = passes_one(filter, target)
    if i == 1 or filter.mode ~= "and" then
      if group then any = true end
      group = ok
    else
      group = group and ok
    end
  end
  return any or group == true
end

--- Delivers event `id` with `payload` to every mod handling it (the payload gets name and tick).
function M.raise(state, id, payload)
  local list = state.dispatch[id]
  if not list then return end
  payload.name = id
  payload.tick = state.tick
  local label
  for i = 1, #list do
    local mod = list[i]
    local fn = mod.handlers[id]
    if fn then
      local filters = mod.filters[id]
      if not filters or passes(filters, payload, filters.on) then
        -- Each mod has its own Lua state in the game, so each gets its own copy of the table.
        local event = payload
        if #list > 1 then
          event = {}
          for k, v in pairs(payload) do event[k] = v end
        end
        local ok, err = pcall(fn, event)
        if not ok then
          label = label or (event_label(state, id) .. " (ID " .. tostring(id) .. ")")
          error(("Error while running event %s::%s\n"):format(mod.name, label) .. hints.explain(err), 0)
        end
      end
    end
  end
end

--- Raises on_string_translated for the requests made before this tick (in single player the
--- game answers every request on the next tick). Requests made by these handlers wait a tick.
function M.flush_translations(state)
  local queue = state.translations
  state.translations = {}
  local id = state.env_defines.events.on_string_translated
  for _, request in ipairs(queue) do
    if classes.data(request.player).valid ~= false then M.raise(state, id, request.payload) end
  end
end

--- Advances `n` ticks: each tick answers last tick's translation requests, runs on_tick, then
--- on_nth_tick handlers whose period divides the tick, then the on_object_destroyed events
--- queued during the tick.
function M.tick(state, n)
  local on_tick = state.env_defines.events.on_tick
  for _ = 1, n do
    local t = state.tick + 1
    state.tick = t
    if state.translations[1] then M.flush_translations(state) end
    if state.next_tick_events and state.next_tick_events[1] then M.flush_next_tick(state) end
    local list = state.dispatch[on_tick]
    if list then
      for i = 1, #list do
        local mod = list[i]
        local fn = mod.handlers[on_tick]
        if fn then
          local ok, err = pcall(fn, { name = on_tick, tick = t })
          if not ok then
            error(("Error while running event %s::on_tick (ID %d)\n"):format(mod.name, on_tick) .. hints.explain(err), 0)
          end
        end
      end
    end
    local periods = state.nth_periods
    for p = 1, #periods do
      local period = periods[p]
      if t % period == 0 then
        local mods = state.nth[period]
        for i = 1, #mods do
          local mod = mods[i]
          local fn = mod.nth[period]
          if fn then
            local ok, err = pcall(fn, { tick = t, nth_tick = period })
            if not ok then
              error(("Error while running event %s::on_nth_tick(%d)\n"):format(mod.name, period) .. hints.explain(err), 0)
            end
          end
        end
      end
    end
    if state.destroyed_queue[1] then M.flush_destroyed(state) end
  end
end

--- Queues event `id` for the start of the next tick (what the API description calls
--- "future_tick"); it is dropped if `object` is invalid by then.
function M.raise_next_tick(state, id, payload, object)
  state.next_tick_events = state.next_tick_events or {}
  local queue = state.next_tick_events
  queue[#queue + 1] = { id = id, payload = payload, object = object }
end

function M.flush_next_tick(state)
  local queue = state.next_tick_events
  state.next_tick_events = {}
  for _, e in ipairs(queue) do
    if e.object == nil or classes.data(e.object).valid ~= false then M.raise(state, e.id, e.payload) end
  end
end

--- Raises on_object_destroyed for every registered object destroyed this tick.
function M.flush_destroyed(state)
  local queue = state.destroyed_queue
  state.destroyed_queue = {}
  local id = state.env_defines.events.on_object_destroyed
  for _, entry in ipairs(queue) do
    M.raise(state, id, { registration_number = entry.registration_number, useful_id = entry.useful_id, type = entry.type })
  end
end

--- Called by the world when an object goes away: queues on_object_destroyed if registered.
function M.object_destroyed(state, obj)
  local reg = state.registrations[obj]
  if reg then
    state.registrations[obj] = nil
    state.destroyed_queue[#state.destroyed_queue + 1] = reg
  end
end

--- A new mod record with its own LuaBootstrap object.
function M.new_mod(state, name, version)
  local mod = {
    name = name, version = version, handlers = {}, filters = {}, nth = {}, metatables = {},
  }
  mod.script = classes.new("LuaBootstrap", { state = state, mod = mod })
  return mod
end

--- Clears a mod's registrations (before its control.lua runs again on load).
function M.clear_mod(state, mod)
  local ids = {}
  for id in pairs(mod.handlers) do ids[#ids + 1] = id end
  mod.handlers, mod.filters, mod.nth, mod.metatables = {}, {}, {}, {}
  mod.on_init, mod.on_load, mod.on_configuration_changed = nil, nil, nil
  for _, id in ipairs(ids) do rebuild(state, id) end
  rebuild_nth(state)
end

--- Rebuilds every dispatch list (after a mod was added).
function M.rebuild_all(state)
  local ids = {}
  for _, mod in ipairs(state.mods) do
    for id in pairs(mod.handlers) do ids[id] = true end
  end
  for id in pairs(ids) do rebuild(state, id) end
  rebuild_nth(state)
end

--- Checks a test-side payload against the event's fields in the API description.
function M.check_payload(state, id, payload)
  local name = state.event_names[id]
  local desc = name and api.events[name]
  if not desc then return end
  for item in desc.f:gmatch("[^,]+") do
    local field, opt, t = item:match("^([^?:]+)(%??):(.*)$")
    if field ~= "name" and field ~= "tick" then
      local v = payload[field]
      if v == nil then
        if opt ~= "?" then
          error(("fm.raise(%s): missing required field '%s' (%s)"):format(name, field, t), 3)
        end
      else
        local problem = classes.check_type(v, t)
        if problem then error(("fm.raise(%s): field '%s': %s"):format(name, field, problem), 3) end
      end
    end
  end
end

return M
