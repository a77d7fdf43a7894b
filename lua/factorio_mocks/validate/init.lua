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

-- Paths ------------------------------------------------------------------------------------

local function lua_path(ctx)
  local parts = { ctx.path[1], ".", ctx.path[2] }
  for i = 3, ctx.depth do
    local seg = ctx.path[i]
    if type(seg) == "number" then
      parts[#parts + 1] = "[" .. seg .. "]"
    else
      parts[#parts + 1] = "." .. tostring(seg)
    end
  end
  return table.concat(parts)
end

local function tree_path(ctx)
  local parts = { "ROOT.", ctx.path[1], ".", ctx.path[2] }
  for i = 3, ctx.depth do
    local seg = ctx.path[i]
    if type(seg) == "number" then
      parts[#parts + 1] = "[" .. (seg - 1) .. "]"
    else
      parts[#parts + 1] = "." .. tostring(seg)
    end
  end
  return table.concat(parts)
end

local function push(ctx, seg)
  ctx.depth = ctx.depth + 1
  ctx.path[ctx.depth] = seg
end

local function pop(ctx)
  ctx.path[ctx.depth] = nil
  ctx.depth = ctx.depth - 1
end

local function loading(ctx)
  return ('Error while loading %s prototype "%s" (%s): '):format(ctx.family, ctx.name, ctx.kind)
end

-- In trial mode (ctx.trial > 0, inside a union's options) a mismatch only returns false.
local function fail(ctx, text)
  if ctx.trial > 0 then return false end
  ctx.errors[#ctx.errors + 1] = { path = lua_path(ctx), message = loading(ctx) .. text .. " in property tree at " .. tree_path(ctx) }
  return false
end

local function warn(ctx, text)
  ctx.warnings[#ctx.warnings + 1] = { path = lua_path(ctx), message = text }
end

local function describe(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

-- Checks ------------------------------------------------------------------------------------

local check

local function check_number(ctx, v, name)
  if type(v) ~= "number" then return fail(ctx, "Value must be a number") end
  local range = INTEGERS[name]
  -- Fractions the game takes (the recycler's results: amount = 0.25): only the range is checked.
  if range then
    if v < range[1] or v > range[2] then
      warn(ctx, ("%s out of the range of %s (%d to %.0f)"):format(tostring(v), name, range[1], range[2]))
    end
  end
  return true
end

local BUILTIN = {
  string = function(ctx, v)
    if type(v) ~= "string" then return fail(ctx, "Value must be a string") end
    return true
  end,
  boolean = function(ctx, v)
    if type(v) ~= "boolean" then return fail(ctx, "Value must be a boolean") end
    return true
  end,
  table = function(ctx, v)
    if type(v) ~= "table" then return fail(ctx, "Value must be a list or dictionary") end
    return true
  end,
  DataExtendMethod = function() return true end,
}

local function check_localised(ctx, v, level)
  local tv = type(v)
  if tv == "string" or tv == "number" or tv == "boolean" then return true end
  if tv ~= "table" then return fail(ctx, "Value must be a string") end
  for i = 1, #v do
    push(ctx, i)
    local ok = check_localised(ctx, v[i], level + 1)
    pop(ctx)
    if not ok then return false end
  end
  return true
end

-- The struct a union option stands for (a struct concept, or an inline struct), or nil.
local function option_struct(ctx, opt)
  if type(opt) == "string" then
    local def = ctx.schema.types[opt]
    if type(def) == "table" and def[1] == "s" then return def end
    return nil
  end
  if opt[1] == "s" then return opt end
end

local function literal_type(ctx, def)
  local merged = ctx.schema.merge_concept(def)
  local t = merged.p.type
  if type(t) == "table" and t[1] == "l" then return t[2] end
end

-- `merged`: {p = {key = type}, r = {key = true}} (the struct with its parents').
local function check_struct(ctx, v, merged, direct)
  if type(v) ~= "table" then return fail(ctx, "Value must be a dictionary") end
  local ok = true
  for k in pairs(merged.r) do
    if v[k] == nil and not (merged.alt[k] and v[merged.alt[k]] ~= nil) then
      if ctx.trial > 0 then return false end
      if k == "type" and direct and merged.literal_type then
        warn(ctx, ('Key "type" not found (%q read directly)'):format(merged.literal_type))
      else
        ctx.errors[#ctx.errors + 1] = {
          path = lua_path(ctx) .. "." .. k,
          message = loading(ctx) .. ('Key "%s" not found in property tree at %s'):format(k, tree_path(ctx)),
        }
        ok = false
      end
    end
  end
  local props = merged.p
  for k, value in next, v do
    local t = props[k]
    if t ~= nil then
      push(ctx, k)
      local good = check(ctx, value, t)
      pop(ctx)
      if not good then
        ok = false
        if ctx.trial > 0 then return false end
      end
    end
  end
  return ok
end

local function check_union(ctx, v, t)
  local warnings = ctx.warnings
  local kept = #warnings
  ctx.trial = ctx.trial + 1
  for i = 2, #t do
    if check(ctx, v, t[i], true) then
      ctx.trial = ctx.trial - 1
      return true
    end
    for j = #warnings, kept + 1, -1 do warnings[j] = nil end
  end
  ctx.trial = ctx.trial - 1
  if ctx.trial > 0 then return false end
  -- No option fits: report against the one the game would load. A table with a `type`
  -- picks the option of that literal type; else the first option of the value's kind.
  local tv = type(v)
  if tv == "table" and type(v.type) == "string" then
    local known = {}
    for i = 2, #t do
      local def = option_struct(ctx, t[i])
      local lit = def and literal_type(ctx, def)
      if lit == v.type then return check(ctx, v, t[i], true) end
      if lit then known[#known + 1] = ("%q"):format(lit) end
    end
    if #known > 0 then
      push(ctx, "type")
      fail(ctx, ("Unknown type %q; expected one of %s"):format(v.type, table.concat(known, ", ")))
      pop(ctx)
      return false
    end
  end
  for i = 2, #t do
    local opt = t[i]
    local is_table = type(opt) == "table" and opt[1] ~= "l" and opt[1] ~= "e" or option_struct(ctx, opt) ~= nil
    if type(opt) == "string" and not is_table then
      local def = ctx.schema.types[opt]
      is_table = type(def) == "table" and def[1] ~= "l" and def[1] ~= "e"
    end
    if (tv == "table") == is_table then return check(ctx, v, opt, true) end
  end
  return check(ctx, v, t[2], true)
end

local function check_complex(ctx, v, t, via_union)
  local head = t[1]
  if head == "s" then
    return check_struct(ctx, v, ctx.schema.merge_concept(t), not via_union)
  elseif head == "u" then
    return check_union(ctx, v, t)
  elseif head == "e" then
    for i = 2, #t do
      if t[i] == v then return true end
    end
    if ctx.trial > 0 then return false end
    local options = {}
    for i = 2, #t do options[#options + 1] = describe(t[i]) end
    return fail(ctx, ("Value %s must be one of %s"):format(describe(v), table.concat(options, ", ")))
  elseif head == "l" then
    if v == t[2] then return true end
    return fail(ctx, ("Value %s must be %s"):format(describe(v), describe(t[2])))
  elseif head == "a" then
    if type(v) ~= "table" then return fail(ctx, "Value must be a list or dictionary") end
    local item = t[2]
    local ok = true
    for k, value in next, v do
      push(ctx, k)
      local good = check(ctx, value, item)
      pop(ctx)
      if not good then
        ok = false
        if ctx.trial > 0 then return false end
      end
    end
    return ok
  elseif head == "d" then
    if type(v) ~= "table" then return fail(ctx, "Value must be a dictionary") end
    local key_type, value_type = t[2], t[3]
    local ok = true
    for k, value in next, v do
      push(ctx, k)
      local good = check(ctx, k, key_type) and check(ctx, value, value_type)
      pop(ctx)
      if not good then
        ok = false
        if ctx.trial > 0 then return false end
      end
    end
    return ok
  elseif head == "t" then
    if type(v) ~= "table" then return fail(ctx, "Value must be a list") end
    local ok = true
    for i = 2, #t do
      push(ctx, i - 1)
      local value = v[i - 1]
      local good
      if value == nil then
        good = fail(ctx, ("Value must be a list of %d"):format(#t - 1))
      else
        good = check(ctx, value, t[i])
      end
      pop(ctx)
      if not good then
        ok = false
        if ctx.trial > 0 then return false end
      end
    end
    return ok
  end
  error("fm.validate: unknown schema type " .. tostring(head))
end

-- A 1x1 single-frame sprite table: the placeholder the built-in dataset stands in with for the
-- graphics modules the game's public Lua lacks (factorio_mocks.mod_loader). Not checked.
local function is_placeholder(v)
  return v.line_length == 1 and v.frames == 1 and v.width == 1 and v.height == 1
end

-- `via_union`: v is one of a union's options (a struct's literal `type` then tells them apart).
function check(ctx, v, t, via_union)
  if type(v) == "table" and is_placeholder(v) then
    ctx.placeholders[v] = true
    return true
  end
  if type(t) == "table" then return check_complex(ctx, v, t, via_union) end
  local schema = ctx.schema
  local ids = schema.ids[t]
  if ids then
    if type(v) ~= "string" then return fail(ctx, "Value must be a string") end
    if v == "" then return true end -- "" names nothing (cargo_unit_entity_to_spawn = "")
    local by_type = ctx.by_type
    for i = 2, #ids do
      local of_type = by_type[ids[i]]
      if of_type and of_type[v] ~= nil then return true end
    end
    if ctx.trial > 0 then return false end
    ctx.errors[#ctx.errors + 1] = {
      path = lua_path(ctx),
      message = ("Error in assignID: %s with name '%s' does not exist.\n\nSource: %s (%s)."):format(ids[1], v, ctx.name, ctx.kind),
    }
    return false
  end
  local def = schema.types[t]
  if def == nil then return true end -- a type the description does not define: unchecked
  if type(def) == "string" then
    if def == "localised" then return check_localised(ctx, v, 1) end
    local builtin = def:match("^builtin:(.*)$")
    if builtin then
      local f = BUILTIN[builtin]
      if f then return f(ctx, v) end
      if NUMBERS[builtin] or INTEGERS[builtin] then return check_number(ctx, v, builtin) end
      return true
    end
    return check(ctx, v, def, via_union)
  end
  return check_complex(ctx, v, def, via_union)
end

-- data.raw ----------------------------------------------------------------------------------

-- Every type of a (possibly lazy) data.raw: its __pairs builds what is left to build.
local function each_type(raw)
  local mt = getmetatable(raw)
  if mt and mt.__pairs then return mt.__pairs(raw) end
  return next, raw, nil
end

local function sorted_keys(t)
  local keys = {}
  for k in next, t do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
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
  local ctx = {
    schema = schema, errors = {}, warnings = {}, path = {}, depth = 0, trial = 0, placeholders = {},
  }
  local by_type = {}
  for kind, protos in each_type(raw) do by_type[kind] = protos end
  ctx.by_type = by_type
  for _, kind in ipairs(sorted_keys(by_type)) do
    local protos = by_type[kind]
    local proto_name = schema.typenames[kind]
    local def = proto_name and schema.prototypes[proto_name]
    if not def or def.abstract then
      ctx.errors[#ctx.errors + 1] = {
        path = tostring(kind),
        message = ('No loader found for "%s". "%s" is not a valid prototype type.'):format(kind, kind),
      }
    elseif type(protos) == "table" then
      local merged = schema.merge_prototype(def)
      ctx.family = schema.family[kind] or kind
      ctx.kind = kind
      for _, name in ipairs(sorted_keys(protos)) do
        local proto = protos[name]
        ctx.name = tostring(name)
        ctx.path[1], ctx.path[2], ctx.depth = kind, ctx.name, 2
        if type(proto) ~= "table" then
          fail(ctx, "Value must be a dictionary")
        else
          if proto.type ~= nil and proto.type ~= kind then
            warn(ctx, ("the prototype's type is %s but it sits in data.raw[%q]"):format(describe(proto.type), kind))
          end
          if proto.name ~= nil and proto.name ~= name then
            warn(ctx, ("the prototype's name is %s but it sits in data.raw[%q][%q]"):format(describe(proto.name), kind, ctx.name))
          end
          check_struct(ctx, proto, merged, true)
        end
      end
    end
  end
  -- Namespaces shared across types: one name once.
  for _, label in ipairs(schema.namespaces) do
    local members = schema.namespaces[label]
    local seen = {}
    for i = 2, #members do
      local kind = members[i]
      local protos = by_type[kind]
      if type(protos) == "table" then
        for _, name in ipairs(sorted_keys(protos)) do
          if seen[name] then
            ctx.errors[#ctx.errors + 1] = {
              path = kind .. "." .. tostring(name),
              message = ('%s prototype "%s" (%s) registered twice: %s "%s" (%s) has the same name, and every %s type shares one namespace')
                :format(label, tostring(name), kind, label, tostring(name), seen[name], label),
            }
          else
            seen[name] = kind
          end
        end
      end
    end
  end
  local placeholders = 0
  for _ in next, ctx.placeholders do placeholders = placeholders + 1 end
  if placeholders > 0 then
    ctx.warnings[#ctx.warnings + 1] = {
      path = "", message = ("%d placeholder sprite tables (1x1, one frame) not checked: the graphics modules the game's public Lua lacks"):format(placeholders),
    }
  end
  return { ok = #ctx.errors == 0, errors = ctx.errors, warnings = ctx.warnings, version = schema.version }
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
