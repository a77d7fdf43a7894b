-- The `factorio_mocks` module table: setup, reset and teardown of a stage.
--
-- A session remembers what the environment looked like before setup (to restore it on
-- teardown) and right after setup (to return to it on reset), like busted's insulate does for
-- _G and package.loaded. Stage globals are rebuilt on reset rather than deep-copied: data.raw
-- is lazy, so only the prototype types a test touches are ever built again.

local datasets = require("factorio_mocks.dataset")
do
  -- A built-in dataset is opened once per process and version: nothing in it can change, and
  -- what is learnt about it (which type holds a prototype) serves every later session.
  local open, builtin = datasets.open, setmetatable({}, { __mode = "k" })
  datasets = setmetatable({ open = function(native, spec, version, expansions)
    if spec ~= nil then return open(native, spec, version) end
    local per_native = builtin[native] or {}
    builtin[native] = per_native
    local key = (version or "") .. (expansions and "+expansions" or "")
    local dataset = per_native[key]
    if not dataset then
      dataset = open(native, spec, version, expansions)
      -- Its types, listed once (every data.raw and prototype lookup starts from the list).
      local types, list = dataset.source.types, nil
      dataset.source.types = function() list = list or types(); return list end
      per_native[key] = dataset
    end
    return dataset
  end }, { __index = datasets })
end
local mod_loader = require("factorio_mocks.mod_loader")
local game_env = require("factorio_mocks.game_env")
local load_mods = require("factorio_mocks.load_mods")
local options = require("factorio_mocks.options")
local errors = require("factorio_mocks.errors")
local game_version = require("factorio_mocks.game_version")

local STAGES = {
  settings = "settings", data = "data", control = "control",
  prototype = "data", runtime = "control",
}

-- Modules a test run keeps loaded across resets: the test framework's own.
local KEEP_LOADED = { "^busted", "^luassert", "^say$", "^say%.", "^pl%.", "^term", "^system", "^mediator",
  "^cliargs", "^factorio_mocks" }

-- Under LuaCov (busted --coverage), a mod's files are reported by their paths on disk.
if package.loaded["luacov.runner"] then require("factorio_mocks.luacov").install() end

return function(native)
  local fm = { VERSION = native.VERSION, logs = {} }
  -- The game versions of the built-in datasets, newest first (fm.setup's game_version picks one).
  fm.builtin_versions = native.builtin_versions
  local session, run_stage_in

  local function shallow_copy(t)
    local copy = {}
    for k, v in pairs(t) do copy[k] = v end
    return copy
  end

  local function keep_loaded(name)
    if type(name) ~= "string" then return false end
    for _, pattern in ipairs(KEEP_LOADED) do
      if name:find(pattern) then return true end
    end
    return false
  end

  -- Makes `t` hold exactly the entries of `snapshot` (raw access: no metamethods run).
  local function restore(t, snapshot, keep)
    local extra = {}
    for k in next, t do
      if snapshot[k] == nil and not (keep and keep(k)) then extra[#extra + 1] = k end
    end
    for _, k in ipairs(extra) do rawset(t, k, nil) end
    for k, v in next, snapshot do
      if rawget(t, k) ~= v then rawset(t, k, v) end
    end
  end

  local function install(s)
    local globals = require("factorio_mocks.stage." .. s.stage).globals(s, fm)
    for name, value in pairs(globals) do rawset(s.env, name, value) end
    -- The game's Lua, for the test's own require (fresh on every reset, like package.loaded).
    local game_mods = {}
    for _, mod in ipairs(mod_loader.dataset_game_mods(s.dataset)) do game_mods[mod.name] = mod end
    s.game = { mods = game_mods, loader = mod_loader.new(s.env, game_mods, mod_loader.reader(fm)) }
    mod_loader.install_searcher(function() return session and session.game end)
    if s.stage == "data" and not s.env_metatable then
      s.env_metatable = { previous = game_env.attach(fm, s) }
    end
    if s.opts.load_mods and s.stage == "control" then
      load_mods.start_control(fm, s.dataset)
    elseif s.opts.load_mods and s.stage == "settings" then
      run_stage_in({ stage = "settings", mods = s.dataset.loaded_paths }, s)
    end
    s.loaded_after_setup = shallow_copy(package.loaded)
  end

  -- Options as plain data, to tell whether a later setup asks for the same (`into` is kept as
  -- the table itself); nil for a table too deep to be options.
  local function copy_options(value, depth)
    if type(value) ~= "table" then return value end
    if depth > 8 then return nil end
    local copy = {}
    for k, v in next, value do
      local c = (depth == 0 and k == "into") and v or copy_options(v, depth + 1)
      if c == nil then return nil end
      copy[k] = c
    end
    return copy
  end
  local function same_options(a, b, depth)
    if type(a) ~= "table" or type(b) ~= "table" then return a == b end
    for k, v in next, a do
      if depth == 0 and k == "into" then
        if v ~= b.into then return false end
      elseif not same_options(v, b[k], depth + 1) then return false end
    end
    for k in next, b do
      if a[k] == nil then return false end
    end
    return true
  end

  --- Installs one stage's globals into `opts.into` (default _G) and returns that table.
  function fm.setup(opts)
    if opts ~= nil and type(opts) ~= "table" then
      error("fm.setup: expected a table of options such as {stage = \"data\"}, got " .. type(opts), 2)
    end
    opts = opts or {}
    options.check(opts, 2)
    local stage = STAGES[opts.stage or "data"]
    if not stage then
      error(("fm.setup: unknown stage %q; use \"settings\", \"data\" or \"control\""):format(tostring(opts.stage)), 2)
    end
    -- The same options as the session's (busted's before_each, test after test): a reset gives
    -- what a teardown and a new setup would, without opening the dataset and building it all again.
    -- Files named by the options are read again by a real setup (a test may have changed them).
    if session and session.same_as and opts.dataset == nil and opts.load_mods == nil and opts.mod_settings == nil
      and opts.factorio_data == nil and same_options(opts, session.same_as, 0) then
      session.opts = opts
      fm.reset()
      return session.env
    end
    if session then fm.teardown() end
    local env = opts.into or _G
    local ok_version, requested = pcall(game_version.requested, opts.game_version)
    if not ok_version then error(errors.message(requested), 2) end
    local ok_paths, mod_paths = true, nil
    if opts.load_mods ~= nil then ok_paths, mod_paths = pcall(load_mods.paths_of, opts.load_mods) end
    if not ok_paths then error(errors.message(mod_paths), 2) end
    local mod_infos = mod_paths and load_mods.infos(fm, mod_paths)
    local mods_version = mod_infos and game_version.of_mods(mod_infos)
    local ok_default, default = pcall(game_version.default)
    if not ok_default then error(errors.message(default), 2) end
    -- Without a dataset: the built-in one of the version asked for, else the mods', else the
    -- default; with the expansions when `mods` or the mods under test need them.
    local builtin = opts.dataset == nil and (requested or (mods_version and game_version.for_game(mods_version)) or default)
    local expansions = builtin and datasets.wants_expansions(opts, mod_infos)
    local ok, dataset = pcall(datasets.open, native, opts.dataset, builtin and builtin.version or nil, expansions)
    if not ok then error(errors.message(dataset), 2) end
    -- The version mocked: asked for, else the dataset's, else the mods' (see game_version.lua).
    local version = requested or game_version.for_game(dataset.factorio_version)
      or (mods_version and game_version.for_game(mods_version)) or default
    if stage == "control" and dataset.factorio_version and not requested and not game_version.for_game(dataset.factorio_version) then
      error(("fm.setup: the dataset is of game version %s, which has no runtime API description here; "
        .. "the control stage mocks %s (pass game_version = … to choose one); the data stage works with any version")
        :format(dataset.factorio_version, game_version.names()), 2)
    end
    game_version.warn_mismatch(mods_version, version)
    if opts.load_mods ~= nil and stage ~= "settings" then
      ok, dataset = pcall(load_mods.prepare, fm, run_stage_in, native, dataset, opts, version)
      if not ok then error(errors.message(dataset), 2) end
    elseif opts.load_mods ~= nil then
      dataset = setmetatable({ loaded_paths = mod_paths }, { __index = dataset })
    end
    session = {
      stage = stage, env = env, opts = opts, dataset = dataset, game_version = version,
      before_setup = shallow_copy(env), loaded_before_setup = shallow_copy(package.loaded),
      same_as = copy_options(opts, 0),
    }
    fm.logs = {}
    -- The dictionary starts from the dataset's languages (before install: the control stage's
    -- load_mods add their locale there); a test adds its mod's with fm.locale.load.
    fm.locale.start_session(opts.locale or { "en" })
    install(session)
    return env
  end

  --- Returns the environment to the state right after setup: data.raw as the dataset has it,
  --- every installed global fresh, globals and modules added since setup gone.
  function fm.reset()
    if not session then error("fm.reset: nothing is set up; call fm.setup{stage = ...} first", 2) end
    restore(package.loaded, session.loaded_after_setup, keep_loaded)
    restore(session.env, session.before_setup)
    session.game_globals_off = nil
    fm.logs = {}
    fm.locale.start_session()
    install(session)
    return session.env
  end

  --- Removes what setup installed and restores what it replaced.
  function fm.teardown()
    if not session then return end
    restore(package.loaded, session.loaded_before_setup, keep_loaded)
    restore(session.env, session.before_setup)
    mod_loader.remove_searcher()
    if session.env_metatable then setmetatable(session.env, session.env_metatable.previous) end
    session = nil
  end

  --- The game version the current stage mocks ("2.1.9"), or nil when nothing is set up.
  function fm.game_version()
    return session and session.game_version.version or nil
  end

  --- The current session (stage, env, dataset), for the other shims; nil when nothing is set up.
  function fm.current()
    return session
  end

  fm.run_stage, run_stage_in = require("factorio_mocks.run_stage")(fm)
  -- The game's load-time checks of data.raw (factorio_mocks.validate), loaded on first use.
  function fm.validate(raw, version) local r = require("factorio_mocks.validate").validate(fm, raw, version) return r end
  -- The control stage's driver (fm.init, fm.tick, …) and its API description load the first
  -- time one of them is used, so a data-stage test run never pays for them.
  local control_attached = false
  setmetatable(fm, { __index = function(t, key)
    if control_attached then return nil end
    control_attached = true
    require("factorio_mocks.control").attach(t)
    return rawget(t, key)
  end })

  return fm
end
