-- Errors from Rust reach Lua as plain messages blamed on the caller's line, like errors
-- raised in Lua: no Rust-side traceback, and `file:line:` of the spec or mod that called.

local M = {}

local unpack = table.unpack or unpack

--- The message of an error value, without the traceback mlua appends.
function M.message(err)
  local text = tostring(err)
  local cut = text:find("\nstack traceback:", 1, true)
  if cut then text = text:sub(1, cut - 1) end
  return (text:gsub("^runtime error: ", ""))
end

--- `f` with its errors re-raised as messages at the caller's level.
function M.wrap(f)
  return function(...)
    local result = { pcall(f, ...) }
    if not result[1] then error(M.message(result[2]), 2) end
    return unpack(result, 2, table.maxn and table.maxn(result) or #result)
  end
end

--- Wraps every function of each table given, in place.
function M.wrap_tables(...)
  for i = 1, select("#", ...) do
    local t = select(i, ...)
    for name, value in pairs(t) do
      if type(value) == "function" then t[name] = M.wrap(value) end
    end
  end
end

return M
