-- Compiling Lua source text with globals of its own, the same way on Lua 5.1–5.4 and LuaJIT.

local M = {}

-- Lua 5.1 and LuaJIT refuse a call whose `(` starts a new line ("ambiguous syntax (function call
-- x new statement)"); the game's 5.2 reads it as a call, and the game's own Lua writes
-- `data:extend` then `(` on the next line. This moves each such `(` (outside strings and
-- comments) to the end of the line before, ahead of a line comment there, and keeps every
-- line where it was, so errors still name the right lines. It also rewrites 5.2's `\z` string
-- escape, which Lua 5.1 lacks (LuaJIT has it); decimal_hex_floats does the same for hexadecimal
-- floats. 5.2's `goto` has no 5.1 form: use LuaJIT or 5.2+.
local function join_call_parens(text)
  local out, n = {}, 0
  local i, len = 1, #text
  local comment_at = nil        -- index in `out` of the current line's `--` comment, if any
  local function emit(s) n = n + 1; out[n] = s end
  while i <= len do
    local c = text:sub(i, i)
    if c == "\n" then
      local ws, paren = text:match("^\n([ \t\r]*)(%(?)", i)
      if paren == "(" then
        -- `(` joins the previous line: before its comment, or at its end.
        if comment_at then table.insert(out, comment_at, "("); n = n + 1 else emit("(") end
        emit("\n" .. ws)
        i = i + 1 + #ws + 1
      else
        emit("\n")
        i = i + 1
      end
      comment_at = nil
    elseif c == "-" and text:sub(i + 1, i + 1) == "-" then
      local level = text:match("^%-%-%[(=*)%[", i)
      if level then
        local close = text:find("]" .. level .. "]", i, true)
        local stop = close and close + #level + 1 or len
        emit(text:sub(i, stop))
        i = stop + 1
      else
        local stop = text:find("\n", i, true) or len + 1
        comment_at = n + 1
        emit(text:sub(i, stop - 1))
        i = stop
      end
    elseif c == "[" and text:match("^%[=*%[", i) then
      local level = text:match("^%[(=*)%[", i)
      local close = text:find("]" .. level .. "]", i, true)
      local stop = close and close + #level + 1 or len
      emit(text:sub(i, stop))
      i = stop + 1
    elseif c == '"' or c == "'" then
      -- A `\z` (5.2: skip the white space after it, newlines too) becomes the end of the string
      -- and a concatenation with the rest, inside parentheses, keeping the newlines it skipped.
      local j, start, parts = i + 1, i + 1, {}
      while j <= len do
        local d = text:sub(j, j)
        if d == "\\" and text:sub(j + 1, j + 1) == "z" then
          parts[#parts + 1] = c .. text:sub(start, j - 1) .. c
          local ws = text:match("^[ \t\r\n\f\v]*", j + 2)
          parts[#parts + 1] = ws:gsub("[^\n]", "")
          j = j + 2 + #ws
          start = j
        elseif d == "\\" then j = j + 2
        elseif d == c or d == "\n" then break
        else j = j + 1 end
      end
      if #parts == 0 then
        emit(text:sub(i, j))
      else
        local pieces = {}
        for k = 1, #parts, 2 do pieces[#pieces + 1] = parts[k] .. ".." .. parts[k + 1] end
        emit("(" .. table.concat(pieces) .. c .. text:sub(start, j - 1) .. c .. ")")
      end
      i = j + 1
    else
      local stop = text:find("[\n%-%[\"']", i) or len + 1
      if stop == i then stop = i + 1 end
      emit(text:sub(i, stop - 1))
      i = stop
    end
  end
  return table.concat(out)
end
M.join_call_parens = join_call_parens

-- 5.2's hexadecimal floats (flib: `0X1.FFFFFFFFFFFFFP+1023`), which Lua 5.1 cannot read, as
-- decimal numbers of the same value.
local function decimal_hex_floats(text)
  return (text:gsub("%f[%w_.]0[xX](%x*)%.?(%x*)[pP]([%+%-]?%d+)", function(int, frac, exp)
    local mantissa = tonumber((int ~= "" and int or "0") .. frac, 16)
    if not mantissa then return nil end
    return ("%.17g"):format(mantissa * 2 ^ (tonumber(exp) - 4 * #frac))
  end))
end
M.decimal_hex_floats = decimal_hex_floats

--- The function of `text` with `env` as its globals, or nil and the message. Precompiled
--- chunks are refused: datasets and mods are source text (the game refuses bytecode too).
function M.load(text, chunkname, env)
  if text:byte(1) == 27 then
    return nil, chunkname:gsub("^[@=]", "") .. ": precompiled chunks are refused; only Lua source text is loaded"
  end
  if setfenv then
    local fn, err = loadstring(text, chunkname)
    if not fn then
      -- Read the game's 5.2 forms the 5.1 way and try again; keep the first error if that fails.
      local again = loadstring(decimal_hex_floats(join_call_parens(text)), chunkname)
      if again then fn, err = again, nil end
    end
    if fn then
      setfenv(fn, env)
      -- 5.2 code reads its environment as `_ENV` (flib: `_ENV.table_size`); on 5.1 that is a
      -- global, so the environment names itself.
      if text:find("_ENV", 1, true) and rawget(env, "_ENV") == nil then rawset(env, "_ENV", env) end
    end
    return fn, err
  end
  return load(text, chunkname, "t", env)
end

return M
