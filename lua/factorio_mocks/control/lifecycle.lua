-- Loading control.lua with the game's require rules, and the lifecycle around it: on_init,
-- save/load (storage round-trip, on_load with game == nil, no storage changes during on_load)
-- and on_configuration_changed.

local classes = require("factorio_mocks.control.classes")
local migrations = require("factorio_mocks.control.migrations")
local script = require("factorio_mocks.control.script")
local mod_loader = require("factorio_mocks.mod_loader")
local settings = require("factorio_mocks.control.settings")
local hints = require("factorio_mocks.hints")

local M = {}

-- The game's words (as mods report them, e.g. Afforess/Big_Brother#12).
local OUTSIDE_PARSING = "Require can't be used outside of control.lua parsing"

local exists, reader = mod_loader.exists, mod_loader.reader

--- The mod table (fm.mods.load) of a mod folder or zip. A folder with a control.lua and no
--- info.json is a scenario: the game names its script "level".
function M.open_mod(state, path, what)
  local fm = state.fm
  path = path:gsub("[/\\]+$", "")
  local mod
  if not exists(path .. "/info.json") and exists(path .. "/control.lua") then
    mod = { name = "level", dependencies = {}, path = path }
  else
    local ok, loaded = pcall(fm.mods.load, path)
    -- Level 4: open_mod, lifecycle's caller, the fm driver function, the test.
    if not ok then error(what .. ": " .. tostring(loaded):gsub("^fm%.mods%.load: ", ""), 4) end
    mod = loaded
  end
  return mod
end

-- Every mod a require may reach: the game's mods of factorio_data (as __core__/…, __base__/…),
-- then fm.add_mod's and fm.load_control's.
local function mod_tables(state)
  if state.mod_tables then return state.mod_tables end
  local tables = {}
  local data_dir = state.session.opts.factorio_data
  local game_mods = data_dir and mod_loader.game_mods(state.fm, data_dir, state.session.dataset)
    or mod_loader.dataset_game_mods(state.session.dataset)
  for _, mod in ipairs(game_mods) do tables[mod.name] = mod end
  state.mod_tables = tables
  return tables
end

--- fm.add_mod(path): lets require("__name__/…") reach a mod without running its control.lua.
function M.add_mod(state, path)
  if type(path) ~= "string" then error("fm.add_mod: expected the path of a mod folder or zip, got " .. type(path), 3) end
  local mod = M.open_mod(state, path, "fm.add_mod")
  mod_tables(state)[mod.name] = mod
  return mod.name
end

--- The `require` the test's globals get: the host's require for the test's own code, the
--- game's error for mod code after its control.lua was parsed (while it is parsed, each mod's
--- loader puts its own require in the mod's environment).
function M.make_require(state, host_require)
  return function(name)
    local info = debug.getinfo(2, "S")
    local source = info and info.source or ""
    if source:match("^@__[^/]+__/") then error(OUTSIDE_PARSING, 2) end
    return host_require(name)
  end
end

-- The mod's settings stage, apart (the game runs it in its own Lua state), to learn the setting
-- prototypes it defines: their defaults become settings.startup/global/player_default, and the
-- mod becomes their owner (mods can only change their own settings).
local function run_settings_stage(state, source)
  local raw = mod_loader.settings_stage(state.session.env, mod_tables(state), { source },
    reader(state.fm), state.active_mods)
  if next(raw) then settings.add_setting_prototypes(state, raw, source.name) end
end

-- Runs control.lua in a fresh loader: one per mod and per load, as each mod has its own Lua
-- state in the game and a load starts a new one.
local function run_main_chunk(state, mod)
  local env = state.session.env
  local game = rawget(env, "game")
  rawset(env, "game", nil)   -- `game` is nil while control.lua is parsed, as in the game
  local loader = mod_loader.new(mod.env, mod_tables(state), reader(state.fm),
    { outside = OUTSIDE_PARSING })
  mod.loader = loader
  state.parsing = mod
  local ok, err = pcall(loader.run_file, mod.source, "control.lua")
  state.parsing = nil
  rawset(env, "game", game)
  if not ok then error(hints.explain(err), 0) end
end

--- fm.load_control(path): the mod's control.lua (a mod folder or zip), run now; returns the
--- mod's environment.
function M.load_control(state, path)
  if type(path) ~= "string" then
    error("fm.load_control: expected the path of a mod folder or zip, got " .. type(path), 3)
  end
  local source = M.open_mod(state, path, "fm.load_control")
  if not reader(state.fm)(source, "control.lua") then
    error("fm.load_control: " .. source.path .. " has no control.lua", 3)
  end
  local name, version = source.name, source.version
  local primary = state.primary
  local existing = state.mods_by_name[name]
  if existing and not (existing == primary and not primary.root) then
    error(("fm.load_control: mod '%s' is already loaded in this session"):format(name), 3)
  end
  local mod
  if not primary.root then
    -- The first mod takes over the test's own `script` and `storage`: it runs in the test's globals.
    mod = primary
    state.mods_by_name[mod.name] = nil
    mod.name, mod.version = name, version
    mod.env = state.session.env
  else
    mod = script.new_mod(state, name, version)
    mod.storage = {}
    mod.env = setmetatable({ script = mod.script, storage = mod.storage }, { __index = state.session.env })
    state.mods[#state.mods + 1] = mod
  end
  mod.root, mod.source = source.path, source
  state.mods_by_name[name] = mod
  -- The game always has a mod's locale; a zip's needs fm.locale to read archives (not yet).
  if not source.zip and exists(source.path .. "/locale") then
    local ok, err = pcall(state.fm.locale.load, source.path)
    if not ok then error("fm.load_control: " .. tostring(err), 3) end
  end
  mod_tables(state)[name] = source
  -- A scenario is not a mod: it is not in script.active_mods.
  if name ~= "level" then state.active_mods[name] = version or "0.0.0" end
  run_settings_stage(state, source)
  run_main_chunk(state, mod)
  script.rebuild_all(state)
  return mod.env
end

local function storage_of(state, mod)
  return rawget(mod.env, "storage")
end

local function set_storage(mod, value)
  rawset(mod.env, "storage", value)
  mod.storage = value
end

function M.init(state)
  migrations.mark_all(state)   -- a new game has nothing to migrate
  for _, mod in ipairs(state.mods) do
    if mod.on_init then script.call(mod, "on_init()", mod.on_init) end
  end
end

-- A key as a path step: storage["name"], storage[1].
local function step(k)
  return "[" .. (type(k) == "string" and ("%q"):format(k) or tostring(k)) .. "]"
end

-- The path of `key` in table `t` (nil: `t` itself), from the parent links the walks below keep
-- (`up[t]` = the table holding t, `via[t]` = its key there); built only for an error, so a deep
-- storage costs no path strings on the way down.
local function path_of(root_name, up, via, t, key)
  local steps = {}
  if key ~= nil then steps[1] = step(key) end
  while up[t] ~= nil do
    steps[#steps + 1] = step(via[t])
    t = up[t]
  end
  local out = { root_name }
  for i = #steps, 1, -1 do out[#out + 1] = steps[i] end
  return table.concat(out)
end

-- Copies `value` the way a save stores it: shared tables stay shared, API objects stay
-- references, functions are refused, metatables survive only when registered by name. `seen`
-- maps each table to its copy. The walk keeps its own stack, so any depth fits.
local function save_copy(value, path, names, seen)
  local up, via = {}, {}
  local stack = {}
  local function copy_of(v, holder, key)
    local t = type(v)
    if t == "function" then
      error(("fm.load: %s is a function; functions can't be saved in storage"):format(path_of(path, up, via, holder, key)), 0)
    elseif t == "userdata" or t == "thread" then
      if classes.is_object(v) then return v end
      error(("fm.load: %s is a %s; only tables, strings, numbers, booleans and API objects can be saved in storage")
        :format(path_of(path, up, via, holder, key), t), 0)
    elseif t ~= "table" or classes.is_object(v) then
      return v
    end
    local copy = seen[v]
    if copy then return copy end
    copy = {}
    seen[v] = copy
    if holder ~= nil then up[v], via[v] = holder, key end
    stack[#stack + 1] = v
    return copy
  end
  local root = copy_of(value, nil, nil)
  while #stack > 0 do
    local t = stack[#stack]
    stack[#stack] = nil
    local copy = seen[t]
    for k, v in next, t do
      local ck = copy_of(k, t, k)
      copy[ck] = copy_of(v, t, k)
    end
    local mt = getmetatable(t)
    if mt ~= nil then
      local name = names[mt]
      if name then setmetatable(copy, { __factorio_mocks_registered = name }) end
    end
  end
  return root
end

-- After the main chunk ran again: registered metatables come back by name.
local function attach_metatables(value, metatables, seen)
  local stack = { value }
  while #stack > 0 do
    local t = stack[#stack]
    stack[#stack] = nil
    if type(t) == "table" and not classes.is_object(t) and not seen[t] then
      seen[t] = true
      local mt = getmetatable(t)
      if mt and rawget(mt, "__factorio_mocks_registered") then
        local name = mt.__factorio_mocks_registered
        local registered = metatables[name]
        if not registered then
          error(("fm.load: storage has a table whose metatable was registered as '%s', but control.lua didn't register it again"):format(name), 0)
        end
        setmetatable(t, registered)
      end
      for k, v in next, t do
        if type(k) == "table" then stack[#stack + 1] = k end
        if type(v) == "table" then stack[#stack + 1] = v end
      end
    end
  end
end

-- The first difference between storage `a` and `b`, a copy of it made by save_copy, as a path;
-- nil when they are the same. `copies` maps a's tables to their copies in b, so tables used as
-- keys match their copies; `originals` is the inverse. Walked with its own stack, depth first.
local function difference(a, b, path, seen, copies, originals)
  local up, via = {}, {}
  local function plain(v) return type(v) ~= "table" or classes.is_object(v) end
  if plain(a) or plain(b) then
    if a ~= b and not (a ~= a and b ~= b) then return path end
    return nil
  end
  local stack = { a, b }
  while #stack > 0 do
    local tb, ta = stack[#stack], stack[#stack - 1]
    stack[#stack], stack[#stack - 1] = nil, nil
    if not seen[ta] then
      seen[ta] = true
      local pending = {}
      for k, v in next, ta do
        local w = rawget(tb, copies[k] or k)
        if plain(v) or plain(w) then
          if v ~= w and not (v ~= v and w ~= w) then return path_of(path, up, via, ta, k) end
        elseif not seen[v] then
          if up[v] == nil and v ~= a then up[v], via[v] = ta, k end
          pending[#pending + 1] = v
          pending[#pending + 1] = w
        end
      end
      for k in next, tb do
        if rawget(ta, originals[k] or k) == nil then return path_of(path, up, via, ta, k) end
      end
      -- Children in reverse, so the first key's subtree is walked first (as the recursion did).
      for i = #pending - 1, 1, -2 do
        stack[#stack + 1] = pending[i]
        stack[#stack + 1] = pending[i + 1]
      end
    end
  end
end

--- fm.load(): save, then load in a fresh script state: control.lua runs again, storage comes
--- back from the save, on_load runs with game == nil and must not change storage.
function M.load(state)
  local env = state.session.env
  local saved = {}
  for i, mod in ipairs(state.mods) do
    local names = {}
    for name, mt in pairs(mod.metatables) do names[mt] = name end
    saved[i] = save_copy(storage_of(state, mod), "storage", names, {})
  end
  -- Mods with a control.lua start from a fresh script state; the test's own registrations
  -- (no control.lua to run again) stay.
  for _, mod in ipairs(state.mods) do
    if mod.root then
      script.clear_mod(state, mod)
      require("factorio_mocks.control.commands").clear_mod(state, mod)
    end
  end
  for i, mod in ipairs(state.mods) do
    set_storage(mod, {})
    if mod.root then run_main_chunk(state, mod) end
    attach_metatables(saved[i], mod.metatables, {})
    set_storage(mod, saved[i])
  end
  script.rebuild_all(state)
  local game = rawget(env, "game")
  rawset(env, "game", nil)
  local ok, err = pcall(function()
    for i, mod in ipairs(state.mods) do
      if mod.on_load then
        local copies, originals = {}, {}
        local before = save_copy(saved[i], "storage", {}, copies)
        for original, copy in pairs(copies) do originals[copy] = original end
        script.call(mod, "on_load()", mod.on_load)
        local diff = difference(storage_of(state, mod), before, "storage", {}, copies, originals)
        if diff then
          error(("Error while running event %s::on_load()\nDetected modifications to the 'storage' table: %s changed during on_load"):format(mod.name, diff), 0)
        end
      end
    end
  end)
  rawset(env, "game", game)
  if not ok then error(err, 0) end
end

--- fm.configuration_changed{…}: the migrations the save has not had (a mod in mod_changes
--- without old_version is new to the save and has had none; `new_migrations = {mod = {file…}}`
--- names files an updated mod's old version lacked), then ConfigurationChangedData to every
--- mod's handler.
function M.configuration_changed(state, changes)
  changes = changes or {}
  if type(changes) ~= "table" then
    error("fm.configuration_changed: expected a ConfigurationChangedData table, got " .. type(changes), 3)
  end
  local data = {
    old_version = changes.old_version, new_version = changes.new_version,
    mod_changes = changes.mod_changes or {},
    mod_startup_settings_changed = changes.mod_startup_settings_changed or false,
    migration_applied = changes.migration_applied or false,
  }
  local added = {}
  for name, change in pairs(data.mod_changes) do
    if type(change) == "table" and change.old_version == nil and change.new_version ~= nil then added[name] = true end
  end
  local renames, applied = migrations.run(state, added, changes.new_migrations, 3)
  for kind, map in pairs(changes.migrations or {}) do renames[kind] = map end
  data.migrations, data.migration_applied = renames, data.migration_applied or applied
  for _, mod in ipairs(state.mods) do
    if mod.on_configuration_changed then
      script.call(mod, "on_configuration_changed", mod.on_configuration_changed, data)
    end
  end
end


return M
