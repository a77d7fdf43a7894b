-- A mod's migrations/ folder, run as the game runs it when a save loads (the API docs' Migrations
-- and Data lifecycle pages): the save remembers by file name which migrations each mod has had
-- and never runs one twice; the order is mod order, then file name (lexicographic); every JSON
-- migration of every mod runs before any Lua migration; a Lua migration runs in its mod's Lua
-- state, with `game` and the mod's `storage`. A new game has nothing to migrate, so fm.init()
-- marks what is there as applied; a mod new to the save has had none of its migrations.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")
local mod_loader = require("factorio_mocks.mod_loader")

local M = {}

local data = classes.data

-- The mods whose files are on disk (fm.load_control's), in mod order.
local function mods_with_files(state)
  local list = {}
  for _, mod in ipairs(state.mods) do
    if mod.source and mod.source.path then list[#list + 1] = mod end
  end
  return list
end

-- The save's record: mod name -> {file name = true}.
local function applied(state, name)
  state.applied_migrations = state.applied_migrations or {}
  local set = state.applied_migrations[name]
  if not set then
    set = {}
    state.applied_migrations[name] = set
  end
  return set
end

local function files_of(state, mod)
  return state.fm.mods.list_files(mod.source, "migrations")
end

--- fm.init(): a new game starts with every migration there is counted as applied.
function M.mark_all(state)
  for _, mod in ipairs(mods_with_files(state)) do
    local set = applied(state, mod.name)
    for _, file in ipairs(files_of(state, mod)) do set[file] = true end
  end
end

-- The game's report (as players quote it): "Error while applying migration: <mod title>: <file>".
local function fail(mod, file, err)
  local title = mod.source.title
  if title == nil or title == "" then title = mod.name end
  error(("Error while applying migration: %s: %s\n\n%s"):format(title, file, tostring(err)), 0)
end

-- Renames of one type, applied at once (the base game swaps stack-inserter and bulk-inserter in
-- one file, so each name maps through the file's table, never through a chain).
local function rename_entities(state, map)
  local entities = require("factorio_mocks.control.world.entities")
  for _, surface in ipairs(state.world.surface_list) do
    local list = {}
    for i, e in ipairs(data(surface).entities) do list[i] = e end
    for _, e in ipairs(list) do
      local ed = data(e)
      local new = map[ed.name]
      local proto = new and prototypes.get(state, "entity", new)
      if new and proto and data(proto).raw.type == ed.type then
        -- Same type: the entity keeps its unit_number and references to it stay valid.
        ed.name, ed.proto, ed.raw = new, proto, data(proto).raw
      elseif new then
        -- Another type (a new entity, new unit_number), or a prototype that no longer exists.
        classes.impl("LuaEntity").call.destroy(ed)
        if proto then
          entities.create_entity(data(surface), { name = new, position = ed.position, direction = ed.direction,
            force = ed.force, quality = ed.quality and ed.quality.name }, 1)
        end
      elseif ed.ghost_name and map[ed.ghost_name] then
        ed.ghost_name = map[ed.ghost_name]
      end
    end
  end
end

local function rename_in_inventory(state, inv, map)
  local slots = data(inv).slots
  for i, s in pairs(slots) do
    local new = map[s.name]
    if new then
      if prototypes.get(state, "item", new) then s.name = new else slots[i] = nil end
    end
  end
end

local function rename_items(state, map)
  for _, surface in ipairs(state.world.surface_list) do
    for _, e in ipairs(data(surface).entities) do
      for _, inv in pairs(data(e).inventories or {}) do rename_in_inventory(state, inv, map) end
    end
  end
  for _, p in ipairs(state.world.player_list) do
    local cursor = data(p).cursor
    if cursor then rename_in_inventory(state, cursor, map) end
  end
end

-- A force's LuaRecipe / LuaTechnology moves to the new name, keeping its state (enabled,
-- researched) and staying valid in storage.
local function rename_force_objects(state, family, field, map)
  for _, force in ipairs(state.world.force_list) do
    local objects = data(force)[field]
    local moved = {}
    for old, obj in pairs(objects) do
      local new = map[old]
      if new then
        objects[old] = nil
        local proto = prototypes.get(state, family, new)
        if proto then
          local od = data(obj)
          od.name, od.proto, od.raw = new, proto, data(proto).raw
          moved[new] = obj
        else
          classes.invalidate(obj)
        end
      end
    end
    for new, obj in pairs(moved) do objects[new] = obj end
  end
end

local function rename_recipes(state, map)
  rename_force_objects(state, "recipe", "recipes", map)
  for _, surface in ipairs(state.world.surface_list) do
    for _, e in ipairs(data(surface).entities) do
      local ed = data(e)
      if ed.recipe and map[ed.recipe] then ed.recipe = map[ed.recipe] end
    end
  end
end

local RENAME = {
  entity = rename_entities,
  item = rename_items,
  recipe = rename_recipes,
  technology = function(state, map) rename_force_objects(state, "technology", "technologies", map) end,
}

-- One JSON migration: {"entity": [["old", "new"], …], "item": …}. Returns {type = {old = new}}.
local function apply_json(state, mod, file, text, changes)
  local ok, t = pcall(state.fm.codec.json_to_table, text)
  if not ok or type(t) ~= "table" then fail(mod, file, "not a JSON object") end
  for kind, pairs_list in pairs(t) do
    if type(pairs_list) ~= "table" then fail(mod, file, ("%q: expected a list of [old, new] pairs"):format(kind)) end
    local map = {}
    for i, pair in ipairs(pairs_list) do
      if type(pair) ~= "table" or type(pair[1]) ~= "string" or type(pair[2]) ~= "string" then
        fail(mod, file, ("%q[%d]: expected [\"old-name\", \"new-name\"]"):format(kind, i))
      end
      if pair[1] ~= pair[2] then map[pair[1]] = pair[2] end
    end
    if RENAME[kind] then RENAME[kind](state, map) end
    -- ConfigurationChangedData.migrations: what each migrated prototype is now called.
    local seen = changes[kind] or {}
    for old, new in pairs(map) do seen[old] = new end
    if next(seen) then changes[kind] = seen end
  end
end

--- Runs every migration the save has not had, in the game's order. `added` names the mods new
--- to the save (their record starts empty); `unseen` = {mod name = {file, …}} forgets files the
--- save predates. Returns the prototype renames and whether anything was applied.
function M.run(state, added, unseen, level)
  local mods = mods_with_files(state)
  state.applied_migrations = state.applied_migrations or {}
  for name in pairs(added) do state.applied_migrations[name] = nil end
  for name, files in pairs(unseen or {}) do
    local mod = state.mods_by_name[name]
    if not (mod and mod.source and mod.source.path) then
      error(("fm.configuration_changed: new_migrations names mod '%s', which is not loaded"):format(tostring(name)), level + 1)
    end
    local present = {}
    for _, file in ipairs(files_of(state, mod)) do present[file] = true end
    local set = applied(state, name)
    for _, file in ipairs(type(files) == "table" and files or { files }) do
      if not present[file] then
        error(("fm.configuration_changed: new_migrations: %s has no migrations/%s"):format(name, tostring(file)), level + 1)
      end
      set[file] = nil
    end
  end
  local pending = {}
  for i, mod in ipairs(mods) do
    local set = applied(state, mod.name)
    local json, lua = {}, {}
    for _, file in ipairs(files_of(state, mod)) do
      if not set[file] then
        if file:find("%.json$") then json[#json + 1] = file
        elseif file:find("%.lua$") then lua[#lua + 1] = file end
      end
    end
    pending[i] = { mod = mod, json = json, lua = lua }
  end
  local read = mod_loader.reader(state.fm)
  local renames, any = {}, false
  for _, p in ipairs(pending) do
    for _, file in ipairs(p.json) do
      apply_json(state, p.mod, file, read(p.mod.source, "migrations/" .. file), renames)
      applied(state, p.mod.name)[file] = true
      any = true
    end
  end
  for _, p in ipairs(pending) do
    for _, file in ipairs(p.lua) do
      local ok, err = pcall(p.mod.loader.run_file, p.mod.source, "migrations/" .. file)
      if not ok then fail(p.mod, file, err) end
      applied(state, p.mod.name)[file] = true
      any = true
    end
  end
  return renames, any
end

return M
