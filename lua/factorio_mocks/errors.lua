-- Errors from Rust reach Lua as plain messages blamed on the caller's line, like errors
-- raised in Lua: no Rust-side traceback, and `file:line:` of the spec or mod that called.

local M = {}

local unpack = table.unpack or unpack

--- The message of an error value as a user should read it: without the traceback mlua
--- appends, its "runtime error: " prefix, or the "callback error … caused by:" wrapping of an
--- error raised inside a Rust callback (the innermost cause is the message). NUL bytes and the
--- rest of the text survive (string.find and sub work on lengths, not C strings).
function M.message(err)
  local text = tostring(err)
  if text:find("^callback error") then
    local cause
    local from = 1
    while true do
      local s, e = text:find("\ncaused by: ", from, true)
      if not s then break end
      cause, from = e + 1, e + 1
    end
    if cause then text = text:sub(cause) end
  end
  local cut = text:find("\nstack traceback:", 1, true)
  if cut then text = text:sub(1, cut - 1) end
  text = text:gsub("^runtime error: ", "")
  return (text:gsub("^callback error: ", ""))
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

--- A proxy for a Rust object (UserData) whose methods raise plain messages at the caller's
--- line, as `wrap` does for functions: `list:add(…)` blames the spec's line, not Rust's.
function M.wrap_object(object)
  local proxy = {}
  local methods = {}
  return setmetatable(proxy, {
    __index = function(_, key)
      local value = object[key]
      if type(value) ~= "function" then return value end
      local method = methods[key]
      if not method then
        method = function(self, ...)
          local result = { pcall(value, self == proxy and object or self, ...) }
          if not result[1] then error(M.message(result[2]), 2) end
          return unpack(result, 2, table.maxn and table.maxn(result) or #result)
        end
        methods[key] = method
      end
      return method
    end,
    __tostring = function() return tostring(object) end,
  })
end

--- Wraps `t[name]` (a constructor) so the objects it returns are `wrap_object` proxies.
function M.wrap_constructor(t, name)
  local make = t[name]
  t[name] = function(...) return M.wrap_object(make(...)) end
end

--- Functions that raise plain messages at the caller's line themselves: wrap_table leaves them
--- as they are (fm.locale.translate, which a wrapper's pcall and table would slow down).
M.plain = setmetatable({}, { __mode = "k" })

--- Wraps every function of `t` in place (see `wrap` for `level`).
function M.wrap_table(t, level)
  for name, value in pairs(t) do
    if type(value) == "function" and not M.plain[value] then t[name] = M.wrap(value, level) end
  end
end

return M
