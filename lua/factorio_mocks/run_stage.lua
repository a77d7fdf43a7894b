-- fm.run_stage: the settings or data stage of real mods, in the game's load order.
--
-- Each step runs for every mod before the next step starts (data.lua of all mods, then
-- data-updates.lua, then data-final-fixes.lua). For the data stage, the mods' settings stage
-- runs first, apart, to learn their setting prototypes; settings.startup is computed from them
-- with mod-settings.dat values applied.

local mod_loader = require("factorio_mocks.mod_loader")
local data_stage = require("factorio_mocks.stage.data")
local common = require("factorio_mocks.stage.common")
local files = require("factorio_mocks.files")
local game_env = require("factorio_mocks.game_env")


local SETTING_TYPES = { "bool-setting", "int-setting", "double-setting", "string-setting", "color-setting" }

local function contains(list, value)
  if type(list) ~= "table" then return false end
  for _, v in ipairs(list) do
    if v == value then return true end
  end
  return false
end

-- The value the game uses for a setting prototype, given the value stored in mod-settings.dat.
-- A stored value is used when it fits the prototype (type, allowed values, bounds); otherwise
-- the default. A hidden setting with a forced value always takes the forced value.
local function setting_value(proto, stored)
  if proto.hidden and proto.forced_value ~= nil then return proto.forced_value end
  local kind = proto.type
  local value = proto.default_value
  if stored ~= nil then
    local fits
    if kind == "bool-setting" then
      fits = type(stored) == "boolean"
    elseif kind == "int-setting" or kind == "double-setting" then
      fits = type(stored) == "number"
        and (kind == "double-setting" or stored == math.floor(stored))
        and (proto.minimum_value == nil or stored >= proto.minimum_value)
        and (proto.maximum_value == nil or stored <= proto.maximum_value)
        and (proto.allowed_values == nil or contains(proto.allowed_values, stored))
    elseif kind == "string-setting" then
      fits = type(stored) == "string"
        and (proto.allowed_values == nil or contains(proto.allowed_values, stored))
        and (stored ~= "" or proto.allow_blank == true or proto.allowed_values ~= nil)
    else
      fits = type(stored) == type(value)
    end
    if fits then value = stored end
  end
  if kind == "string-setting" and proto.auto_trim and type(value) == "string" then
    value = value:match("^%s*(.-)%s*$")
  end
  return value
end

--- `{name = {value = v}}` of one setting_type from the setting prototypes in `raw`.
local function settings_of(raw, setting_type, stored)
  local out = {}
  for _, kind in ipairs(SETTING_TYPES) do
    for name, proto in pairs(raw[kind] or {}) do
      if proto.setting_type == setting_type then
        local saved = stored and stored[name]
        out[name] = { value = setting_value(proto, saved and saved.value) }
      end
    end
  end
  return out
end

return function(fm)
  -- Raised bare; fm.run_stage is wrapped below so the error names the caller's line.
  local function fail(message) error("fm.run_stage: " .. message, 0) end

  local function collect(opts, session)
    local list, by_name = {}, {}
    local function add(mod)
      if by_name[mod.name] then fail(("mod %q is given twice (%s and %s)"):format(mod.name, by_name[mod.name].path, mod.path)) end
      list[#list + 1] = mod
      by_name[mod.name] = mod
    end
    -- The game's own mods, in a game data folder, run before the user's mods.
    if opts.factorio_data then
      for _, mod in ipairs(mod_loader.game_mods(fm, files.expand(opts.factorio_data), session.dataset)) do add(mod) end
    end
    for i, path in ipairs(opts.mods or {}) do
      if type(path) ~= "string" then fail(("mods[%d] must be a path to a mod folder or zip"):format(i)) end
      local ok, mod = pcall(fm.mods.load, files.expand(path))
      -- The reason without our own file's position: the user's line gets it.
      if not ok then fail(tostring(mod):gsub("^[%w_/]*factorio_mocks/[%w_/]+%.lua:%d+: ", ""):gsub("^fm%.mods%.load: ", "")) end
      add(mod)
    end
    return list, by_name
  end

  local function check(list, present)
    local with_present = {}
    for _, mod in ipairs(list) do with_present[#with_present + 1] = mod end
    for name, version in pairs(present) do
      with_present[#with_present + 1] = { name = name, version = version, dependencies = {} }
    end
    local problems = fm.mods.check(with_present)
    if #problems > 0 then
      local lines = {}
      for _, p in ipairs(problems) do lines[#lines + 1] = "  " .. p.message end
      fail("the mods cannot load together:\n" .. table.concat(lines, "\n"))
    end
    local ordered = {}
    for _, mod in ipairs(fm.mods.load_order(with_present)) do
      if mod.path then ordered[#ordered + 1] = mod end
    end
    return ordered
  end

  local read = mod_loader.reader(fm)

  --- fm.run_stage{stage = "settings" | "data", mods = {…}, mod_settings = path, factorio_data = path}
  -- `session`: the one set up (fm.run_stage), or a private one (fm.setup's load_mods).
  local function run_stage(opts, session)
    if type(opts) ~= "table" then fail("expected a table such as {stage = \"data\", mods = {\"path/to/mod\"}}") end
    local stage = opts.stage or "data"
    if not mod_loader.STEPS[stage] then fail(("unknown stage %q; use \"settings\" or \"data\""):format(tostring(stage))) end
    session = session or fm.current()
    if not session or session.stage ~= stage then
      fail(("the %s stage is not set up; call fm.setup{stage = %q} first"):format(stage, stage))
    end
    local env = session.env
    -- The game's folder runs from the state the game starts in: the globals the dataset's own
    -- game mods leave (`hit_effects_loaded`, `autoplace_sets`, …) would guard its files off.
    if opts.factorio_data then session.game_globals_off = true end
    local list, by_name = collect(opts, session)
    -- Mods the dataset already holds (base, …) count as present unless the game runs them here.
    local present = {}
    if not opts.factorio_data then
      for name, version in pairs(env.mods or {}) do
        if not by_name[name] then present[name] = version end
      end
    end
    local ordered = check(list, present)
    -- Without a game folder the dataset's copy of the game's Lua answers `require("util")` and
    -- `__base__/…`; its data already is in data.raw, so those mods do not run again.
    local reachable = {}
    if not opts.factorio_data then
      for _, mod in ipairs(mod_loader.dataset_game_mods(session.dataset)) do reachable[mod.name] = mod end
    end
    for name, mod in pairs(by_name) do reachable[name] = mod end

    local active = {}
    for name, version in pairs(present) do active[name] = version end
    for _, mod in ipairs(list) do active[mod.name] = mod.version end
    env.mods = active
    -- The game's mods of a game folder set the feature flags the data stage sees (space-age
    -- turns them all on), not the dataset the session started from.
    if opts.factorio_data then
      env.feature_flags = common.feature_flags({ dataset = {}, opts = session.opts }, active)
    end

    if stage == "data" and not opts.factorio_data then
      -- In the game core's and base's data stage ran first: their globals and what util does to
      -- the table library (`table.deepcopy`) are there before any mod's data.lua.
      game_env.globals(fm, session)
    end
    if stage == "data" then
      -- The settings stage runs apart, in a fresh environment, as the game runs it in its own
      -- Lua state; only the resulting startup values reach the data stage.
      local raw = mod_loader.settings_stage(env, reachable, ordered, read, active)
      local stored = opts.mod_settings and fm.mod_settings.read(files.expand(opts.mod_settings)).startup
      local startup = settings_of(raw, "startup", stored)
      for name, setting in pairs(env.settings and env.settings.startup or {}) do
        if startup[name] == nil then startup[name] = setting end
      end
      env.settings = { startup = common.apply_setting_overrides(startup, session.opts.settings) }
      if opts.factorio_data then
        env.data = data_stage.new_data({}, env.serpent)
      end
    end
    mod_loader.run_steps(mod_loader.new(env, reachable, read), ordered, stage)
    local order = {}
    for _, mod in ipairs(ordered) do order[#order + 1] = mod.name end
    return { order = order, mods = ordered }
  end

  return require("factorio_mocks.errors").wrap(function(opts) return run_stage(opts) end, 2), run_stage
end
