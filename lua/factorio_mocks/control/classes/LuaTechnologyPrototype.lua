-- LuaTechnologyPrototype.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")

local tech = classes.impl("LuaTechnologyPrototype")
function tech.get.enabled(d) return d.raw.enabled ~= false end
function tech.get.research_unit_count(d) return d.raw.unit and d.raw.unit.count or 0 end
function tech.get.research_unit_energy(d) return d.raw.unit and (d.raw.unit.time or 0) * 60 or 0 end
function tech.get.research_unit_ingredients(d) return prototypes.copy_list(d.raw.unit and d.raw.unit.ingredients, "item") end
function tech.get.effects(d) return prototypes.copy_list(d.raw.effects) end
