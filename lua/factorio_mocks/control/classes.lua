-- The runtime classes, generated from each game version's API description (api_<version>.lua;
-- game_version.lua lists them).
--
-- Every object is a proxy: a userdata where the Lua has `newproxy` (5.1, LuaJIT: then `#`,
-- `__pairs` and `type() == "userdata"` behave as in the game), a table elsewhere (5.2+ honour
-- __len and __pairs on tables). Its state lives in a data table reached with M.data(obj).
-- Hand-written behaviour registers per class through M.impl(name): get/set per attribute,
-- call per method, and index/len/pairs for the classes with operators. Everything else in the
-- description fails with `not mocked: LuaClass.member`; keys outside it fail in the game's words.

local game_version = require("factorio_mocks.game_version")

-- Every version's description, and the one of the session set up (M.use). Behaviour registers
-- once for all versions; a member a version lacks is simply not reachable in it, and reading it
-- fails there in the game's words.
local descriptions = {}
for _, entry in ipairs(game_version.VERSIONS) do descriptions[entry.version] = require(entry.api) end
local current = game_version.VERSIONS[#game_version.VERSIONS].version
local api = descriptions[current]

local M = {}
--- The description of the version set up: M.api.classes, M.api.events, … (read through, so a
--- module that keeps M.api sees the version of each session).
M.api = setmetatable({}, { __index = function(_, k) return api[k] end })

-- Object → its state table. Lua 5.1 and LuaJIT have no ephemerons: a weak key whose value
-- (d, with d.self) refers back to it is never collected, so there the values are weak too and
-- each proxy keeps its d alive as its environment (every session's objects stayed otherwise).
local keep_data = newproxy and debug and debug.setfenv
local DATA = setmetatable({}, { __mode = keep_data and "kv" or "k" })
local impls = {}
local caches = {}       -- version -> {resolved =, metatables =}
local resolved = {}     -- class -> key -> member description (cached; impls register at require time)
local metatables = {}   -- class -> metatable (or a template proxy holding it)

-- Sessions: every object belongs to the game it was made in (d.generation). A new game (setup,
-- reset) starts a new generation, and `alive` (given by the session) says whether the session
-- still runs (a teardown ends it): objects of an ended game are invalid, as after the game's own
-- reload. fm.load is the same game, so its objects stay.
local generation, alive = 0, nil

--- Mocks `entry` (a game_version.VERSIONS entry) from now on: the next objects made follow its
--- description. A new game starts: the objects made so far are invalid from now on, and once
--- `still_running()` (optional) returns false, so are the new game's.
function M.use(entry, still_running)
  generation = generation + 1
  alive = still_running
  current = entry.version
  api = descriptions[current]
  local cache = caches[current]
  if not cache then cache = { resolved = {}, metatables = {} }; caches[current] = cache end
  resolved, metatables = cache.resolved, cache.metatables
end
M.use(game_version.VERSIONS[#game_version.VERSIONS])

--- Every version's description, by version.
M.descriptions = descriptions

-- A class of any version's description.
local function known_class(name)
  for _, desc in pairs(descriptions) do
    if desc.classes[name] then return true end
  end
  return false
end
local newproxy = newproxy
local unpack = table.unpack or unpack

-- The integer types of the description (and the concepts that are one), with the range a
-- value must be in: {min, max, min's text, max's text}. MapTick is a uint64, where math.huge
-- stands for "the maximum possible tick" (Friday Facts #388).
local INTEGER_RANGES
do
  local function range(lo, hi, lo_text, hi_text)
    return { lo, hi, lo_text or ("%d"):format(lo), hi_text or ("%d"):format(hi), hi_text ~= nil }
  end
  local u8, u16, u32 = range(0, 255), range(0, 65535), range(0, 4294967295)
  local u64 = range(0, 2 ^ 64, "0", "18446744073709551615")
  local i32 = range(-2147483648, 2147483647)
  INTEGER_RANGES = {
    uint8 = u8, uint16 = u16, uint32 = u32, uint = u32, uint64 = u64, MapTick = u64,
    int8 = range(-128, 127), int16 = range(-32768, 32767), int32 = i32, int = i32,
    int64 = range(-2 ^ 63, 2 ^ 63, "-9223372036854775808", "9223372036854775807"),
    ItemStackIndex = u16, ItemCountType = u32, InventoryIndex = u8,
  }
end
local UNBOUNDED = { uint64 = true, MapTick = true }   -- math.huge allowed

local NUMBER_TYPES = { float = true, double = true, number = true }
for t in pairs(INTEGER_RANGES) do NUMBER_TYPES[t] = true end

local function number_text(v)
  if v == math.floor(v) and v > -2 ^ 53 and v < 2 ^ 53 then return ("%d"):format(v) end
  if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
  return ("%.17g"):format(v)
end

-- A number against a numeric type: nil, or what is wrong and whether that is a whole message
-- in the game's words (the ones of mods' crash reports: "Given count value (-20) is too small,
-- allowed values are from 0 to 4294967295", "real number expected got nan.").
local function check_number(value, t, name)
  if value ~= value then
    return (name and ("'" .. name .. "': ") or "") .. "real number expected got nan.", true
  end
  local range = INTEGER_RANGES[t]
  if not range then return nil end
  if value == math.huge and UNBOUNDED[t] then return nil end
  local given = name and ("Given " .. name .. " value") or "Given value"
  if value < range[1] then
    return ("%s (%s) is too small, allowed values are from %s to %s"):format(given, number_text(value), range[3], range[4]), true
  end
  -- A 64-bit type's largest value has no double: 2^64 (2^63) is the first one too big.
  if value > range[2] or (range[5] and value == range[2]) then
    return ("%s (%s) is too big, allowed values are from %s to %s"):format(given, number_text(value), range[3], range[4]), true
  end
  if value ~= math.floor(value) then return "number has no integer representation" end
end

--- The behaviour table of a class: {get = {}, set = {}, call = {}} plus optional index, len, pairs.
function M.impl(name)
  if not known_class(name) then error("factorio_mocks: no class " .. tostring(name) .. " in any version's API description", 2) end
  local impl = impls[name]
  if not impl then
    impl = { get = {}, set = {}, call = {} }
    impls[name] = impl
  end
  return impl
end

-- The member `key` of `class`, looked up through the parent chain: {kind, mode, type, params, get, set, call}.
local function resolve(class, key)
  local cache = resolved[class]
  if not cache then cache = {}; resolved[class] = cache end
  local r = cache[key]
  if r then return r end
  r = { kind = "unknown" }
  local name = class
  while name and r.kind == "unknown" and api.classes[name] do
    local desc = api.classes[name]
    local attr, params = desc.a[key], desc.m[key]
    if attr then
      local mode, t = attr:match("^(%a+):(.*)$")
      r = { kind = "attribute", mode = mode, type = t, owner = name }
    elseif params then
      r = { kind = "method", params = params, owner = name }
    end
    name = desc.parent
  end
  -- Behaviour comes from the most specific class that has it (LuaPlayer before LuaControl).
  name = class
  while name and r.kind ~= "unknown" do
    local impl = impls[name]
    if impl then
      r.get = r.get or impl.get[key]
      r.set = r.set or impl.set[key]
      r.call = r.call or impl.call[key]
    end
    name = api.classes[name] and api.classes[name].parent
  end
  cache[key] = r
  return r
end

-- The first implementation of an operator (index, len, pairs) up the parent chain.
local function operator(class, op)
  local name = class
  while name do
    local impl = impls[name]
    if impl and impl[op] then return impl[op] end
    name = api.classes[name] and api.classes[name].parent
  end
end

local function type_label(v)
  local d = DATA[v]
  if d then return d.class end
  return type(v)
end

--- Checks `value` against a type name of the description; returns nil or what went wrong, and
--- whether that is a whole message (the game's words for a number out of range, or NaN, naming
--- `name`, the parameter or attribute, when given) rather than a problem to wrap.
function M.check_type(value, t, name)
  local optional = t:sub(-1) == "?"
  if optional then t = t:sub(1, -2) end
  if value == nil then return (not optional) and (t .. " expected, got nil") or nil end
  if t == "string" then
    if type(value) ~= "string" then return "string expected, got " .. type_label(value) end
  elseif t == "boolean" then
    -- The game's own words for a non-boolean where a boolean belongs.
    if type(value) ~= "boolean" then return "bool expected, got " .. type_label(value) end
  elseif t == "table" then
    if type(value) ~= "table" or DATA[value] then return "table expected, got " .. type_label(value) end
  elseif NUMBER_TYPES[t] then
    if type(value) ~= "number" then return "number expected, got " .. type_label(value) end
    return check_number(value, t, name)
  elseif api.classes[t] and t:sub(1, 3) == "Lua" then
    local d = DATA[value]
    if not d then return t .. " expected, got " .. type(value) end
    local class = d.class
    while class and class ~= t do class = api.classes[class].parent end
    if not class then return t .. " expected, got " .. d.class end
  end
end

-- The parsed parameter list of a method: {table = bool, table_optional = bool, {name, type, optional}…}.
local parsed_params = {}
local function params_of(spec)
  local p = parsed_params[spec]
  if p then return p end
  p = {}
  local body = spec
  if spec:sub(1, 1) == "{" then
    p.table = true
    p.table_optional = spec:sub(-1) == "?"
    body = spec:match("^{(.*)}")
  end
  for item in body:gmatch("[^,]+") do
    if item ~= "..." then
      local name, opt, t = item:match("^([^?:]+)(%??):(.*)$")
      p[#p + 1] = { name = name, type = t, optional = opt == "?" }
    end
  end
  parsed_params[spec] = p
  return p
end

-- Argument checks from the description (the game's words for a missing table field; for a wrong
-- type they were not found, so the message names the method, the parameter and the type).
local function check_args(class, key, spec, ...)
  local p = params_of(spec)
  local where = class .. "." .. key
  if p.table then
    local t = ...
    if t == nil and p.table_optional then return end
    if type(t) ~= "table" or DATA[t] then
      error(("bad argument #1 to '%s' (table expected, got %s)"):format(where, type_label(t)), 3)
    end
    for _, param in ipairs(p) do
      local v = t[param.name]
      if v == nil then
        if not param.optional then
          -- The game's words (a 2.0 crash report from LuaSurface.create_entity).
          error(("value for required field '%s' is missing"):format(param.name), 3)
        end
      else
        local problem, whole = M.check_type(v, param.type, param.name)
        if whole then error(problem, 3) end
        if problem then error(("%s: bad parameter '%s': %s"):format(where, param.name, problem), 3) end
      end
    end
  else
    for i, param in ipairs(p) do
      local v = select(i, ...)
      if v == nil then
        -- Union parameters may take nil (script.on_event(id, nil) unregisters), so they pass.
        if not param.optional and param.type ~= "union" then
          error(("bad argument #%d (%s) to '%s' (%s expected, got nil)"):format(i, param.name, where, param.type), 3)
        end
      else
        local problem, whole = M.check_type(v, param.type, param.name)
        if whole then error(problem, 3) end
        if problem then error(("bad argument #%d (%s) to '%s' (%s)"):format(i, param.name, where, problem), 3) end
      end
    end
  end
end

-- Whether an object can no longer be used: destroyed, or of a game that ended.
local PUC_51 = _VERSION == "Lua 5.1" and not jit
local function pack(...) return { n = select("#", ...), ... } end

local function dead(d)
  return d.valid == false or d.generation ~= generation or (alive ~= nil and not alive())
end

local function invalid(d, level)
  error(d.class .. " API call when " .. d.class .. " was invalid.", level + 1)
end

-- A method as a function value: `obj.method(...)`; `obj:method(...)` works too (self is dropped).
local function bound(d, key, r)
  local cache = d.bound
  if not cache then cache = {}; d.bound = cache end
  local f = cache[key]
  if f then return f end
  local impl, class = r.call, d.class
  if not impl then
    f = function() error("not mocked: " .. class .. "." .. key, 2) end
  else
    -- The checks run in f's own frame, not through a tail call (Lua 5.1 reports a tail-called
    -- frame without a line, so an argument error would lose the caller's).
    local params = r.params
    f = function(...)
      if dead(d) then invalid(d, 2) end
      if select("#", ...) > 0 and (...) == d.self then
        check_args(class, key, params, select(2, ...))
        return impl(d, select(2, ...))
      end
      check_args(class, key, params, ...)
      return impl(d, ...)
    end
    if PUC_51 then
      -- Lua 5.1 gives the frame a tail call leaves no line, so an error the method raises for its
      -- caller (level 2) would name no place: run it in a protected call and name f's caller.
      local run = f
      f = function(...)
        local result = pack(pcall(run, ...))
        if result[1] then return unpack(result, 2, result.n) end
        local err = result[2]
        if type(err) == "string" and not err:find("^[^\n]-:%d+: ") then error(err, 2) end
        error(err, 0)
      end
    end
  end
  cache[key] = f
  return f
end

-- A key that is no member's name, as the message names it: nil, nan, 1, true, table.
local function key_text(key)
  if key ~= key then return "nan" end
  if type(key) == "number" then return number_text(key) end
  if type(key) == "string" or type(key) == "nil" or type(key) == "boolean" then return tostring(key) end
  return type_label(key)
end

local function no_key(d, key)
  error(d.class .. " doesn't contain key " .. key_text(key) .. ".", 3)
end

local function index(obj, key)
  local d = DATA[obj]
  if key == "valid" then return not dead(d) end
  if key == "object_name" then return d.class end
  if dead(d) then invalid(d, 2) end
  if type(key) ~= "string" then
    -- Members have names; other keys are for the classes with an index operator (inventory[1]),
    -- and nil or NaN is never one.
    local op = key ~= nil and key == key and operator(d.class, "index")
    if op then
      local found, value = op(d, key)
      if found then return value end
    end
    no_key(d, key)
  end
  local r = resolve(d.class, key)
  if r.kind == "attribute" then
    if r.get then return r.get(d, obj) end
    local fields = d.fields
    if fields and fields[key] ~= nil then return fields[key] end
    if not r.mode:find("r") then error(d.class .. "::" .. key .. " is write only.", 2) end
    local fallback = operator(d.class, "attribute")
    if fallback then
      local found, value = fallback(d, key, r)
      if found then return value end
    end
    error("not mocked: " .. d.class .. "." .. key, 2)
  elseif r.kind == "method" then
    return bound(d, key, r)
  end
  local op = operator(d.class, "index")
  if op then
    local found, value = op(d, key)
    if found then return value end
  end
  error(d.class .. " doesn't contain key " .. tostring(key) .. ".", 2)
end

local function newindex(obj, key, value)
  local d = DATA[obj]
  if dead(d) then invalid(d, 2) end
  if type(key) ~= "string" then
    local op = key ~= nil and key == key and operator(d.class, "newindex")
    if op then return op(d, key, value) end
    no_key(d, key)
  end
  local r = resolve(d.class, key)
  if r.kind == "attribute" and r.mode:find("w") then
    if r.type ~= "Any" then
      local problem, whole = M.check_type(value, r.type, key)
      if whole and value ~= value then problem = "real number expected got nan." end
      if problem then error(problem, 2) end
    end
    if r.set then return r.set(d, value, obj) end
    -- A writable attribute without behaviour keeps what was written, so reads give it back.
    d.fields = d.fields or {}
    d.fields[key] = value
  elseif r.kind ~= "unknown" then
    error(d.class .. "::" .. key .. " is read only.", 2)
  else
    local op = operator(d.class, "newindex")
    if op then
      op(d, key, value)
      return
    end
    error(d.class .. " doesn't contain key " .. tostring(key) .. ".", 2)
  end
end

local function metatable_for(class)
  local mt = {
    __index = index,
    __newindex = newindex,
    __tostring = function(obj)
      local d = DATA[obj]
      return "[" .. d.class .. (dead(d) and " (invalid)" or "") .. "]"
    end,
    __len = function(obj)
      local d = DATA[obj]
      if dead(d) then invalid(d, 2) end
      local op = operator(class, "len")
      if not op then error(class .. " has no length operator.", 2) end
      return op(d)
    end,
    __pairs = function(obj)
      local d = DATA[obj]
      if dead(d) then invalid(d, 2) end
      local op = operator(class, "pairs")
      if not op then error("not mocked: pairs over " .. class, 2) end
      return op(d)
    end,
    -- Callable classes (LuaRandomGenerator) register `callable` (arguments without the object).
    __call = function(obj, ...)
      local d = DATA[obj]
      if dead(d) then invalid(d, 2) end
      local op = operator(class, "callable")
      if not op then error("attempt to call a " .. class .. " value", 2) end
      return op(d, ...)
    end,
    __metatable = class,
  }
  return mt
end

--- A new object of `class` whose state is `d` (d.class, d.self are set here).
function M.new(class, d)
  if not api.classes[class] then
    error(("%s does not exist in game version %s"):format(tostring(class), current), 2)
  end
  d = d or {}
  d.class = class
  d.generation = generation
  local proxy
  if newproxy then
    local template = metatables[class]
    if not template then
      template = newproxy(true)
      local mt = getmetatable(template)
      for k, v in pairs(metatable_for(class)) do mt[k] = v end
      metatables[class] = template
    end
    proxy = newproxy(template)
  else
    local mt = metatables[class]
    if not mt then mt = metatable_for(class); metatables[class] = mt end
    proxy = setmetatable({}, mt)
  end
  d.self = proxy
  DATA[proxy] = d
  if keep_data and type(proxy) == "userdata" then keep_data(proxy, d) end
  return proxy
end

--- The state table of an object, or nil for anything else.
function M.data(obj)
  return DATA[obj]
end

function M.is_object(v)
  return DATA[v] ~= nil
end

--- Whether an object (or its state table) can still be used: not destroyed, of the game running.
function M.is_valid(obj)
  local d = DATA[obj] or obj
  return not dead(d)
end

--- Marks an object invalid: from now on every use but `valid` and `object_name` fails;
--- then `d.on_invalidate(d)` runs, for objects whose parts go with them (an inventory's stacks).
function M.invalidate(obj)
  local d = DATA[obj] or obj
  if d.valid == false then return end
  d.valid = false
  if d.on_invalidate then d.on_invalidate(d) end
end

--- A LuaCustomTable over `source`: get(key) → value, keys() → ordered keys.
function M.custom_table(get, keys)
  return M.new("LuaCustomTable", { lookup = get, keys = keys })
end

--- The behaviour tables registered so far, class → impl (spec/control_layout_spec.lua checks
--- where each function was written).
function M.impls()
  return impls
end

--- Every registered get/set/call as {class, kind, key}, sorted (the API surface spec checks
--- each against the description: resolve never reaches a member the description lacks).
function M.registered()
  local list = {}
  for class, impl in pairs(impls) do
    for _, kind in ipairs({ "get", "set", "call" }) do
      for key in pairs(impl[kind]) do list[#list + 1] = { class = class, kind = kind, key = key } end
    end
  end
  table.sort(list, function(a, b)
    if a.class ~= b.class then return a.class < b.class end
    if a.kind ~= b.kind then return a.kind < b.kind end
    return a.key < b.key
  end)
  return list
end

--- The member `key` of `class` in the description, through the parent chain: kind
--- ("attribute", "method" or "unknown") and, for an attribute, its mode ("r", "rw", "w").
function M.member(class, key)
  local r = resolve(class, key)
  return r.kind, r.mode
end

--- Coverage of the version set up (M.use): a row per class, sorted by name, {class, version,
--- url (the class's page of the game's API docs), parent, total, done, members}. `members` lists
--- every member an object of the class has in the description, sorted by name: {name, kind
--- ("attribute" or "method"), mode (an attribute's "r", "rw" or "w"), mocked, from (the parent
--- class that declares it, for an inherited one: LuaPlayer's teleport is LuaControl's)}; mocked
--- is whether that class's objects have behaviour for it. `valid` and `object_name` count as
--- mocked (every object answers them). total and done count them all, inherited ones included.
function M.coverage()
  local rows = {}
  for class, desc in pairs(api.classes) do
    local members, seen, done = {}, {}, 0
    local owner = class
    while owner and api.classes[owner] do
      local od = api.classes[owner]
      local from = owner ~= class and owner or nil
      for key, attr in pairs(od.a) do
        if not seen[key] then
          seen[key] = true
          local r = resolve(class, key)
          local mocked = (r.get or r.set or key == "valid" or key == "object_name") and true or false
          members[#members + 1] = { name = key, kind = "attribute", mode = attr:match("^(%a+):"), mocked = mocked, from = from }
        end
      end
      for key in pairs(od.m) do
        if not seen[key] then
          seen[key] = true
          members[#members + 1] = { name = key, kind = "method", mocked = resolve(class, key).call ~= nil, from = from }
        end
      end
      owner = od.parent
    end
    for _, m in ipairs(members) do if m.mocked then done = done + 1 end end
    table.sort(members, function(a, b) return a.name < b.name end)
    rows[#rows + 1] = {
      class = class, version = current, parent = desc.parent, total = #members, done = done, members = members,
      url = ("https://lua-api.factorio.com/%s/classes/%s.html"):format(current, class),
    }
  end
  table.sort(rows, function(a, b) return a.class < b.class end)
  return rows
end

M.unpack = unpack
M.params_of = params_of

return M
