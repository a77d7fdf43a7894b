-- serpent as the game provides it: block, line, dump and load, with comments off by default
-- (the game turned them off for determinism). Written for factorio-mocks to serpent's output
-- conventions; the options mods use are supported: indent, comment, sortkeys, compact,
-- maxlevel, nocode, numformat, keyignore, valignore, name.

local materialize = require("factorio_mocks.stage.common").materialize

local M = {}

local KEYWORDS = {}
for word in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do KEYWORDS[word] = true end

local function quote(s)
  return (("%q"):format(s):gsub("\010", "n"):gsub("\026", "\\026"))
end

local function number_text(n, numformat)
  if n ~= n then return "0/0" end
  if n == math.huge then return "math.huge" end
  if n == -math.huge then return "-math.huge" end
  if math.type and math.type(n) == "integer" then return ("%d"):format(n) end
  if n == math.floor(n) and n > -1e15 and n < 1e15 then return ("%d"):format(n) end
  return (numformat or "%.17g"):format(n)
end

local function key_text(k, numformat)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") and not KEYWORDS[k] then return k end
  if type(k) == "number" then return "[" .. number_text(k, numformat) .. "]" end
  return "[" .. (type(k) == "string" and quote(k) or tostring(k)) .. "]"
end

-- Numbers first in ascending order, then the rest by their text, as serpent's sortkeys does.
local function key_order(a, b)
  local ta, tb = type(a) == "number", type(b) == "number"
  if ta and tb then return a < b end
  if ta ~= tb then return ta end
  return tostring(a) < tostring(b)
end

-- The text of a value that is not a table.
local function scalar_text(value, opts)
  local kind = type(value)
  if kind == "string" then return quote(value) end
  if kind == "number" then return number_text(value, opts.numformat) end
  if kind == "boolean" or kind == "nil" then return tostring(value) end
  if opts.nocode or kind ~= "function" then return "nil --[[" .. kind .. "]]" end
  return "nil --[[function]]"
end

-- A table's entries as {prefix, value, …}: the array part first, then the other keys (sorted
-- unless sortkeys is false), without the ignored ones.
local function entries_of(value, opts, eq)
  -- A lazy table (data.raw) fills itself when iterated; raw `next` below would see it empty.
  local mt = debug.getmetatable(value)
  if type(mt) == "table" and rawget(mt, "__pairs") then mt.__pairs(value) end
  local entries, count = {}, 0   -- count: values may be nil ({1, nil, 3})
  local n = #value
  for i = 1, n do
    local v = value[i]
    if not (opts.valignore and opts.valignore[v]) then
      entries[count + 1], entries[count + 2] = "", v
      count = count + 2
    end
  end
  local keys = {}
  materialize(value) -- a lazy data.raw type: every prototype
  for k in next, value do
    local in_array = type(k) == "number" and k >= 1 and k <= n and k == math.floor(k)
    if not in_array and not (opts.keyignore and opts.keyignore[k]) then keys[#keys + 1] = k end
  end
  if opts.sortkeys ~= false then table.sort(keys, key_order) end
  for _, k in ipairs(keys) do
    local v = value[k]
    if not (opts.valignore and opts.valignore[v]) then
      entries[count + 1], entries[count + 2] = key_text(k, opts.numformat) .. eq, v
      count = count + 2
    end
  end
  return entries, count
end

-- Writes `value` into one buffer, walking nested tables with its own stack: any depth fits the
-- C stack, and the text is built once (no level copies its children's text).
local function serialize(value, opts)
  if type(value) ~= "table" then return scalar_text(value, opts) end
  local indent = opts.indent
  local eq = opts.compact and "=" or " = "
  local sep = indent and "," or (opts.compact and "," or ", ")
  local out, seen, stack = {}, {}, {}
  local margins = {}   -- level -> "\n" .. indent:rep(level)
  local function margin(level)
    if not indent then return "" end
    local m = margins[level]
    if not m then m = "\n" .. indent:rep(level); margins[level] = m end
    return m
  end
  -- Opens table `t` at `level`: writes what it can, and pushes it when it has entries to write.
  local function open(t, level)
    if seen[t] then out[#out + 1] = "nil --[[ref]]"; return end
    if opts.maxlevel and level >= opts.maxlevel then out[#out + 1] = "{}"; return end
    local entries, count = entries_of(t, opts, eq)
    if count == 0 then out[#out + 1] = "{}"; return end
    seen[t] = true
    out[#out + 1] = "{"
    stack[#stack + 1] = { t = t, level = level, entries = entries, count = count, i = 1 }
  end
  open(value, 0)
  while #stack > 0 do
    local frame = stack[#stack]
    local i, entries = frame.i, frame.entries
    if i > frame.count then
      out[#out + 1] = margin(frame.level) .. "}"
      seen[frame.t] = nil
      stack[#stack] = nil
    else
      frame.i = i + 2
      out[#out + 1] = (i == 1 and "" or sep) .. margin(frame.level + 1) .. entries[i]
      local v = entries[i + 1]
      if type(v) == "table" then open(v, frame.level + 1) else out[#out + 1] = scalar_text(v, opts) end
    end
  end
  return table.concat(out)
end

local function with_defaults(opts, defaults)
  local merged = {}
  for k, v in pairs(defaults) do merged[k] = v end
  for k, v in pairs(opts or {}) do merged[k] = v end
  return merged
end

local function run(value, opts)
  local text = serialize(value, opts)
  if opts.name then
    return ("do local %s=%s;return %s;end"):format(opts.name, text, opts.name)
  end
  return text
end

--- Multi-line, indented by two spaces.
function M.block(value, opts)
  return run(value, with_defaults(opts, { indent = "  ", sortkeys = true, comment = false }))
end

--- One line.
function M.line(value, opts)
  return run(value, with_defaults(opts, { sortkeys = true, comment = false }))
end

--- Compact text that `load` (or Lua itself) turns back into the value.
function M.dump(value, opts)
  return run(value, with_defaults(opts, { name = "_", compact = true, sortkeys = true, comment = false }))
end

-- The text outside string literals, so a call can be spotted without false alarms from data.
local function code_only(text)
  local out, i, n = {}, 1, #text
  while i <= n do
    local c = text:sub(i, i)
    if c == '"' or c == "'" then
      local j = i + 1
      while j <= n and text:sub(j, j) ~= c do
        j = j + (text:sub(j, j) == "\\" and 2 or 1)
      end
      i = j + 1
      out[#out + 1] = '""'
    elseif c == "[" and text:find("^%[=*%[", i) then
      local level = text:match("^%[(=*)%[", i)
      local close = text:find("]" .. level .. "]", i, true)
      i = (close or n) + #level + 2
      out[#out + 1] = '""'
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

--- Reads text written by block/line/dump back into a value: `ok, value` or `false, error`.
--- Like serpent's safe mode, the text may hold data only: no function calls.
function M.load(text, opts)
  if type(text) ~= "string" then return false, "serpent.load: expected a string" end
  local safe = not (opts and opts.safe == false)
  if safe and code_only(text):find("[%w_%]%)]%s*[%(\"'{]") then
    return false, "serpent.load: cannot call functions"
  end
  local chunk_text = text:find("^%s*do%s+local") and text or ("return " .. text)
  local fn, err = require("factorio_mocks.chunk").load(chunk_text, "=serpent", { math = { huge = math.huge } })
  if not fn then return false, err end
  local ok, result = pcall(fn)
  if not ok then return false, result end
  return true, result
end

return M
