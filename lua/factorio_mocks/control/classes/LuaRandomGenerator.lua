-- LuaRandomGenerator (game.create_random_generator makes one).

local classes = require("factorio_mocks.control.classes")

local M = {}

-- LuaRandomGenerator: generator() in [0, 1), generator(m) in [1, m], generator(m, n) in [m, n].
-- A Park–Miller generator (exact in doubles on every Lua): seeded runs repeat, though the
-- numbers are not the game's.
local RANDOM_MOD, RANDOM_MUL = 2147483647, 48271
local function seed_of(seed)
  seed = math.floor(seed or 341) % RANDOM_MOD
  if seed == 0 then seed = 1 end
  return seed
end

M.seed_of = seed_of

local random = classes.impl("LuaRandomGenerator")
function random.call.re_seed(d, seed) d.seed = seed_of(seed) end
function random.callable(d, m, n)
  d.seed = (d.seed * RANDOM_MUL) % RANDOM_MOD
  local x = (d.seed - 1) / (RANDOM_MOD - 1)
  if m == nil then return x end
  if n == nil then m, n = 1, m end
  -- The game's words for an empty interval were not found.
  if type(m) ~= "number" or type(n) ~= "number" or m > n then error("LuaRandomGenerator: interval is empty", 3) end
  return math.floor(m + x * (n - m + 1))
end

return M
