-- LuaForce: players, print, bonuses, recipes and technologies, research.

local classes = require("factorio_mocks.control.classes")
local output = require("factorio_mocks.control.output")
local world = require("factorio_mocks.control.world")
local resolve = require("factorio_mocks.control.world.resolve")
local prototypes = require("factorio_mocks.control.prototypes")

local data = classes.data

local connected, surface_of = output.connected, resolve.surface_of

local force_recipe, force_technology = world.force_recipe, world.force_technology

local force = classes.impl("LuaForce")
function force.get.name(d) return d.name end
function force.get.index(d) return d.index end
function force.get.players(d)
  local list = {}
  for _, p in ipairs(d.state.world.player_list) do
    if data(p).force == d.self then list[#list + 1] = p end
  end
  return list
end
function force.get.connected_players(d) return connected(force.get.players(d)) end

function force.call.print(d, message, print_settings)
  output.print_to(d.state, "force", message, "en", connected(d.state.world.player_list, function(pd) return pd.force == d.self end),
    print_settings, "LuaForce.print")
end

-- The force's bonuses and modifiers start at 0 on a new map; what a mod writes reads back
-- (classes keeps written values), so only the first read needs this.
function force.attribute(d, key, r)
  if r.mode == "rw" and (key:find("_modifier$") or key:find("_bonus$")) and classes.check_type(0, r.type) == nil then
    return true, 0
  end
  return false
end

function force.get.recipes(d)
  if not d.recipe_table then
    d.recipe_table = classes.custom_table(function(name) return force_recipe(d, name) end,
      function() return prototypes.family_raw(d.state, "recipe").names end)
  end
  return d.recipe_table
end

function force.get.technologies(d)
  if not d.technology_table then
    d.technology_table = classes.custom_table(function(name) return force_technology(d, name) end,
      function() return prototypes.family_raw(d.state, "technology").names end)
  end
  return d.technology_table
end
function force.get.current_research(d) return d.research_queue[1] end
function force.get.research_queue(d)
  local q = {}
  for i, t in ipairs(d.research_queue) do q[i] = t end
  return q
end
function force.set.research_queue(d, queue)
  local q = {}
  for i, t in ipairs(queue or {}) do
    q[i] = type(t) == "string" and force_technology(d, t) or t
    if not q[i] then error("Unknown technology name: " .. tostring(t), 2) end
  end
  d.research_queue = q
end
function force.call.add_research(d, tech)
  local t = type(tech) == "string" and force_technology(d, tech) or tech
  if not t then error("Unknown technology name: " .. tostring(tech), 2) end
  if data(t).researched then return false end
  d.research_queue[#d.research_queue + 1] = t
  return true
end
function force.call.cancel_current_research(d) table.remove(d.research_queue, 1) end
function force.call.get_evolution_factor(d, surface)
  local s = surface_of(d.state, surface or 1, 2)
  return d.evolution[data(s).index] or 0
end
function force.call.set_evolution_factor(d, factor, surface)
  local s = surface_of(d.state, surface or 1, 2)
  d.evolution[data(s).index] = factor
end
function force.call.reset(d)
  d.recipes, d.technologies, d.research_queue, d.evolution = {}, {}, {}, {}
end
function force.call.reset_recipes(d) d.recipes = {} end
function force.call.reset_technologies(d) d.technologies = {} end
function force.call.enable_all_recipes(d)
  for _, name in ipairs(prototypes.family_raw(d.state, "recipe").names) do data(force_recipe(d, name)).enabled = true end
end
function force.call.research_all_technologies(d)
  for _, name in ipairs(prototypes.family_raw(d.state, "technology").names) do
    data(force_technology(d, name)).researched = true
  end
end
