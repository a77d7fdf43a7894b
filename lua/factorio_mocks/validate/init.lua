-- fm.validate: the checks the game makes on data.raw when the data stage ends, from the prototype
-- API description of the stage's version (the generated schema_<version>.lua beside this file).
--
-- Errors are what the game refuses to start on: an unknown prototype type, a missing mandatory
-- property, a value of the wrong type (the description's concept types: unions, arrays,
-- dictionaries, literals, tuples, structs with their parents), a name that no prototype of the
-- ID type's family has (ItemID: items of every item type), and one name twice in a namespace
-- the game shares across types (items, entities, equipment …). Warnings are what the
-- description says but we are not sure the game checks: a number out of its integer type's
-- range, a struct read directly without its literal `type`, a prototype whose `type` or `name`
-- field differs from its place in data.raw. The 1x1 placeholder sprites of the built-in
-- dataset are not checked (one warning counts them).
--
-- Each finding is {path = "recipe.my-gear.ingredients[1].name", message = …}: `path` indexes
-- data.raw in Lua (1-based); the message is the game's text where known, whose property tree
-- path counts from 0 as the game's does ("ROOT.recipe.my-gear.ingredients[0].name").
--
-- Speed (issue #16: `dataset build` runs these over 5,000 prototypes): each type of the
-- description becomes a checker closure once per process; a path string is made only for a
-- finding; leaves of a plain Lua type are tested inline; a union tries only the options that
-- can take the value; the names of an ID family are gathered once per run.

local M = {}

-- LuaJIT 2.1.0-beta3 (Debian's) crashed now and then in the traces it compiled for these checks
-- (about 1 run in 10 over the built-in data, never with -joff): they run interpreted there.
if jit then jit.off(true, true) end

local KNOWN = { ["2.0"] = "2.0.77", ["2.1"] = "2.1.9" }
local schemas = {}

local function schema_for(version)
  version = KNOWN[version] or version
  if not schemas[version] then
    local ok, schema = pcall(require, "factorio_mocks.validate.schema_" .. version:gsub("%.", "_"))
    if not ok then
      local major_minor = version:match("^(%d+%.%d+)")
      if major_minor and KNOWN[major_minor] and KNOWN[major_minor] ~= version then
        return schema_for(KNOWN[major_minor])
      end
      error(("fm.validate: no prototype API description for game version %s (known: 2.0.77, 2.1.9)"):format(version), 4)
    end
    schemas[version] = M.prepare(schema)
  end
  return schemas[version]
end

local INTEGERS = {
  int8 = { -128, 127 }, int16 = { -32768, 32767 }, int32 = { -2147483648, 2147483647 },
  uint8 = { 0, 255 }, uint16 = { 0, 65535 }, uint32 = { 0, 4294967295 }, uint64 = { 0, 2 ^ 64 },
}
local NUMBERS = { double = true, float = true, number = true }

--- Adds to a loaded schema what the checks look up: structs merged with their parents, the
--- family word of each data.raw type, and the namespaces' member types.
function M.prepare(schema)
  local types, prototypes = schema.types, schema.prototypes
  -- The game's LocalisedString takes numbers and booleans as parameters too.
  types.LocalisedString = "localised"
  local merged = {}
  -- {p = {key = type}, r = {key = true}} of a struct (a concept's or a prototype's), parents first.
  local function merge(def, lookup)
    if merged[def] then return merged[def] end
    local out = { p = {}, r = {}, w = {}, alt = {} }
    if def.parent then
      local parent = merge(lookup(def.parent), lookup)
      for k, t in pairs(parent.p) do out.p[k] = t end
      for k in pairs(parent.r) do out.r[k] = true end
      for k in pairs(parent.w) do out.w[k] = true end
      for k, a in pairs(parent.alt) do out.alt[k] = a end
    end
    for k, t in pairs(def.p) do
      out.p[k] = t
      out.r[k], out.w[k] = nil, nil
    end
    for _, k in ipairs(def.r or {}) do out.r[k] = true end
    for _, k in ipairs(def.w or {}) do out.w[k] = true end
    for k, a in pairs(def.alt or {}) do out.alt[k] = a end
    -- A literal `type` tells a union's options apart; read directly, the game knows the
    -- struct without it (spawn_decoration's items leave it out): missing, it is a warning.
    local t = out.p.type
    if out.r.type and type(t) == "table" and t[1] == "l" then out.literal_type = t[2] end
    for k in pairs(out.w) do out.r[k] = nil end
    merged[def] = out
    return out
  end
  -- A parent may be a union with a struct form (Fade): its struct is the parent.
  local function concept(name)
    local def = types[name]
    if type(def) == "table" and def[1] == "u" then
      for i = 2, #def do
        if type(def[i]) == "table" and def[i][1] == "s" then return def[i] end
      end
    end
    return def
  end
  schema.merge_concept = function(def)
    return merge(def, concept)
  end
  schema.merge_prototype = function(def)
    return merge(def, function(name) return prototypes[name] end)
  end
  schema.family = {}
  for _, label in ipairs(schema.namespaces) do
    local best
    for _, members in pairs(schema.ids) do
      if members[1] == label and (not best or #members > #best) then best = members end
    end
    schema.namespaces[label] = best
    for i = 2, #best do schema.family[best[i]] = label end
  end
  return schema
end

-- The primitive `next` (the one `pairs` of a plain table gives): the data stage's global `next`
-- first builds a lazy table, a Lua call more per step; data.raw and its types, the only lazy
-- tables, are built below before the checks.
local next = pairs({})
if not (debug and debug.getinfo and debug.getinfo(next, "S").what == "C") then next = _G.next end
local type = type -- a local: read on every value

-- Builds what a lazy table (data.raw, one of its types) holds back.
local materialize = require("factorio_mocks.stage.common").materialize

-- Run state ---------------------------------------------------------------------------------
-- One validation runs at a time; the compiled checkers below read and write these upvalues
-- rather than a ctx table passed down every call (fewer lookups on the hot path).

local errors, warnings, placeholders, by_type, id_names
local trial = 0 -- > 0 inside a union's options: a mismatch only returns false, nothing is reported
local stack, depth = {}, 0 -- the path to the value being checked: stack[1 .. depth]
local family, proto_name, kind -- the prototype being checked, for the game's messages

-- Paths are built only when a finding is reported.
local function lua_path()
  local parts = { stack[1], ".", stack[2] }
  for i = 3, depth do
    local seg = stack[i]
    if type(seg) == "number" then
      parts[#parts + 1] = "[" .. seg .. "]"
    else
      parts[#parts + 1] = "." .. tostring(seg)
    end
  end
  return table.concat(parts)
end

local function tree_path()
  local parts = { "ROOT.", stack[1], ".", stack[2] }
  for i = 3, depth do
    local seg = stack[i]
    if type(seg) == "number" then
      parts[#parts + 1] = "[" .. (seg - 1) .. "]"
    else
      parts[#parts + 1] = "." .. tostring(seg)
    end
  end
  return table.concat(parts)
end

local function loading()
  return ('Error while loading %s prototype "%s" (%s): '):format(family, proto_name, kind)
end

local function fail(text)
  if trial > 0 then return false end
  errors[#errors + 1] = { path = lua_path(), message = loading() .. text .. " in property tree at " .. tree_path() }
  return false
end

local function warn(text)
  warnings[#warnings + 1] = { path = lua_path(), message = text }
end

local function describe(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

-- A 1x1 single-frame sprite table: the placeholder the built-in dataset stands in with for the
-- graphics modules the game's public Lua lacks (factorio_mocks.mod_loader). Not checked: every
-- checker of a concept passes it (and counts it) whatever the type, before anything else.
-- Callers test `v.line_length == 1` first, which rules out nearly every table in one lookup.
local function placeholder(v)
  if v.frames == 1 and v.width == 1 and v.height == 1 then
    placeholders[v] = true
    return true
  end
  return false
end

-- Checkers ----------------------------------------------------------------------------------
-- Each schema type compiles once per process into a checker `f(v, via_union) -> ok`
-- (`via_union`: v is one of a union's options, where a struct's literal `type` tells them
-- apart). The checks and their messages are those of the description's type kinds:

local function compiler(schema)
  local types, ids = schema.types, schema.ids
  local memo, busy = {}, {}
  local compile

  local function unchecked(v)
    if type(v) == "table" and v.line_length == 1 then placeholder(v) end
    return true
  end

  local function simple(lua_type, message)
    return function(v)
      local tv = type(v)
      if tv == "table" and v.line_length == 1 and placeholder(v) then return true end
      if tv == lua_type then return true end
      return fail(message)
    end
  end

  local function number(name)
    local range = INTEGERS[name]
    local lo, hi = range and range[1], range and range[2]
    return function(v)
      if type(v) ~= "number" then
        if type(v) == "table" and v.line_length == 1 and placeholder(v) then return true end
        return fail("Value must be a number")
      end
      -- Fractions the game takes (the recycler's results: amount = 0.25): only the range is checked.
      if lo and (v < lo or v > hi) then
        warn(("%s out of the range of %s (%d to %.0f)"):format(tostring(v), name, lo, hi))
      end
      return true
    end
  end

  local function localised_items(v)
    for i = 1, #v do
      local item = v[i]
      local ti = type(item)
      if ti == "table" then
        depth = depth + 1
        stack[depth] = i
        local ok = localised_items(item)
        depth = depth - 1
        if not ok then return false end
      elseif ti ~= "string" and ti ~= "number" and ti ~= "boolean" then
        depth = depth + 1
        stack[depth] = i
        fail("Value must be a string")
        depth = depth - 1
        return false
      end
    end
    return true
  end

  -- The game's LocalisedString takes numbers and booleans as parameters too.
  local function localised(v)
    local tv = type(v)
    if tv == "string" or tv == "number" or tv == "boolean" then return true end
    if tv ~= "table" then return fail("Value must be a string") end
    if v.line_length == 1 and placeholder(v) then return true end
    return localised_items(v)
  end

  local BUILTIN = {
    string = simple("string", "Value must be a string"),
    boolean = simple("boolean", "Value must be a boolean"),
    table = simple("table", "Value must be a list or dictionary"),
    DataExtendMethod = unchecked,
  }

  -- An ID type: a name some prototype of the family has (ItemID: items of every item type).
  local function id(name, members)
    return function(v)
      if type(v) ~= "string" then
        if type(v) == "table" and v.line_length == 1 and placeholder(v) then return true end
        return fail("Value must be a string")
      end
      if v == "" then return true end -- "" names nothing (cargo_unit_entity_to_spawn = "")
      local names = id_names[name]
      if names == nil then
        -- The family's names, gathered once per run. A type that is not a plain or a lazy
        -- table (built by then, see M.validate) may hold names `next` does not list: it is
        -- looked up as it is, each time.
        names = {}
        for i = 2, #members do
          local of_type = by_type[members[i]]
          local mt = type(of_type) == "table" and getmetatable(of_type)
          if of_type ~= nil and (type(of_type) ~= "table" or mt and not (type(mt) == "table" and mt.__pairs)) then
            names = false
            break
          end
          if of_type then
            for n in next, of_type do names[n] = true end
          end
        end
        id_names[name] = names
      end
      if names then
        if names[v] then return true end
      else
        for i = 2, #members do
          local of_type = by_type[members[i]]
          if of_type and of_type[v] ~= nil then return true end
        end
      end
      if trial > 0 then return false end
      errors[#errors + 1] = {
        path = lua_path(),
        message = ("Error in assignID: %s with name '%s' does not exist.\n\nSource: %s (%s)."):format(members[1], v, proto_name, kind),
      }
      return false
    end
  end

  -- The Lua type that alone makes a value of type `t` right (a string, a boolean, a number
  -- without an integer range), or nil. The loops test it inline and call the checker only
  -- when it does not hold: most values are such leaves, and a call costs more than the test.
  local quick_of = {} -- type name → its quick type, or false
  local function quick_type(t)
    if type(t) ~= "string" then return nil end
    if quick_of[t] == nil then
      local quick, name = false, t
      while not ids[name] do
        local def = types[name]
        if type(def) ~= "string" then break end
        local builtin = def:match("^builtin:(.*)$")
        if builtin then
          quick = (builtin == "string" or builtin == "boolean") and builtin or NUMBERS[builtin] and "number" or false
          break
        end
        name = def
      end
      quick_of[t] = quick
    end
    return quick_of[t] or nil
  end

  -- `merged`: the struct with its parents' (schema.merge_*). `top`: a prototype itself, which
  -- is read directly and not tested for a placeholder.
  local function struct(merged, top)
    local required = {}
    for k in pairs(merged.r) do required[#required + 1] = k end
    table.sort(required)
    local alt, literal, types_of = merged.alt, merged.literal_type, merged.p
    -- props[k]: the checker of property k, false if k is no property; quick[k]: its quick
    -- type (quick_type). Compiled when a table first has the key, so only the properties
    -- data.raw uses are (and a recursive type finds its checker memoized).
    local quick = {}
    local props = setmetatable({}, { __index = function(self, k)
      local t = types_of[k]
      if t == nil then
        self[k] = false
        return false
      end
      self[k], quick[k] = compile(t), quick_type(t)
      return self[k]
    end })
    local n = #required
    local checker = function(v, via_union)
      if type(v) ~= "table" then return fail("Value must be a dictionary") end
      if not top and v.line_length == 1 and placeholder(v) then return true end
      local ok = true
      for i = 1, n do
        local k = required[i]
        if v[k] == nil and not (alt[k] and v[alt[k]] ~= nil) then
          if trial > 0 then return false end
          -- A literal `type` tells a union's options apart; read directly, the game knows the
          -- struct without it (spawn_decoration's items leave it out): missing, it is a warning.
          if k == "type" and (top or not via_union) and literal then
            warn(('Key "type" not found (%q read directly)'):format(literal))
          else
            errors[#errors + 1] = {
              path = lua_path() .. "." .. k,
              message = loading() .. ('Key "%s" not found in property tree at %s'):format(k, tree_path()),
            }
            ok = false
          end
        end
      end
      for k, value in next, v do
        local f = props[k]
        if f then
          local q = quick[k]
          if q == nil or type(value) ~= q then
            depth = depth + 1
            stack[depth] = k
            local good = f(value)
            depth = depth - 1
            if not good then
              ok = false
              if trial > 0 then return false end
            end
          end
        end
      end
      return ok
    end
    return checker
  end

  -- The struct a union option stands for (a struct concept, or an inline struct), or nil.
  local function option_struct(opt)
    if type(opt) == "string" then
      local def = types[opt]
      if type(def) == "table" and def[1] == "s" then return def end
      return nil
    end
    if opt[1] == "s" then return opt end
  end

  -- The Lua types a value of type `t` can have, as a set (nil: any); `seen` guards cycles.
  local function takes(t, seen)
    if type(t) == "string" then
      if ids[t] then return { string = true } end
      local def = types[t]
      if def == "localised" then return { string = true, number = true, boolean = true, table = true } end
      if type(def) == "string" then
        local builtin = def:match("^builtin:(.*)$")
        if builtin then
          if builtin == "string" or builtin == "boolean" or builtin == "table" then return { [builtin] = true } end
          if NUMBERS[builtin] or INTEGERS[builtin] then return { number = true } end
          return nil
        end
      end
      if def == nil then return nil end
      t = def
      if type(t) == "string" then return takes(t, seen) end
    end
    local head = t[1]
    if head == "e" or head == "l" then
      local set = {}
      for i = 2, #t do set[type(t[i])] = true end
      return set
    elseif head == "u" then
      seen = seen or {}
      if seen[t] then return nil end
      seen[t] = true
      local set = {}
      for i = 2, #t do
        local option = takes(t[i], seen)
        if not option then return nil end
        for k in pairs(option) do set[k] = true end
      end
      return set
    end
    return { table = true } -- a struct, array, dictionary or tuple
  end

  local LUA_TYPES = { "string", "number", "boolean", "table", "function", "userdata", "thread" }

  local function union(t)
    -- Per option: its checker, its struct's literal `type`, whether it takes a table.
    local checks, literals, tables, n = {}, {}, {}, #t - 1
    -- The options worth trying, in order: those that take the value's Lua type, and for a
    -- table with a string `type`, of the structs with a literal `type` only the one of that
    -- type. The others would fail at once, without a finding (a struct whose literal `type`
    -- differs fails at its `type`, maybe after counting placeholders in the properties `next`
    -- visits before it, which the option that fits counts too).
    local for_type, for_literal, for_table, for_other_literal = {}, {}, nil, nil
    -- needs[i]: a key the struct of option i requires (with no other key for it): a table
    -- without it fails that option at once, so it is not called (Vector: {x, y} | {1, 2}).
    local needs, no_needs = {}, {}
    local checker = function(v)
      local tv = type(v)
      local order
      local must = needs
      if tv == "table" then
        if v.line_length == 1 and placeholder(v) then return true end
        local literal = v.type
        if for_other_literal and type(literal) == "string" then
          order = for_literal[literal] or for_other_literal
        else
          order = for_table
        end
      else
        order, must = for_type[tv], no_needs
      end
      local kept = #warnings
      trial = trial + 1
      for j = 1, #order do
        local i = order[j]
        local need = must[i]
        if need == nil or v[need] ~= nil then
          if checks[i](v, true) then
            trial = trial - 1
            return true
          end
          for w = #warnings, kept + 1, -1 do warnings[w] = nil end
        end
      end
      trial = trial - 1
      if trial > 0 then return false end
      -- No option fits: report against the one the game would load. A table with a `type`
      -- picks the option of that literal type; else the first option of the value's kind.
      if tv == "table" and type(v.type) == "string" then
        local known = {}
        for i = 1, n do
          local lit = literals[i]
          if lit == v.type then return checks[i](v, true) end
          if lit then known[#known + 1] = ("%q"):format(lit) end
        end
        if #known > 0 then
          depth = depth + 1
          stack[depth] = "type"
          fail(("Unknown type %q; expected one of %s"):format(v.type, table.concat(known, ", ")))
          depth = depth - 1
          return false
        end
      end
      for i = 1, n do
        if (tv == "table") == tables[i] then return checks[i](v, true) end
      end
      return checks[1](v, true)
    end
    return checker, function()
      local accepts = {}
      for i = 1, n do
        local opt = t[i + 1]
        checks[i] = compile(opt)
        local def = option_struct(opt)
        local lit = def and schema.merge_concept(def).p.type
        literals[i] = type(lit) == "table" and lit[1] == "l" and lit[2] or nil
        local is_table = type(opt) == "table" and opt[1] ~= "l" and opt[1] ~= "e" or def ~= nil
        if type(opt) == "string" and not is_table then
          local named = types[opt]
          is_table = type(named) == "table" and named[1] ~= "l" and named[1] ~= "e"
        end
        tables[i] = is_table
        accepts[i] = takes(opt) or false
        if def then
          local merged = schema.merge_concept(def)
          local required = {}
          for k in pairs(merged.r) do
            if not merged.alt[k] then required[#required + 1] = k end
          end
          table.sort(required)
          needs[i] = required[1]
        end
      end
      for _, lua_type in ipairs(LUA_TYPES) do
        local order = {}
        for i = 1, n do
          if not accepts[i] or accepts[i][lua_type] then order[#order + 1] = i end
        end
        for_type[lua_type] = order
      end
      for_table = for_type.table
      for i = 1, n do
        local lit = literals[i]
        if type(lit) == "string" and not for_literal[lit] then
          local order = {}
          for _, j in ipairs(for_type.table) do
            if literals[j] == nil or literals[j] == lit then order[#order + 1] = j end
          end
          for_literal[lit] = order
        end
      end
      if next(for_literal) then
        for_other_literal = {}
        for _, j in ipairs(for_type.table) do
          if literals[j] == nil then for_other_literal[#for_other_literal + 1] = j end
        end
      end
    end
  end

  local function complex(t)
    local head = t[1]
    if head == "s" then
      return struct(schema.merge_concept(t), false)
    elseif head == "u" then
      return union(t)
    elseif head == "e" then
      local allowed, shown = {}, {}
      for i = 2, #t do
        allowed[t[i]] = true
        shown[#shown + 1] = describe(t[i])
      end
      local options = table.concat(shown, ", ")
      return function(v)
        if allowed[v] then return true end
        if type(v) == "table" and v.line_length == 1 and placeholder(v) then return true end
        if trial > 0 then return false end
        return fail(("Value %s must be one of %s"):format(describe(v), options))
      end
    elseif head == "l" then
      local literal = t[2]
      return function(v)
        if v == literal then return true end
        if type(v) == "table" and v.line_length == 1 and placeholder(v) then return true end
        return fail(("Value %s must be %s"):format(describe(v), describe(literal)))
      end
    elseif head == "a" then
      local item, quick
      return function(v)
        if type(v) ~= "table" then return fail("Value must be a list or dictionary") end
        if v.line_length == 1 and placeholder(v) then return true end
        local ok = true
        for k, value in next, v do
          if quick == nil or type(value) ~= quick then
            depth = depth + 1
            stack[depth] = k
            local good = item(value)
            depth = depth - 1
            if not good then
              ok = false
              if trial > 0 then return false end
            end
          end
        end
        return ok
      end, function() item, quick = compile(t[2]), quick_type(t[2]) end
    elseif head == "d" then
      local key, value_of
      return function(v)
        if type(v) ~= "table" then return fail("Value must be a dictionary") end
        if v.line_length == 1 and placeholder(v) then return true end
        local ok = true
        for k, value in next, v do
          depth = depth + 1
          stack[depth] = k
          local good = key(k) and value_of(value)
          depth = depth - 1
          if not good then
            ok = false
            if trial > 0 then return false end
          end
        end
        return ok
      end, function() key, value_of = compile(t[2]), compile(t[3]) end
    elseif head == "t" then
      local items, quick, n = {}, {}, #t - 1
      return function(v)
        if type(v) ~= "table" then return fail("Value must be a list") end
        if v.line_length == 1 and placeholder(v) then return true end
        local ok = true
        for i = 1, n do
          local value = v[i]
          if value == nil or type(value) ~= quick[i] then
            depth = depth + 1
            stack[depth] = i
            local good
            if value == nil then
              good = fail(("Value must be a list of %d"):format(n))
            else
              good = items[i](value)
            end
            depth = depth - 1
            if not good then
              ok = false
              if trial > 0 then return false end
            end
          end
        end
        return ok
      end, function()
        for i = 1, n do items[i], quick[i] = compile(t[i + 1]), quick_type(t[i + 1]) or false end
      end
    end
    return function() error("fm.validate: unknown schema type " .. tostring(head)) end
  end

  -- A checker and, for a type that refers to others, a function compiling those.
  local function build(t)
    if type(t) == "table" then return complex(t) end
    local members = ids[t]
    if members then return id(t, members) end
    local def = types[t]
    if def == nil then return unchecked end -- a type the description does not define
    if type(def) == "string" then
      if def == "localised" then return localised end
      local builtin = def:match("^builtin:(.*)$")
      if builtin then
        if BUILTIN[builtin] then return BUILTIN[builtin] end
        if NUMBERS[builtin] or INTEGERS[builtin] then return number(builtin) end
        return unchecked
      end
    end
    return compile(def) -- another name for a type
  end

  -- The checker of type `t` (a name or a table), compiled on first use.
  function compile(t)
    local f = memo[t]
    if f then return f end
    if busy[t] then
      -- A type containing itself without a struct between (rare): looked up when called.
      return function(v, via_union) return memo[t](v, via_union) end
    end
    busy[t] = true
    local finish
    f, finish = build(t)
    memo[t] = f
    if finish then finish() end
    busy[t] = nil
    return f
  end

  local prototypes = {}
  -- The checker of a prototype definition (its parents' properties included).
  local function prototype(def)
    local f = prototypes[def]
    if not f then
      f = struct(schema.merge_prototype(def), true)
      prototypes[def] = f
    end
    return f
  end

  return { compile = compile, prototype = prototype }
end

-- data.raw ----------------------------------------------------------------------------------

-- Every type of a (possibly lazy) data.raw: its __pairs builds what is left to build.
local function each_type(raw)
  local mt = getmetatable(raw)
  if mt and mt.__pairs then return mt.__pairs(raw) end
  return next, raw, nil
end

local function by_name(a, b) return tostring(a) < tostring(b) end

local function sorted_keys(t)
  local keys, strings = {}, true
  for k in next, t do
    keys[#keys + 1] = k
    if type(k) ~= "string" then strings = false end
  end
  -- Strings compare as their tostring does: sorting them needs no comparator (much faster).
  table.sort(keys, not strings and by_name or nil)
  return keys
end

local function version_of(fm)
  local game_version = fm and rawget(fm, "game_version")
  if game_version then
    local ok, v = pcall(game_version)
    if ok and v then return v end
  end
  local session = fm and fm.current and fm.current()
  local dataset = session and session.dataset
  return dataset and dataset.factorio_version or "2.0.77"
end

--- Validates `raw` (default: the current data stage's data.raw) against the prototype API
--- description of `version` (default: the version the stage mocks).
function M.validate(fm, raw, version)
  if raw == nil then
    local session = fm and fm.current and fm.current()
    raw = session and session.env.data and session.env.data.raw
    if raw == nil then
      error("fm.validate: no data.raw; call fm.setup{stage = \"data\"} first, or pass one: fm.validate(raw, version)", 3)
    end
  elseif type(raw) ~= "table" then
    error("fm.validate: expected data.raw (a table of prototype types), got " .. type(raw), 3)
  end
  local schema = schema_for(version or version_of(fm))
  schema.checkers = schema.checkers or compiler(schema)
  local prototype = schema.checkers.prototype
  errors, warnings, placeholders, id_names = {}, {}, {}, {}
  trial, depth = 0, 0
  by_type = {}
  for k, protos in each_type(raw) do by_type[k] = protos end
  -- Lazy types are built now, so that `next` (and the names of the ID types) sees them whole.
  for _, protos in next, by_type do
    if type(protos) == "table" then materialize(protos) end
  end
  local sorted_names = {}
  for _, type_name in ipairs(sorted_keys(by_type)) do
    local protos = by_type[type_name]
    local def = schema.typenames[type_name] and schema.prototypes[schema.typenames[type_name]]
    if not def or def.abstract then
      errors[#errors + 1] = {
        path = tostring(type_name),
        message = ('No loader found for "%s". "%s" is not a valid prototype type.'):format(type_name, type_name),
      }
    elseif type(protos) == "table" then
      local check = prototype(def)
      family = schema.family[type_name] or type_name
      kind = type_name
      local names = sorted_keys(protos)
      sorted_names[type_name] = names
      for _, name in ipairs(names) do
        local proto = protos[name]
        proto_name = tostring(name)
        stack[1], stack[2], depth = type_name, proto_name, 2
        if type(proto) ~= "table" then
          fail("Value must be a dictionary")
        else
          if proto.type ~= nil and proto.type ~= type_name then
            warn(("the prototype's type is %s but it sits in data.raw[%q]"):format(describe(proto.type), type_name))
          end
          if proto.name ~= nil and proto.name ~= name then
            warn(("the prototype's name is %s but it sits in data.raw[%q][%q]"):format(describe(proto.name), type_name, proto_name))
          end
          check(proto, false)
        end
      end
    end
  end
  -- Namespaces shared across types: one name once.
  for _, label in ipairs(schema.namespaces) do
    local members = schema.namespaces[label]
    local seen = {}
    for i = 2, #members do
      local member = members[i]
      local protos = by_type[member]
      if type(protos) == "table" then
        for _, name in ipairs(sorted_names[member] or sorted_keys(protos)) do
          if seen[name] then
            errors[#errors + 1] = {
              path = member .. "." .. tostring(name),
              message = ('%s prototype "%s" (%s) registered twice: %s "%s" (%s) has the same name, and every %s type shares one namespace')
                :format(label, tostring(name), member, label, tostring(name), seen[name], label),
            }
          else
            seen[name] = member
          end
        end
      end
    end
  end
  local count = 0
  for _ in next, placeholders do count = count + 1 end
  if count > 0 then
    warnings[#warnings + 1] = {
      path = "", message = ("%d placeholder sprite tables (1x1, one frame) not checked: the graphics modules the game's public Lua lacks"):format(count),
    }
  end
  local result = { ok = #errors == 0, errors = errors, warnings = warnings, version = schema.version }
  -- Drop the run's references to data.raw.
  errors, warnings, placeholders, by_type, id_names = nil, nil, nil, nil, nil
  return result
end

--- A readable list of findings, for assertion messages.
function M.format(result, limit)
  limit = limit or 20
  local lines = {}
  for i, e in ipairs(result.errors) do
    if i > limit then
      lines[#lines + 1] = ("… and %d more"):format(#result.errors - limit)
      break
    end
    lines[#lines + 1] = e.path .. ": " .. e.message
  end
  return table.concat(lines, "\n")
end

M.schema_for = schema_for

return M
