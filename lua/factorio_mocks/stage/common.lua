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

--- Builds whatever a lazy table (data.raw, one of its types, defines) still holds back, so raw
--- `next` sees every entry; other tables are left as they are.
function M.materialize(t)
  local mt = type(t) == "table" and getmetatable(t)
  if type(mt) == "table" and mt.__pairs then mt.__pairs(t) end
  return t
end

--- A copy of `value` and of every table in it (keys too), metatables kept; lazy tables are
--- built in full first.
local function deep_copy(value, seen)
  if type(value) ~= "table" then return value end
  seen = seen or {}
  if seen[value] then return seen[value] end
  local mt = getmetatable(value)
  if mt ~= nil then M.materialize(value) end
  local copy = {}
  seen[value] = copy
  -- Only tables recurse (this runs for every defines group a session reads).
  for k, v in next, value do
    if type(k) == "table" then k = deep_copy(k, seen) end
    if type(v) == "table" then v = deep_copy(v, seen) end
    copy[k] = v
  end
  if mt ~= nil then setmetatable(copy, mt) end
  return copy
end
M.deep_copy = deep_copy

--- A table that reads as a deep copy of `shared` (which nothing changes): each entry is copied
--- when first read, a table entry as a lazy copy of its own, so a session pays for what it reads
--- and a change stays in the session. Iterating (__pairs, the data stage's `next`) copies the rest.
function M.lazy_copy(shared)
  local done, complete = {}, false
  local mt = { shared = shared }
  function mt.__index(t, k)
    if complete or done[k] then return nil end
    local v = shared[k]
    if v == nil then return nil end
    done[k] = true
    if type(v) == "table" then v = M.lazy_copy(v) end
    rawset(t, k, v)
    return v
  end
  function mt.__newindex(t, k, v)
    done[k] = true
    rawset(t, k, v)
  end
  function mt.__pairs(t)
    if not complete then
      for k, v in next, shared do
        if not done[k] then
          done[k] = true
          if type(v) == "table" then v = M.lazy_copy(v) end
          rawset(t, k, v)
        end
      end
      complete = true -- every entry is in: __index has nothing left to find
    end
    return next, t, nil
  end
  return setmetatable({}, mt)
end

--- The table a lazy copy reads from (`t` itself for any other table).
function M.shared_of(t)
  local mt = getmetatable(t)
  return type(mt) == "table" and mt.shared or t
end

local shared_defines = {} -- module name → the version's defines, made once per process

function M.globals(session, fm)
  local defines_module = session.game_version and session.game_version.defines or "factorio_mocks.defines"
  shared_defines[defines_module] = shared_defines[defines_module] or package.preload[defines_module]()
  local g = {
    -- The version's defines, copied per session as read (a test may change one).
    defines = M.lazy_copy(shared_defines[defines_module]),
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

-- One prototype type, built lazily: a prototype becomes Lua tables when it is first read (a test
-- reading three prototypes builds three, not the hundreds of their types). `names` lists the
-- type's prototypes (shared, read only); `done` holds the names built, assigned or removed since,
-- so a removed prototype stays removed. Iterating (__pairs, and the stage's `next`) builds the rest.
local sets = setmetatable({}, { __mode = "k" })
--- A list (that nothing changes) as a set, made once per list.
function M.set_of(list)
  local set = sets[list]
  if not set then
    set = {}
    for _, v in ipairs(list) do set[v] = true end
    sets[list] = set
  end
  return set
end

local function lazy_type(source, type_name, names)
  local index = M.set_of(names)
  local done, complete, read = {}, false, 0
  local mt = {}
  function mt.__index(t, name)
    if complete or done[name] or not index[name] then return nil end
    done[name] = true
    read = read + 1
    local built = source.build_entry(type_name, name)
    rawset(t, name, built)
    return built
  end
  function mt.__newindex(t, name, value)
    done[name] = true
    rawset(t, name, value)
  end
  function mt.__pairs(t)
    if not complete then
      -- The rest in one call into Rust, unless most of the type was read one by one already.
      local whole = read < #names / 2 and source.build(type_name)
      for _, name in ipairs(names) do
        if not done[name] then
          done[name] = true
          rawset(t, name, whole and whole[name] or source.build_entry(type_name, name))
        end
      end
      complete = true -- every prototype is built: __index has nothing left to find
    end
    return next, t, nil
  end
  return setmetatable({}, mt)
end

--- data.raw, built lazily: a prototype type becomes Lua tables when it is first read, and, for a
--- dataset that builds one prototype at a time (built-in and JSON ones), each of its prototypes.
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
  local function build(type_name)
    local names = source.names and source.names(type_name)
    if names then return lazy_type(source, type_name, names) end
    return source.build(type_name)
  end
  function mt.__index(t, type_name)
    if settle(type_name) then
      local built = build(type_name)
      rawset(t, type_name, built)
      return built
    end
  end
  function mt.__newindex(t, type_name, value)
    settle(type_name)
    rawset(t, type_name, value)
  end
  -- Iteration sees every type: build the rest first (all at once, as plain tables, when most
  -- are left: a loop over data.raw usually goes on into every type).
  function mt.__pairs(t)
    if pending_count > 0 then
      local all = source.build_all and pending_count > 16 and source.build_all()
      local names = {}
      for type_name in next, pending do names[#names + 1] = type_name end
      for _, type_name in ipairs(names) do
        settle(type_name)
        rawset(t, type_name, all and all[type_name] or build(type_name))
      end
    end
    return next, t, nil
  end
  return setmetatable(raw, mt)
end

return M
