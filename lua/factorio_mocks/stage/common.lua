-- Globals every stage has: defines, serpent, log, localised_print, table_size, and the data
-- the stages share (mods, startup settings, feature flags).

local M = {}

-- Feature flags each expansion mod turns on (from their info.json).
local EXPANSION_FLAGS = {
  ["space-age"] = { "quality", "rail_bridges", "space_travel", "spoiling", "freezing", "segmented_units", "expansion_shaders" },
  ["quality"] = { "quality" },
  ["elevated-rails"] = { "rail_bridges" },
}
local ALL_FLAGS = { "quality", "rail_bridges", "space_travel", "spoiling", "freezing", "segmented_units", "expansion_shaders" }

local function text_of(fm, message)
  if type(message) == "table" then
    local ok, text = pcall(fm.locale.translate, message)
    if ok then return text end
  end
  return tostring(message)
end

-- debug.getmetatable: API objects hide their metatable behind __metatable, as the game's do.
local function pairs_metamethod(t)
  local mt = debug.getmetatable(t)
  return type(mt) == "table" and rawget(mt, "__pairs") or nil
end

--- Counts every key of a table, as the game's table_size does (also non-array keys). API
--- objects are not tables in the game (userdata), so they are refused like other non-tables.
local function table_size(t)
  local kind = type(t)
  if kind == "table" and type(getmetatable(t)) == "string" then kind = "userdata" end
  if kind ~= "table" then
    error("bad argument #1 to 'table_size' (table expected, got " .. kind .. ")", 2)
  end
  local p = pairs_metamethod(t)
  if p then p(t) end
  local n = 0
  for _ in next, t do n = n + 1 end
  return n
end

-- Lua 5.1 and LuaJIT ignore __pairs; the game's Lua 5.2 honours it (lazy data.raw and the API's
-- custom tables need it).
local function pairs_52(t)
  local p = pairs_metamethod(t)
  if p then return p(t) end
  return next, t, nil
end

function M.globals(session, fm)
  local g = {
    -- A fresh copy per session of the version's defines (a test may change one).
    defines = package.preload[session.game_version and session.game_version.defines or "factorio_mocks.defines"](),
    serpent = package.preload["factorio_mocks.serpent"](),
    table_size = table_size,
  }
  -- Captured in fm.logs (what tests assert on); echoed to stderr with FACTORIO_MOCKS_LOG=1.
  local echo = os.getenv("FACTORIO_MOCKS_LOG") == "1"
  function g.log(message)
    local text = text_of(fm, message)
    fm.logs[#fm.logs + 1] = text
    if echo then io.stderr:write(text, "\n") end
  end
  function g.localised_print(message)
    local text = text_of(fm, message)
    fm.logs[#fm.logs + 1] = text
    if echo then io.stdout:write(text, "\n") end
  end
  if _VERSION == "Lua 5.1" then g.pairs = pairs_52 end
  return g
end

--- The active mods: the dataset's list (or base at its version), with `opts.mods` applied
--- (`false` removes a mod; `true` adds it at the version the dataset has it, else the game's).
function M.mods(session)
  local ds = session.dataset
  local mods = {}
  for name, version in pairs(ds.mods or { base = ds.factorio_version or "2.0.77" }) do mods[name] = version end
  for name, version in pairs(session.opts.mods or {}) do
    if version == true then version = mods[name] or ds.factorio_version or "2.0.77" end
    mods[name] = version or nil
  end
  return mods
end

--- settings.startup: the dataset's values with `opts.settings` applied; a value may be given
--- bare (`{["my-setting"] = 5}`) or as the game shows it (`{value = 5}`).
function M.startup_settings(session)
  local startup = {}
  local from_dataset = session.dataset.settings
  for name, setting in pairs(from_dataset and (from_dataset.startup or from_dataset) or {}) do
    startup[name] = { value = type(setting) == "table" and setting.value or setting }
  end
  return M.apply_setting_overrides(startup, session.opts.settings)
end

--- fm.setup's `settings` (bare values or `{value = v}`) over `startup`: the test's choice wins
--- over defaults, datasets and mod-settings.dat.
function M.apply_setting_overrides(startup, overrides)
  for name, value in pairs(overrides or {}) do
    if type(value) == "table" and value.value ~= nil then value = value.value end
    startup[name] = { value = value }
  end
  return startup
end

function M.feature_flags(session, mods)
  local flags = {}
  for _, flag in ipairs(ALL_FLAGS) do flags[flag] = false end
  local from_dataset = session.dataset.feature_flags
  if from_dataset then
    for flag, on in pairs(from_dataset) do flags[flag] = on and true or false end
  else
    for mod, mod_flags in pairs(EXPANSION_FLAGS) do
      if mods[mod] then
        for _, flag in ipairs(mod_flags) do flags[flag] = true end
      end
    end
  end
  return flags
end

--- data.raw, built lazily: a prototype type becomes Lua tables when it is first read.
function M.lazy_raw(source)
  local raw, pending, pending_count = {}, {}, 0
  for _, type_name in ipairs(source.types() or {}) do
    pending[type_name] = true
    pending_count = pending_count + 1
  end
  local mt = {}
  local function settle(type_name)
    if pending[type_name] then
      pending[type_name] = nil
      pending_count = pending_count - 1
      return true
    end
  end
  function mt.__index(t, type_name)
    if settle(type_name) then
      local built = source.build(type_name)
      rawset(t, type_name, built)
      return built
    end
  end
  function mt.__newindex(t, type_name, value)
    settle(type_name)
    rawset(t, type_name, value)
  end
  -- Iteration sees every type: build the rest first (all at once when most are left).
  function mt.__pairs(t)
    if pending_count > 0 then
      local all = source.build_all and pending_count > 16 and source.build_all()
      local names = {}
      for type_name in next, pending do names[#names + 1] = type_name end
      for _, type_name in ipairs(names) do
        settle(type_name)
        rawset(t, type_name, all and all[type_name] or source.build(type_name))
      end
    end
    return next, t, nil
  end
  return setmetatable(raw, mt)
end

return M
