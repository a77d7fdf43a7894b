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

--- `f` with its errors re-raised as messages: at the caller's line (`level` 2), or bare
--- (`level` 0) for functions whose messages already say where.
function M.wrap(f, level)
  return function(...)
    local result = { pcall(f, ...) }
    if not result[1] then error(M.message(result[2]), level) end
    return unpack(result, 2, table.maxn and table.maxn(result) or #result)
  end
end

--- Wraps every function of `t` in place (see `wrap` for `level`).
function M.wrap_table(t, level)
  for name, value in pairs(t) do
    if type(value) == "function" then t[name] = M.wrap(value, level) end
  end
end

return M
