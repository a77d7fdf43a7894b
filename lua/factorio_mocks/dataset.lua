-- Opening a dataset and reading its parts, as data.
--
-- A dataset gives `types()` and `build(type)`: JSON datasets (and the built-in one) build in
-- Rust from a parsed tree; the generator's Lua layout runs each type's file as a text chunk
-- in an empty environment whose only `require` reaches the dataset's own files.

local chunk = require("factorio_mocks.chunk")

local M = {}

local PREFIX = "___GENERATED__FACTORIO__DATA___."

-- A dataset file is data (a table constructor), which runs in a few million VM instructions at
-- most; a file still running after this many is a loop, damaged or hostile, and is stopped.
-- (`M.budget` may be lowered, as the specs do.)
M.budget = 200 * 1000 * 1000
local STEP = 10000

-- Runs `fn` with an instruction budget: a count hook on this coroutine errors once `budget`
-- instructions have run; the hook that was there before (luacov's) is put back. LuaJIT never
-- calls hooks in compiled code, so its compiler is turned off for the chunk and every function
-- inside it. A hook set from C (debug.gethook says "external hook") cannot be put back, so the
-- chunk then runs without one, as it does where there is no debug library.
local debug = debug
local function with_budget(fn, budget, ...)
  -- A host without the debug library (an embedder's sandbox) runs dataset files unbudgeted.
  if not (debug and debug.gethook and debug.sethook) then return false, pcall(fn, ...) end
  local old_hook, old_mask, old_count = debug.gethook()
  if old_hook ~= nil and type(old_hook) ~= "function" then return false, pcall(fn, ...) end
  if jit then jit.off(fn, true) end
  local steps, exhausted = 0, false
  local limit = math.ceil(budget / STEP)
  debug.sethook(function()
    steps = steps + 1
    if steps >= limit then
      exhausted = true
      error("instruction budget exhausted", 0)
    end
  end, "", STEP)
  -- The string methods are out of reach meanwhile: ("x"):rep(2^40) is one instruction.
  local string_mt = getmetatable("")
  local string_index = string_mt and string_mt.__index
  if string_mt then string_mt.__index = {} end
  local results = { pcall(fn, ...) }
  if string_mt then string_mt.__index = string_index end
  if old_hook then debug.sethook(old_hook, old_mask, old_count) else debug.sethook() end
  return exhausted, (table.unpack or unpack)(results)
end

-- The string methods, for compiling a file required from inside another (chunk.load uses them).
local string_methods = getmetatable("") and getmetatable("").__index
local sub, gsub, format = string.sub, string.gsub, string.format

-- chunk.load with the string methods in reach, whatever the running dataset chunk hides.
local function load_text(text, chunkname, env)
  local mt = getmetatable("")
  local now = mt and mt.__index
  if mt then mt.__index = string_methods end
  local ok, fn, err = pcall(chunk.load, text, chunkname, env)
  if mt then mt.__index = now end
  if not ok then return nil, tostring(fn) end
  return fn, err
end

-- Loads `text` as a text chunk (never bytecode) with `env` as its only globals, and runs it
-- within the instruction budget. (It may run inside another dataset chunk: plain calls only.)
local function run_data_chunk(text, chunkname, env, budget)
  local fn, err = load_text(text, chunkname, env)
  if not fn then error(err .. " (the dataset file is not valid Lua; regenerate or re-fetch it)", 0) end
  budget = budget or M.budget
  local exhausted, ok, result = with_budget(fn, budget)
  if exhausted then
    error(format("%s: still running after %d Lua instructions: a dataset file is data (a table), not a program, "
      .. "so this one is damaged or hostile; regenerate or re-fetch the dataset", (gsub(chunkname, "^[@=]", "")), budget), 0)
  end
  if not ok then error(tostring(result) .. " (while loading dataset data)", 0) end
  return result
end
M.run_data_chunk = run_data_chunk

-- The environment dataset files run in: numbers the serializers write for infinities, and a
-- `require` limited to the dataset's own prefix.
local function data_env(ds)
  local env = { math = { huge = math.huge }, inf = math.huge, nan = 0 / 0 }
  -- It runs inside a dataset chunk, where the string methods are out of reach: plain calls.
  function env.require(name)
    if type(name) ~= "string" or sub(name, 1, #PREFIX) ~= PREFIX then
      error(format("require(%q): a dataset file may only require %s* modules", tostring(name), PREFIX), 2)
    end
    local rel = gsub(sub(name, #PREFIX + 1), "%.", "/") .. ".lua"
    return run_data_chunk(ds:read(rel), "@" .. ds:dir() .. "/" .. rel, env)
  end
  return env
end

local exists = require("factorio_mocks.files").exists

-- Reads prototype/<name>.lua (mods, settings, feature-flags) when the dataset has it.
local function optional_part(ds, env, rel)
  local dir = ds:dir()
  if not dir or not exists(dir .. "/" .. rel) then return nil end
  return run_data_chunk(ds:read(rel), "@" .. dir .. "/" .. rel, env)
end

local function lua_layout(ds, env)
  local files, inline, types = {}, {}, {}
  -- init.lua names one module per type; running it with a recording `require` keeps the
  -- types lazy: each file is read when its type is first touched.
  local init_env = setmetatable({ require = function(name) return { __factorio_mocks_module = name } end }, { __index = env })
  local init = run_data_chunk(ds:read("prototype/data-raw/init.lua"), "@" .. ds:dir() .. "/prototype/data-raw/init.lua", init_env)
  if type(init) ~= "table" then
    error(ds:dir() .. "/prototype/data-raw/init.lua: must return a table of prototype types", 0)
  end
  for type_name, value in pairs(init) do
    types[#types + 1] = type_name
    if type(value) == "table" and value.__factorio_mocks_module then
      files[type_name] = value.__factorio_mocks_module
    else
      inline[type_name] = value
    end
  end
  table.sort(types)
  return {
    types = function() return types end,
    build = function(type_name)
      if files[type_name] then return env.require(files[type_name]) end
      if inline[type_name] ~= nil then
        -- Inline data is re-read so each build is a fresh copy, like the file-backed types.
        local fresh = run_data_chunk(ds:read("prototype/data-raw/init.lua"), "@" .. ds:dir() .. "/prototype/data-raw/init.lua", init_env)
        return fresh[type_name]
      end
    end,
  }
end

-- The game's mods beyond core and base; each built-in version carries them as a second set.
local EXPANSIONS = { ["elevated-rails"] = true, quality = true, ["space-age"] = true, recycler = true }
-- Dependency kinds that make the game enable a mod: required ones, and 2.1's recommended `+`.
local ENABLING = { required = true, no_load_order = true, recommended = true }

--- Whether a setup without a dataset gets the built-in set with the expansions: when fm.setup's
--- `mods` turns one on, or a mod of `load_mods` (`mods`: their tables) needs one.
function M.wants_expansions(opts, mods)
  for name, version in pairs(opts.mods or {}) do
    if EXPANSIONS[name] and version then return true end
  end
  for _, mod in ipairs(mods or {}) do
    for _, dep in ipairs(mod.dependencies or {}) do
      if EXPANSIONS[dep.name] and ENABLING[dep.kind] then return true end
    end
  end
  return false
end

--- Opens the dataset `spec` (nil: built-in; a directory; a .json file; a remote reference).
--- With `spec` nil, `game_version` picks the built-in dataset ("2.1.9", or "2.1" for the newest
--- of that line; nil: the default, native.default_builtin_version), and `expansions` its set:
--- core and base, or with the expansions.
function M.open(native, spec, game_version, expansions)
  if spec ~= nil and type(spec) ~= "string" then
    error("dataset: expected a path string or nil for the built-in dataset, got " .. type(spec), 0)
  end
  if game_version ~= nil and type(game_version) ~= "string" then
    error(("game_version: expected a version string such as \"2.1\" or \"2.0.77\", got %s; the built-in versions are %s")
      :format(type(game_version), table.concat(native.builtin_versions(), ", ")), 0)
  end
  local ok, ds = pcall(native.open_dataset, spec, spec == nil and game_version or nil, spec == nil and expansions or nil)
  if not ok then error(tostring(ds), 0) end
  local env = ds:dir() and data_env(ds)
  local metadata = ds:metadata_lua()
  if metadata then
    local meta = run_data_chunk(io.open(metadata, "rb"):read("*a"), "@" .. metadata, {})
    if type(meta) ~= "table" then error(metadata .. ": must return a table", 0) end
    ds:set_metadata(meta)
  end
  ds:load()
  local source
  if ds:layout() == "lua" then
    source = lua_layout(ds, env)
  else
    local names_of = {}
    source = {
      types = function() return ds:types() end,
      build = function(type_name) return ds:build(type_name) end,
      build_all = function() return ds:build_all() end,
      -- One prototype at a time: its type's names (read once per process), then each built alone.
      names = function(type_name)
        local list = names_of[type_name]
        if list == nil then
          list = ds:names(type_name) or false
          names_of[type_name] = list
        end
        return list or nil
      end,
      build_entry = function(type_name, name) return ds:build_entry(type_name, name) end,
    }
  end
  local dataset = {
    native = ds,
    source = source,
    factorio_version = ds:factorio_version(),
  }
  if ds:layout() == "builtin" then
    -- Its mods are the game's it holds, at its version (core is not a mod of the list).
    dataset.mods = {}
    for _, name in ipairs(ds:game_mods()) do
      if name ~= "core" then dataset.mods[name] = dataset.factorio_version end
    end
  end
  if env then
    dataset.mods = optional_part(ds, env, "prototype/mods.lua")
    dataset.settings = optional_part(ds, env, "prototype/settings.lua")
    dataset.feature_flags = optional_part(ds, env, "prototype/feature-flags.lua")
  end
  return dataset
end

return M
