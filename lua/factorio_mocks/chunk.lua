-- Compiling Lua source text with globals of its own, the same way on Lua 5.1–5.4 and LuaJIT.

local M = {}

--- The function of `text` with `env` as its globals, or nil and the message. Precompiled
--- chunks are refused: datasets and mods are source text (the game refuses bytecode too).
function M.load(text, chunkname, env)
  if text:byte(1) == 27 then
    return nil, chunkname:gsub("^[@=]", "") .. ": precompiled chunks are refused; only Lua source text is loaded"
  end
  if setfenv then
    local fn, err = loadstring(text, chunkname)
    if fn then setfenv(fn, env) end
    return fn, err
  end
  return load(text, chunkname, "t", env)
end

return M
