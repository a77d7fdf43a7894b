-- fm.setup's `load_mods`: the mods under test, loaded as the game loads them.
--
-- Their settings and data stages run over the dataset (the game's Lua present, the game's order,
-- startup settings from their setting prototypes and mod_settings), in a private environment;
-- the stage asked for then starts from that result: data.raw after data-final-fixes, and for the
-- control stage `prototypes` holding their prototypes and their control.lua files loaded in order.
-- The result is kept per process by content (the dataset, every file of the mods, mod_settings,
-- settings), so the next setup of a suite only copies the prototype types a test reads.

local files = require("factorio_mocks.files")
local game_env = require("factorio_mocks.game_env")
local data_stage = require("factorio_mocks.stage.data")
local common = require("factorio_mocks.stage.common")

local M = {}

local results = {} -- content key → what the mods' data stage left

local function fail(message) error("fm.setup: " .. message, 0) end

-- A stable text of a settings table, for the content key.
local function describe(value)
  if type(value) ~= "table" then return tostring(value) end
  local keys = {}
  for k in pairs(value) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. describe(value[k]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

function M.paths_of(list)
  if type(list) ~= "table" then fail("load_mods must be a list of mod folders or zips, such as {\".\"}") end
  local paths = {}
  for i, path in ipairs(list) do
    if type(path) ~= "string" then fail(("load_mods[%d] must be the path of a mod folder or zip, got %s"):format(i, type(path))) end
    local expanded = files.expand(path)
    if not files.exists(expanded) then
      fail(("load_mods[%d]: %s does not exist; give the path of a mod folder (the one holding info.json) or a mod zip"):format(i, path))
    end
    paths[i] = expanded
  end
  return paths
end

--- The mod tables (info.json read) of `paths`; a mod that cannot be read is left out here (the
--- stages name it when they load it).
function M.infos(fm, paths)
  local list = {}
  for _, path in ipairs(paths) do
    local ok, mod = pcall(fm.mods.load, path)
    if ok then list[#list + 1] = mod end
  end
  return list
end

-- Runs the mods' settings and data stages once per content; returns what they left.
local function run(fm, run_stage, native, dataset, opts, version)
  local paths = M.paths_of(opts.load_mods)
  local hashed = {}
  for i, p in ipairs(paths) do hashed[i] = p end
  if opts.mod_settings then hashed[#hashed + 1] = files.expand(opts.mod_settings) end
  local key = native.content_key(hashed, table.concat({
    dataset.native:dir() or "<built-in>", tostring(dataset.factorio_version), version and version.version or "",
    describe(dataset.mods), -- a built-in dataset's set: with or without the expansions
    describe(opts.settings), describe(opts.mods),
  }, "|"))
  if results[key] then return results[key] end

  local env = setmetatable({}, { __index = _G })
  local private = { stage = "data", env = env, opts = opts, dataset = dataset, game_version = version }
  for name, value in pairs(data_stage.globals(private, fm)) do rawset(env, name, value) end
  game_env.attach(fm, private, true)
  local ok, result = pcall(run_stage, { stage = "data", mods = paths, mod_settings = opts.mod_settings }, private)
  if not ok then fail(tostring(result):gsub("^fm%.run_stage: ", "load_mods: ")) end
  local r = { raw = env.data.raw, mods = env.mods, startup = env.settings.startup, order = result.mods }
  results[key] = r
  return r
end

--- The dataset the stage starts from: `dataset` with the mods' data stage applied.
local function derived(dataset, r)
  local source = dataset.source
  local changed, names_of = {}, {}
  for type_name, value in next, r.raw do changed[type_name] = common.materialize(value) end
  return setmetatable({
    source = {
      types = function()
        local seen, list = {}, {}
        for _, t in ipairs(source.types() or {}) do seen[t] = true; list[#list + 1] = t end
        for t in pairs(changed) do if not seen[t] then list[#list + 1] = t end end
        return list
      end,
      -- A type the mods touched is copied from their result; the rest builds from the dataset.
      build = function(type_name)
        if changed[type_name] ~= nil then return game_env.deep_copy(changed[type_name]) end
        return source.build(type_name)
      end,
      -- And one prototype at a time, likewise.
      names = source.names and function(type_name)
        local of_type = changed[type_name]
        if of_type == nil then return source.names(type_name) end
        if type(of_type) ~= "table" then return nil end
        local list = names_of[type_name]
        if not list then
          list = {}
          for name in pairs(of_type) do list[#list + 1] = name end
          names_of[type_name] = list
        end
        return list
      end,
      build_entry = function(type_name, name)
        local of_type = changed[type_name]
        if of_type ~= nil then return game_env.deep_copy(of_type[name]) end
        return source.build_entry(type_name, name)
      end,
    },
    mods = r.mods,
    settings = { startup = r.startup },
    loaded_mods = r.order,
  }, { __index = dataset })
end

--- Called by fm.setup: the session's dataset becomes the mods' result.
function M.prepare(fm, run_stage, native, dataset, opts, version)
  return derived(dataset, run(fm, run_stage, native, dataset, opts, version))
end

--- After the control stage's globals are installed: every mod reachable by require, their
--- locale loaded, and the control.lua of each that has one run, in load order.
function M.start_control(fm, dataset)
  for _, mod in ipairs(dataset.loaded_mods or {}) do fm.add_mod(mod.path) end
  for _, mod in ipairs(dataset.loaded_mods or {}) do
    if fm.mods.read_file(mod, "control.lua") then
      fm.load_control(mod.path)
    elseif not mod.zip and files.exists(mod.path .. "/locale") then
      fm.locale.load(mod.path)
    end
  end
end

return M
