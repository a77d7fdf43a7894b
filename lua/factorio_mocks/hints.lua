-- Hints for the mistakes a new user makes (issue 15), added after the game's own words: the
-- closest name to a misspelt one, and what an error from a 1.1 habit means in 2.0.

local M = {}

-- The edit distance of a and b (insertions, deletions, substitutions), giving up above `limit`.
local function distance(a, b, limit)
  if math.abs(#a - #b) > limit then return limit + 1 end
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur, best = { [0] = i }, i
    local ca = a:byte(i)
    for j = 1, #b do
      local cost = ca == b:byte(j) and 0 or 1
      local v = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
      cur[j] = v
      if v < best then best = v end
    end
    if best > limit then return limit + 1 end
    prev = cur
  end
  return prev[#b]
end

--- The name of `names` (an array, or a table whose keys are the names) closest to `name`, when
--- it is close enough to be a misspelling (a third of its length, at least 2 edits); else nil.
--- Ties go to the first in sorted order, so the hint is the same on every run.
function M.closest(name, names)
  if type(name) ~= "string" then return nil end
  local list = {}
  if names[1] ~= nil then
    for _, n in ipairs(names) do list[#list + 1] = n end
  else
    for n in pairs(names) do if type(n) == "string" then list[#list + 1] = n end end
  end
  table.sort(list)
  local limit = math.max(2, math.floor(#name / 3))
  local best, best_d = nil, limit + 1
  for _, n in ipairs(list) do
    if n ~= name then
      local d = distance(name, n, best_d - 1 < limit and best_d - 1 or limit)
      if d < best_d then best, best_d = n, d end
    end
  end
  return best
end

--- " (did you mean 'x'?)" for the closest of `names`, or "".
function M.did_you_mean(name, names)
  local near = M.closest(name, names)
  return near and (" (did you mean '%s'?)"):format(near) or ""
end

local GLOBAL_HINT = "\n(hint: `global` was renamed `storage` in Factorio 2.0: write storage.x where the mod reads global.x)"

--- An error of a mod's code with a hint after the game's words, when one applies: indexing the
--- global `global`, which 2.0 renamed `storage`, gives Lua's own "attempt to index global
--- 'global' (a nil value)" (5.3+: "attempt to index a nil value (global 'global')"), as in the game.
function M.explain(err)
  local text = tostring(err)
  if text:find("global 'global'", 1, true) and text:find("a nil value", 1, true)
      and not text:find(GLOBAL_HINT, 1, true) then
    text = text .. GLOBAL_HINT
  end
  return text
end

return M
