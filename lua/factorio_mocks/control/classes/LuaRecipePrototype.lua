-- LuaRecipePrototype: ingredients and products in the runtime's shape, main product.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")

local recipe = classes.impl("LuaRecipePrototype")
function recipe.get.ingredients(d) return prototypes.copy_list(d.raw.ingredients, "item") end
function recipe.get.products(d)
  local results = d.raw.results or (d.raw.result and { { type = "item", name = d.raw.result, amount = d.raw.result_count or 1 } })
  return prototypes.copy_list(results, "item")
end
function recipe.get.energy(d) return d.raw.energy_required or 0.5 end
function recipe.get.enabled(d) return d.raw.enabled ~= false end
-- 2.0 has one `category`; 2.1 has `categories` (RecipePrototype::categories, default
-- {"crafting"}). Each version reads its own; a 2.0 data.raw seen through 2.1 still answers.
function recipe.get.category(d) return d.raw.category or (d.raw.categories and d.raw.categories[1]) or "crafting" end
function recipe.get.categories(d)
  local list = {}
  for i, c in ipairs(d.raw.categories or { d.raw.category or "crafting" }) do list[i] = c end
  return list
end
function recipe.get.main_product(d)
  local products = recipe.get.products(d)
  -- "" says the recipe has no main product (it keeps its own name and subgroup).
  if d.raw.main_product == "" then return nil end
  if d.raw.main_product then
    for _, p in ipairs(products) do if p.name == d.raw.main_product then return p end end
  end
  if #products == 1 then return products[1] end
end
