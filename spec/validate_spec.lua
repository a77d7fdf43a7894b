-- fm.validate and assert.prototypes_valid: the game's load-time checks of data.raw, from the
-- prototype API description of the stage's version. Each defect is planted into the real
-- built-in data (core + base 2.0.77) and found with its path and the game's words.

local fm = require("factorio_mocks.busted")

local DATA = "../shared/data"

local function deepcopy(t)
  if type(t) ~= "table" then return t end
  local copy = {}
  for k, v in pairs(t) do copy[k] = deepcopy(v) end
  return copy
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- The findings whose path is `path`.
local function at(result, path)
  local found = {}
  for _, e in ipairs(result.errors) do
    if e.path == path then found[#found + 1] = e.message end
  end
  return found
end

local function only_error(result, path)
  assert.are.equal(1, #result.errors, require("factorio_mocks.validate").format(result))
  assert.are.equal(path, result.errors[1].path)
  return result.errors[1].message
end

describe("fm.validate", function()
  -- One setup; factorio_mocks.busted resets data.raw after each test.
  setup(function()
    fm.setup { stage = "data" }
  end)

  teardown(function()
    fm.teardown()
  end)

  -- (How fast it is, `make bench` measures: a timed test fails on a busy machine.)
  it("finds nothing the game would refuse in its own data (core and base)", function()
    local result = fm.validate()
    assert.are.same({}, result.errors)
    assert.is_true(result.ok)
    assert.are.equal(fm.game_version(), result.version)
  end)

  it("passes assert.prototypes_valid on the game's own data", function()
    assert.prototypes_valid()
  end)

  it("finds an unknown prototype type", function()
    data:extend { { type = "recipie", name = "my-gear" } }
    local message = only_error(fm.validate(), "recipie")
    assert.are.equal('No loader found for "recipie". "recipie" is not a valid prototype type.', message)
  end)

  it("finds a missing mandatory property, at the prototype's path", function()
    data.raw.item["iron-plate"].stack_size = nil
    local message = only_error(fm.validate(), "item.iron-plate.stack_size")
    assert.are.equal('Error while loading item prototype "iron-plate" (item): Key "stack_size" not found in '
      .. "property tree at ROOT.item.iron-plate", message)
  end)

  it("finds a missing property inside a union's option, the option picked by its type", function()
    data.raw.recipe["iron-gear-wheel"].ingredients[1] = { type = "item", name = "iron-plate" }
    local message = only_error(fm.validate(), "recipe.iron-gear-wheel.ingredients[1].amount")
    -- The game's property tree counts from 0.
    assert.are.equal('Error while loading recipe prototype "iron-gear-wheel" (recipe): Key "amount" not found in '
      .. "property tree at ROOT.recipe.iron-gear-wheel.ingredients[0]", message)
  end)

  it("finds a value of the wrong builtin type", function()
    data.raw.recipe["iron-gear-wheel"].energy_required = "fast"
    local message = only_error(fm.validate(), "recipe.iron-gear-wheel.energy_required")
    assert.are.equal('Error while loading recipe prototype "iron-gear-wheel" (recipe): Value must be a number in '
      .. "property tree at ROOT.recipe.iron-gear-wheel.energy_required", message)
    fm.reset()
    data.raw.item["iron-plate"].localised_name = { "item-name.iron-plate", function() end }
    message = only_error(fm.validate(), "item.iron-plate.localised_name[2]")
    assert.matches("Value must be a string in property tree at ROOT.item.iron-plate.localised_name[1]", message, 1, true)
  end)

  it("finds a wrong concept: a Vector without y, an EnergySource of an unknown type, a bad literal", function()
    data.raw.item["iron-plate"].icons = { { icon = "__base__/graphics/icons/iron-plate.png", shift = { x = 1 } } }
    local message = only_error(fm.validate(), "item.iron-plate.icons[1].shift.y")
    assert.matches('Key "y" not found in property tree at ROOT.item.iron-plate.icons[0].shift', message, 1, true)
    fm.reset()
    data.raw["assembling-machine"]["assembling-machine-1"].energy_source = { type = "electrik", usage_priority = "secondary-input" }
    message = only_error(fm.validate(), "assembling-machine.assembling-machine-1.energy_source.type")
    assert.matches('^Error while loading entity prototype "assembling%-machine%-1" %(assembling%-machine%): '
      .. 'Unknown type "electrik"; expected one of "electric", "burner", "heat", "fluid", "void"', message)
    fm.reset()
    data.raw["assembling-machine"]["assembling-machine-1"].energy_source.usage_priority = "sometimes"
    message = only_error(fm.validate(), "assembling-machine.assembling-machine-1.energy_source.usage_priority")
    assert.matches('Value "sometimes" must be one of "primary-input"', message, 1, true)
  end)

  it("finds a reference to an item that does not exist, in the game's words", function()
    data.raw.recipe["iron-gear-wheel"].ingredients[1].name = "iron-plat"
    local message = only_error(fm.validate(), "recipe.iron-gear-wheel.ingredients[1].name")
    assert.are.equal("Error in assignID: item with name 'iron-plat' does not exist.\n\nSource: iron-gear-wheel (recipe).", message)
  end)

  it("takes an item of any item type, and a fluid for a fluid ingredient", function()
    data.raw.recipe["iron-gear-wheel"].ingredients[1].name = "automation-science-pack" -- a tool
    assert.is_true(fm.validate().ok)
    data.raw.recipe["iron-gear-wheel"].ingredients[1] = { type = "fluid", name = "iron-plate", amount = 10 }
    local message = only_error(fm.validate(), "recipe.iron-gear-wheel.ingredients[1].name")
    assert.matches("fluid with name 'iron-plate' does not exist", message, 1, true)
  end)

  it("finds references driven by the ID types: prerequisites, effects, results, categories, subgroups, grids (2.0: one category)", function()
    fm.setup{ stage = "data", game_version = "2.0" }
    local tech = data.raw.technology.automation
    tech.prerequisites = { "automation-science-pak" }
    tech.effects[1].recipe = "assembling-machine-9"
    local recipe = data.raw.recipe["iron-gear-wheel"]
    recipe.results[1].name = "iron-gear-wheeel"
    recipe.category = "smeltin"
    data.raw.item["iron-plate"].subgroup = "raw-resourse"
    data.raw.armor["modular-armor"].equipment_grid = "tiny-grid"
    local result = fm.validate()
    assert.are.equal(6, #result.errors, require("factorio_mocks.validate").format(result))
    assert.matches("technology with name 'automation-science-pak' does not exist", at(result, "technology.automation.prerequisites[1]")[1], 1, true)
    assert.matches("recipe with name 'assembling-machine-9' does not exist", at(result, "technology.automation.effects[1].recipe")[1], 1, true)
    assert.matches("item with name 'iron-gear-wheeel' does not exist", at(result, "recipe.iron-gear-wheel.results[1].name")[1], 1, true)
    assert.matches("recipe-category with name 'smeltin' does not exist", at(result, "recipe.iron-gear-wheel.category")[1], 1, true)
    assert.matches("item-subgroup with name 'raw-resourse' does not exist", at(result, "item.iron-plate.subgroup")[1], 1, true)
    assert.matches("equipment-grid with name 'tiny-grid' does not exist", at(result, "armor.modular-armor.equipment_grid")[1], 1, true)
  end)

  it("finds one name twice in a namespace shared across types: items, entities", function()
    local copy = deepcopy(data.raw.item["iron-plate"])
    copy.type = "item-with-entity-data"
    data:extend { copy }
    local message = only_error(fm.validate(), "item-with-entity-data.iron-plate")
    assert.matches('registered twice: item "iron-plate" (item) has the same name', message, 1, true)
    fm.reset()
    local chest = deepcopy(data.raw.container["wooden-chest"])
    chest.type = "logistic-container"
    chest.logistic_mode = "passive-provider"
    data:extend { chest }
    message = only_error(fm.validate(), "logistic-container.wooden-chest")
    assert.matches('entity prototype "wooden-chest" (logistic-container) registered twice', message, 1, true)
  end)

  it("fails assert.prototypes_valid listing each finding with its path", function()
    data.raw.recipe["iron-gear-wheel"].ingredients[1].name = "iron-plat"
    local ok, err = pcall(function() assert.prototypes_valid() end)
    assert.is_false(ok)
    assert.matches("recipe.iron-gear-wheel.ingredients[1].name: Error in assignID: item with name 'iron-plat'", tostring(err), 1, true)
    assert.is_false(pcall(function() assert.is_not.prototypes_valid() end) == false)
  end)

  it("says what to do outside the data stage or for a version it does not know", function()
    assert.has_error(function() fm.validate({}, "0.17.79") end,
      "fm.validate: no prototype API description for game version 0.17.79 (known: 2.0.77, 2.1.9)")
    fm.setup { stage = "control" }
    assert.has_error(function() fm.validate() end,
      "fm.validate: no data.raw; call fm.setup{stage = \"data\"} first, or pass one: fm.validate(raw, version)")
  end)
end)

describe("fm.validate with the 2.1.9 description", function()
  local function raw()
    return {
      item = {
        plate = { type = "item", name = "plate", stack_size = 100 },
        gear = { type = "item", name = "gear", stack_size = 100, fuel_value = "1MJ", fuel_categories = { "chemical" } },
      },
      ["fuel-category"] = { chemical = { type = "fuel-category", name = "chemical" } },
      recipe = {
        gear = {
          type = "recipe", name = "gear",
          ingredients = { { type = "item", name = "plate", amount = 2 } },
          results = { { type = "item", name = "gear", amount = 1 } },
        },
      },
    }
  end

  it("validates hand-made prototypes", function()
    local result = fm.validate(raw(), "2.1.9")
    assert.are.same({}, result.errors)
    assert.are.equal("2.1.9", result.version)
    assert.are.equal("2.1.9", fm.validate(raw(), "2.1").version)
  end)

  it("checks what 2.1 changed: a recipe's categories, a new prototype type", function()
    local r = raw()
    r.recipe.gear.categories = { "smeltin" }
    r.recipe.gear.category = "smeltin" -- gone in 2.1: not read
    r["recipe-category"] = { crafting = { type = "recipe-category", name = "crafting" } }
    local result = fm.validate(r, "2.1.9")
    assert.are.equal(1, #result.errors)
    assert.are.equal("recipe.gear.categories[1]", result.errors[1].path)
    assert.matches("recipe-category with name 'smeltin' does not exist", result.errors[1].message, 1, true)
    -- 2.0.77 reads `category` and knows no `categories`.
    result = fm.validate(r, "2.0.77")
    assert.are.equal(1, #result.errors)
    assert.are.equal("recipe.gear.category", result.errors[1].path)
    r = raw()
    r["electric-energy-interface-equipment"] = {}
    assert.is_true(fm.validate(r, "2.1.9").ok)
    assert.are.equal("electric-energy-interface-equipment", fm.validate(r, "2.0.77").errors[1].path)
  end)

  it("finds each kind of defect", function()
    local r = raw()
    r.recipie = { x = { type = "recipie", name = "x" } }
    r.item.plate.stack_size = nil
    r.recipe.gear.ingredients[1].name = "plat"
    r.recipe.gear.energy_required = "slow"
    r.tool = { gear = { type = "tool", name = "gear", stack_size = 10, durability = 1 } }
    local result = fm.validate(r, "2.1.9")
    local paths = {}
    for _, e in ipairs(result.errors) do paths[#paths + 1] = e.path end
    table.sort(paths)
    assert.are.same({ "item.plate.stack_size", "recipe.gear.energy_required", "recipe.gear.ingredients[1].name",
      "recipie", "tool.gear" }, paths)
  end)
end)

describe("fm.validate on the built-in 2.1.9 dataset", function()
  it("finds nothing the game would refuse in its own data (core and base 2.1.9)", function()
    fm.setup { stage = "data", game_version = "2.1.9" }
    local version = fm.current().dataset.factorio_version
    if version ~= "2.1.9" then
      fm.teardown()
      pending("the built-in 2.1.9 dataset is not there yet (game_version = \"2.1.9\" gives " .. tostring(version) .. "'s data.raw)")
      return
    end
    local result = fm.validate()
    fm.teardown()
    assert.are.equal("2.1.9", result.version)
    assert.are.same({}, result.errors)
  end)
end)

describe("fm.validate on the whole 2.0.77 game (space-age)", function()
  local gz = DATA .. "/data-raw/space-age-2.0.77.json.gz"
  if not exists(gz) then
    pending("needs " .. gz)
    return
  end
  local path = os.tmpname()

  setup(function()
    assert(os.execute(("gzip -dc %q > %q"):format(gz, path)))
  end)

  teardown(function()
    fm.teardown()
    os.remove(path)
  end)

  it("finds nothing the game would refuse", function()
    fm.setup { stage = "data", dataset = path }
    local result = fm.validate(nil, "2.0.77")
    assert.are.same({}, result.errors)
  end)
end)
