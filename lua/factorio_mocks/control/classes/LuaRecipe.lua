-- LuaRecipe: a force's recipe.

local classes = require("factorio_mocks.control.classes")

local recipe = classes.impl("LuaRecipe")
function recipe.get.name(d) return d.name end
function recipe.get.enabled(d) return d.enabled end
function recipe.set.enabled(d, v) d.enabled = v end
function recipe.get.force(d) return d.force end
function recipe.get.prototype(d) return d.proto end
function recipe.get.category(d) return d.raw.category or "crafting" end
function recipe.get.ingredients(d) return d.proto.ingredients end
function recipe.get.products(d) return d.proto.products end
function recipe.get.energy(d) return d.proto.energy end
function recipe.get.localised_name(d) return d.proto.localised_name end
