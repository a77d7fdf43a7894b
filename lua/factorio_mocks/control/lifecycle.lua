-- Loading control.lua with the game's require rules, and the lifecycle around it: on_init,
-- save/load (storage round-trip, on_load with game == nil, no storage changes during on_load)
-- and on_configuration_changed.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local json = require("factorio_mocks.control.json")

local M = {}

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return text
end

local function load_chunk(text, chunkname, env)
  local fn, err
  if setfenv then
    fn, err = loadstring(text, chunkname)
    if fn then setfenv(fn, env) end
  else
    fn, err = load(text, chunkname, "t", env)
  end
  if not fn then error(err, 0) end
  return fn
end

-- "scripts.gui" / "scripts/gui" / "scripts/gui.lua" → "scripts/gui.lua"
local function module_file(name)
  name = name:gsub("%.lua$", "")
  return (name:gsub("%.", "/")) .. ".lua"
end

local function normalize(path)
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then parts[#parts] = nil elseif part ~= "." then parts[#parts + 1] = part end
  end
  return table.concat(parts, "/")
end

-- Finds a module for `mod`: `__other__/path` in another known mod; otherwise relative to the
-- requiring file's folder, then to the mod root, then the game's core/lualib when the test gave
-- `factorio_data` to fm.setup.
local function find_module(state, mod, name, from_dir)
  local other, rest = name:match("^__([^/]+)__/(.*)$")
  if other then
    local target = state.mods_by_name[other] or (state.known_roots[other] and { name = other, root = state.known_roots[other] })
    if not target then
      error(("module %s not found; mod '%s' is not known to the test (load it with fm.load_control or fm.add_mod)"):format(name, other), 0)
    end
    local rel = module_file(rest)
    return target.root .. "/" .. rel, "__" .. other .. "__/" .. rel, target
  end
  local rel = module_file(name)
  local candidates = {}
  if from_dir and from_dir ~= "" then candidates[#candidates + 1] = normalize(from_dir .. "/" .. rel) end
  candidates[#candidates + 1] = normalize(rel)
  for _, c in ipairs(candidates) do
    local path = mod.root .. "/" .. c
    if read_file(path) then return path, "__" .. mod.name .. "__/" .. c, mod end
  end
  local data_dir = state.session.opts.factorio_data
  if data_dir then
    local path = data_dir .. "/core/lualib/" .. rel
    if read_file(path) then return path, "__core__/lualib/" .. rel, mod end
  end
  error(("module %s not found; looked in %s (the game's core/lualib is available when fm.setup gets factorio_data)"):format(
    name, table.concat(candidates, ", ")), 0)
end

-- Runs one mod file in the mod's environment, caching by the game's name for it.
local function run_module(state, mod, name, from_dir)
  local path, chunk_name, owner = find_module(state, mod, name, from_dir)
  local cache = mod.loaded
  if cache[chunk_name] ~= nil then return cache[chunk_name] end
  local fn = load_chunk(read_file(path), "@" .. chunk_name, mod.env)
  local dir = chunk_name:match("^__[^/]+__/(.*)/[^/]*$") or ""
  local saved = state.require_dir
  state.require_dir = dir
  local result = fn()
  state.require_dir = saved
  if result == nil then result = true end
  cache[chunk_name] = result
  return result
end

--- The `require` every mod sees: mod rules while a control.lua is being parsed, the game's
--- error from mod code afterwards, and the host's require for the test's own code.
function M.make_require(state, host_require)
  return function(name)
    if state.parsing then
      return run_module(state, state.parsing, name, state.require_dir)
    end
    local info = debug.getinfo(2, "S")
    local source = info and info.source or ""
    if source:match("^@__[^/]+__/") then
      error(source:sub(2) .. ": Require can't be used outside of control.lua parsing", 2)
    end
    return host_require(name)
  end
end

local function basename(path)
  return (path:gsub("[/\\]+$", "")):match("([^/\\]+)$") or path
end

--- Reads a mod folder's name and version (info.json, else the folder name).
local function mod_info(root)
  local text = read_file(root .. "/info.json")
  if text then
    local ok, info = pcall(json.decode, text)
    if ok and type(info) == "table" and info.name then return info.name, info.version end
  end
  local name, version = basename(root):match("^(.-)_(%d+%.%d+%.%d+)$")
  return name or basename(root), version
end

local function run_main_chunk(state, mod)
  local env = state.session.env
  local game = rawget(env, "game")
  rawset(env, "game", nil)   -- `game` is nil while control.lua is parsed, as in the game
  state.parsing = mod
  state.require_dir = ""
  local ok, err = pcall(run_module, state, mod, "control")
  state.parsing = nil
  rawset(env, "game", game)
  if not ok then error(tostring(err), 0) end
end

--- fm.load_control(path): the mod's control.lua, run now; returns the mod's environment.
function M.load_control(state, root)
  if type(root) ~= "string" then
    error("fm.load_control: expected the path of a mod folder, got " .. type(root), 3)
  end
  root = root:gsub("[/\\]+$", "")
  if not read_file(root .. "/control.lua") then
    error("fm.load_control: " .. root .. "/control.lua not found", 3)
  end
  local name, version = mod_info(root)
  local mod = state.mods_by_name[name]
  if mod then error(("fm.load_control: mod '%s' is already loaded in this session"):format(name), 3) end
  local primary = state.primary
  if not primary.root then
    -- The first mod takes over the test's own `script` and `storage`: it runs in the test's globals.
    mod = primary
    state.mods_by_name[mod.name] = nil
    mod.name, mod.version, mod.root = name, version, root
    mod.env = state.session.env
    state.mods_by_name[name] = mod
  else
    mod = script.new_mod(state, name, version)
    mod.root = root
    mod.storage = {}
    mod.env = setmetatable({ script = mod.script, storage = mod.storage }, { __index = state.session.env })
    state.mods[#state.mods + 1] = mod
    state.mods_by_name[name] = mod
  end
  state.active_mods[name] = version or "0.0.0"
  state.known_roots[name] = root
  run_main_chunk(state, mod)
  script.rebuild_all(state)
  return mod.env
end

local function storage_of(state, mod)
  if mod.env == state.session.env then return rawget(mod.env, "storage") end
  return rawget(mod.env, "storage")
end

local function set_storage(mod, value)
  rawset(mod.env, "storage", value)
  mod.storage = value
end

function M.init(state)
  for _, mod in ipairs(state.mods) do
    if mod.on_init then script.call(mod, "on_init()", mod.on_init) end
  end
end

-- Copies `value` the way a save stores it: shared tables stay shared, API objects stay
-- references, functions are refused, metatables survive only when registered by name.
local function save_copy(value, path, names, seen)
  local t = type(value)
  if t == "function" then
    error(("fm.load: %s is a function; functions can't be saved in storage"):format(path), 0)
  elseif t == "userdata" or t == "thread" then
    if classes.is_object(value) then return value end
    error(("fm.load: %s is a %s; only tables, strings, numbers, booleans and API objects can be saved in storage"):format(path, t), 0)
  elseif t ~= "table" then
    return value
  end
  if classes.is_object(value) then return value end
  if seen[value] then return seen[value] end
  local copy = {}
  seen[value] = copy
  for k, v in next, value do
    local key_path = path .. "[" .. (type(k) == "string" and ("%q"):format(k) or tostring(k)) .. "]"
    local ck = save_copy(k, key_path, names, seen)
    copy[ck] = save_copy(v, key_path, names, seen)
  end
  local mt = getmetatable(value)
  if mt ~= nil then
    local name = names[mt]
    if name then setmetatable(copy, { __factorio_mocks_registered = name }) end
  end
  return copy
end

-- After the main chunk ran again: registered metatables come back by name.
local function attach_metatables(value, metatables, seen)
  if type(value) ~= "table" or classes.is_object(value) or seen[value] then return end
  seen[value] = true
  local mt = getmetatable(value)
  if mt and rawget(mt, "__factorio_mocks_registered") then
    local name = mt.__factorio_mocks_registered
    local registered = metatables[name]
    if not registered then
      error(("fm.load: storage has a table whose metatable was registered as '%s', but control.lua didn't register it again"):format(name), 0)
    end
    setmetatable(value, registered)
  end
  for k, v in next, value do
    attach_metatables(k, metatables, seen)
    attach_metatables(v, metatables, seen)
  end
end

-- The first difference between two storage trees, as a path; nil when they are the same.
local function difference(a, b, path, seen)
  if type(a) ~= "table" or type(b) ~= "table" or classes.is_object(a) or classes.is_object(b) then
    if a ~= b and not (a ~= a and b ~= b) then return path end
    return nil
  end
  if seen[a] then return nil end
  seen[a] = true
  for k, v in next, a do
    local where = path .. "[" .. (type(k) == "string" and ("%q"):format(k) or tostring(k)) .. "]"
    local diff = difference(v, rawget(b, k), where, seen)
    if diff then return diff end
  end
  for k in next, b do
    if rawget(a, k) == nil then
      return path .. "[" .. (type(k) == "string" and ("%q"):format(k) or tostring(k)) .. "]"
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
      require("factorio_mocks.control.shims").clear_mod(state, mod)
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
        local before = save_copy(saved[i], "storage", {}, {})
        script.call(mod, "on_load()", mod.on_load)
        local diff = difference(storage_of(state, mod), before, "storage", {})
        if diff then
          error(("Error while running event %s::on_load()\nDetected modifications to the 'storage' table: %s changed during on_load"):format(mod.name, diff), 0)
        end
      end
    end
  end)
  rawset(env, "game", game)
  if not ok then error(err, 0) end
end

--- fm.configuration_changed{…}: ConfigurationChangedData to every mod's handler.
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
  for _, mod in ipairs(state.mods) do
    if mod.on_configuration_changed then
      script.call(mod, "on_configuration_changed", mod.on_configuration_changed, data)
    end
  end
end

M.read_file = read_file

return M
