-- The data stage: data.raw from the dataset, data:extend with the game's rules.

local common = require("factorio_mocks.stage.common")

local M = {}

--- A `data` table around `raw`, with the game's `data:extend` (core/lualib/dataloader.lua).
function M.new_data(raw, serpent)
  local data = { raw = raw, is_demo = false }
  local function describe(value)
    return serpent.block(value, { maxlevel = 1 })
  end
  -- data.extend{...} and data:extend{...} are equivalent, as in the game.
  function data.extend(self, otherdata)
    if self ~= data and otherdata == nil then otherdata = self end
    if type(otherdata) ~= "table" then
      error("Invalid array of prototypes:\n\n" .. describe(otherdata), 2)
    elseif #otherdata == 0 then
      if otherdata.type or otherdata.name then
        error("Expected array of prototypes, but got a single prototype:\n\n" .. describe(otherdata), 2)
      end
      error("Invalid array of prototypes:\n\n" .. describe(otherdata), 2)
    end
    for _, prototype in ipairs(otherdata) do
      if type(prototype) ~= "table" or not prototype.type then
        error("Missing type in the following prototype definition:\n" .. serpent.block(prototype), 2)
      end
      if not prototype.name then
        error("Missing name in the following prototype definition:\n" .. serpent.block(prototype), 2)
      end
      local of_type = data.raw[prototype.type]
      if of_type == nil then
        of_type = {}
        data.raw[prototype.type] = of_type
      end
      of_type[prototype.name] = prototype
    end
  end
  return data
end

function M.globals(session, fm)
  local g = common.globals(session, fm)
  g.data = M.new_data(common.lazy_raw(session.dataset.source), g.serpent)
  -- The game's tables are all built; here data.raw and its types are lazy, so `next` (as in
  -- `if next(data.raw.quality) then`) first builds what a lazy table holds back.
  local raw_next, materialize = next, common.materialize
  g.next = function(t, k)
    if k == nil then materialize(t) end
    return raw_next(t, k)
  end
  g.mods = common.mods(session)
  g.settings = { startup = common.startup_settings(session) }
  g.feature_flags = common.feature_flags(session, g.mods)
  return g
end

return M
