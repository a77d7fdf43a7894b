-- LuaTechnology: a force's technology; researching it unlocks its recipes.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local world = require("factorio_mocks.control.world")

local data = classes.data

local force_recipe, force_technology = world.force_recipe, world.force_technology

local technology = classes.impl("LuaTechnology")
function technology.get.name(d) return d.name end
function technology.get.force(d) return d.force end
function technology.get.prototype(d) return d.proto end
function technology.get.enabled(d) return d.enabled end
function technology.set.enabled(d, v) d.enabled = v end
function technology.get.researched(d) return d.researched end
function technology.set.researched(d, v)
  d.researched = v
  if v then
    -- Researching unlocks the technology's recipes and raises on_research_finished, as in the game.
    for _, effect in ipairs(d.raw.effects or {}) do
      if effect.type == "unlock-recipe" then
        local r = force_recipe(data(d.force), effect.recipe)
        if r then data(r).enabled = true end
      end
    end
    script.raise(d.state, d.state.env_defines.events.on_research_finished, { research = d.self, by_script = true })
  end
end
-- "Saved technology progress fraction as a value in range [0, 1). 0 means there is no saved progress."
function technology.get.saved_progress(d) return d.progress end
function technology.set.saved_progress(d, v)
  if v < 0 or v >= 1 then error(("LuaTechnology::saved_progress must be in [0, 1), got %s"):format(v), 2) end
  d.progress = v
end
function technology.get.level(d) return d.raw.level or 1 end
function technology.get.prerequisites(d)
  local out = {}
  for _, name in ipairs(d.raw.prerequisites or {}) do out[name] = force_technology(data(d.force), name) end
  return out
end
function technology.get.localised_name(d) return d.proto.localised_name end
