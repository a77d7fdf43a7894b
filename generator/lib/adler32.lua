-- Adler-32 of a string as 8 lowercase hex digits (what metadata.lua's checksums hold; zlib's
-- algorithm), in plain Lua 5.2 arithmetic: no bit operations needed.

local MOD = 65521
-- Bytes summed before the modulo: b stays far below 2^53 (and 2^63 on Lua 5.3+).
local BLOCK = 3800

local byte, min = string.byte, math.min

return function(text)
  local a, b = 1, 0
  local len = #text
  local i = 1
  while i <= len do
    local j = min(i + BLOCK - 1, len)
    local bytes = { byte(text, i, j) }
    for k = 1, #bytes do
      a = a + bytes[k]
      b = b + a
    end
    a, b = a % MOD, b % MOD
    i = j + 1
  end
  return ("%04x%04x"):format(b, a)
end
