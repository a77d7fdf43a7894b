-- The generator's Lua layout: each file is `return ` .. serpent.block(value) .. "\n".
--
-- Keys are written in the order `pairs` gives them (sortkeys = false): in the game that is the
-- insertion order, so a file records the game's own order. serpent writes a table it has seen
-- before as `nil --[[ref]]`; data.raw shares many subtables (sounds, pictures, …), so values are
-- copied first with every shared table duplicated.

local M = {}

local OPTIONS = {
  indent = "  ",
  comment = false,
  sortkeys = false,
  nocode = true,
  numformat = "%.17g",
}
M.OPTIONS = OPTIONS

-- Plain data of `value`: tables copied key by key in `pairs` order (a shared table once per
-- place it appears), strings, numbers and booleans kept, anything else (functions, userdata,
-- API objects) dropped. A table inside itself is an error naming the path.
local function plain(value, open, path)
  local kind = type(value)
  if kind == "string" or kind == "number" or kind == "boolean" then return value end
  if kind ~= "table" then return nil end
  if open[value] then error("factorio-mocks-generator: a table contains itself at " .. path, 0) end
  open[value] = true
  local out = {}
  for k, v in pairs(value) do
    local key = plain(k, open, path)
    if key ~= nil and type(key) ~= "table" then
      out[key] = plain(v, open, path .. "." .. tostring(k))
    end
  end
  open[value] = nil
  return out
end

function M.plain(value, name)
  return plain(value, {}, name or "value")
end

--- The file text of `value`.
function M.file(value, name)
  return "return " .. serpent.block(plain(value, {}, name or "value"), OPTIONS) .. "\n"
end

return M
