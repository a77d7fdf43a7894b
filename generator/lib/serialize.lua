-- The generator's Lua layout: each file is `return <table>` in serpent.block's form (two-space
-- indent, `key = value`, array items first), written here rather than by serpent itself:
--
-- * keys come in the order `pairs` gives them, which in the game is the insertion order, so a
--   file records the game's own order (serpent.block's sortkeys = false does the same);
-- * serpent writes a table it has already written as `nil --[[ref]]`, and data.raw shares many
--   subtables (sounds, pictures, …); here a shared table is written in full at every place it
--   appears (only a table inside itself is an error);
-- * numbers are written with %.17g (exact for every double), infinities as math.huge, NaN as
--   0/0: what factorio-mocks loads (dataset files run with math.huge in reach).

local M = {}

local KEYWORDS = {}
for word in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do KEYWORDS[word] = true end

local function quote(s)
  return (("%q"):format(s):gsub("\010", "n"):gsub("\026", "\\026"))
end

local function number(n)
  if n ~= n then return "0/0" end
  if n == math.huge then return "math.huge" end
  if n == -math.huge then return "-math.huge" end
  return ("%.17g"):format(n)
end

local function key_text(k)
  local kind = type(k)
  if kind == "string" then
    if k:match("^[%a_][%w_]*$") and not KEYWORDS[k] then return k end
    return "[" .. quote(k) .. "]"
  end
  if kind == "number" then return "[" .. number(k) .. "]" end
  return "[" .. tostring(k) .. "]"
end

local PLAIN_KEY = { string = true, number = true, boolean = true }

-- Appends the text of `value` to `out`; `open` holds the tables being written (a cycle check).
local function write(out, value, indent, open, path)
  local kind = type(value)
  if kind == "string" then out[#out + 1] = quote(value); return end
  if kind == "number" then out[#out + 1] = number(value); return end
  if kind == "boolean" then out[#out + 1] = tostring(value); return end
  if kind ~= "table" then out[#out + 1] = "nil --[[" .. kind .. "]]"; return end
  if open[value] then error("factorio-mocks-generator: a table contains itself at " .. path, 0) end
  open[value] = true
  local inner = indent .. "  "
  local first = true
  local function item()
    out[#out + 1] = first and "{\n" or ",\n"
    out[#out + 1] = inner
    first = false
  end
  local n = #value
  for i = 1, n do
    item()
    write(out, value[i], inner, open, path .. "[" .. i .. "]")
  end
  for k, v in pairs(value) do
    local in_array = type(k) == "number" and k >= 1 and k <= n and k % 1 == 0
    if not in_array and PLAIN_KEY[type(k)] then
      item()
      out[#out + 1] = key_text(k)
      out[#out + 1] = " = "
      write(out, v, inner, open, path .. "." .. tostring(k))
    end
  end
  open[value] = nil
  out[#out + 1] = first and "{}" or ("\n" .. indent .. "}")
end

--- The text of `value` in serpent.block's form.
function M.block(value, name)
  local out = {}
  write(out, value, "", {}, name or "value")
  return table.concat(out)
end

--- The file text of `value`: `return <block>` and a newline.
function M.file(value, name)
  return "return " .. M.block(value, name) .. "\n"
end

return M
