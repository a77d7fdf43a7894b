-- `prototypes` as published mods use it: the filtered getters, attributes with the prototype
-- API's defaults, planets as space locations, and the game's default localised names.
local fm = require("factorio_mocks")

local function names(t)
  local out = {}
  for name in pairs(t) do out[#out + 1] = name end
  table.sort(out)
  return out
end

local function has(t, name) return t[name] ~= nil end

describe("prototypes", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  describe("get_entity_filtered", function()
    it("selects by type, as RateCalculator lists containers", function()
      local chests = prototypes.get_entity_filtered{ { filter = "type", type = "container" } }
      assert.is_true(has(chests, "iron-chest"))
      assert.is_false(has(chests, "transport-belt"))
      assert.are.equal("LuaCustomTable", chests.object_name)
      assert.are.equal(prototypes.entity["iron-chest"], chests["iron-chest"])
      local both = prototypes.get_entity_filtered{
        { filter = "type", type = "container" }, { filter = "type", type = "logistic-container" } }
      assert.is_true(has(both, "iron-chest") and has(both, "requester-chest"))
      assert.are.equal(#both, #names(both))
    end)

    it("negates one filter with invert", function()
      local others = prototypes.get_entity_filtered{ { filter = "type", type = "container", invert = true } }
      assert.is_false(has(others, "iron-chest"))
      assert.is_true(has(others, "transport-belt"))
    end)

    it("binds 'and' tighter than 'or'", function()
      local chests = prototypes.get_entity_filtered{
        { filter = "type", type = "container" },
        { filter = "name", name = "iron-chest", mode = "and", invert = true },
        { filter = "type", type = "inserter" },
      }
      assert.is_false(has(chests, "iron-chest"))
      assert.is_true(has(chests, "wooden-chest"))
      assert.is_true(has(chests, "inserter"))
    end)

    it("knows crafting categories, flags and prototype classes", function()
      assert.are.same({ "electric-furnace", "steel-furnace", "stone-furnace" },
        names(prototypes.get_entity_filtered{ { filter = "crafting-category", crafting_category = "smelting" } }))
      local turrets = prototypes.get_entity_filtered{ { filter = "turret" } }
      assert.is_true(has(turrets, "gun-turret"))
      assert.is_false(has(turrets, "iron-chest"))
      local player_placeable = prototypes.get_entity_filtered{ { filter = "flag", flag = "player-creation" },
        { filter = "type", type = "container", mode = "and" } }
      assert.is_true(has(player_placeable, "iron-chest"))
      assert.is_false(has(player_placeable, "transport-belt"))
    end)

    it("refuses a filter kind the API does not have, and one it cannot honour", function()
      assert.has_error(function() prototypes.get_entity_filtered{ { filter = "nope" } } end,
        'EntityPrototypeFilter: unknown filter "nope" at index 1')
      assert.has_error(function() prototypes.get_entity_filtered{ { type = "container" } } end,
        "value for required field 'filter' is missing")
      -- What makes an entity a "building" is not in the API description: loud, not guessed.
      assert.has_error(function() prototypes.get_entity_filtered{ { filter = "building" } } end,
        "not mocked: EntityPrototypeFilter.building")
    end)
  end)

  describe("get_item_filtered", function()
    it("selects by place-result with nested entity filters", function()
      assert.are.same({ "electric-furnace", "steel-furnace", "stone-furnace" },
        names(prototypes.get_item_filtered{ { filter = "place-result", elem_filters = { { filter = "type", type = "furnace" } } } }))
      local placing = prototypes.get_item_filtered{ { filter = "place-result" } }
      assert.is_true(has(placing, "iron-chest"))
      assert.is_false(has(placing, "iron-plate"))
    end)

    it("selects modules that are not hidden, as ModuleInserterSimplified does", function()
      local modules = prototypes.get_item_filtered{ { filter = "type", type = "module" }, { filter = "hidden", mode = "and", invert = true } }
      assert.is_true(has(modules, "speed-module"))
      assert.is_false(has(modules, "iron-plate"))
    end)

    it("compares stack sizes and fuel values, and knows fuel categories", function()
      local big = prototypes.get_item_filtered{ { filter = "stack-size", comparison = ">", value = 20 },
        { filter = "stack-size", comparison = "<", value = 100, mode = "and" } }
      assert.is_true(has(big, "iron-chest"))     -- 50
      assert.is_false(has(big, "iron-plate"))    -- 100
      local fuels = prototypes.get_item_filtered{ { filter = "fuel-category", ["fuel-category"] = "chemical" } }
      assert.is_true(has(fuels, "coal"))
      assert.is_true(has(prototypes.get_item_filtered{ { filter = "fuel-value", comparison = "≥", value = 4e6 } }, "coal"))
      assert.is_false(has(prototypes.get_item_filtered{ { filter = "fuel" } }, "iron-plate"))
    end)
  end)

  describe("the other filtered getters", function()
    it("select recipes by products, nested two levels (2.0: 2.1 changed the recipes)", function()
      fm.setup{ stage = "control", game_version = "2.0" }
      local furnaces = prototypes.get_recipe_filtered{ { filter = "has-product-item", elem_filters = {
        { filter = "place-result", elem_filters = { { filter = "type", type = "furnace" } } } } } }
      assert.are.same({ "electric-furnace", "steel-furnace", "stone-furnace" }, names(furnaces))
      local acid = prototypes.get_recipe_filtered{ { filter = "has-ingredient-fluid", elem_filters = { { filter = "name", name = "sulfuric-acid" } } } }
      assert.is_true(has(acid, "processing-unit"))
      assert.is_true(has(prototypes.get_recipe_filtered{ { filter = "category", category = "smelting" } }, "iron-plate"))
    end)

    it("select technologies, fluids, tiles and equipment", function()
      assert.are.same({ "advanced-material-processing" },
        names(prototypes.get_technology_filtered{ { filter = "unlocks-recipe", recipe = "steel-furnace" } }))
      assert.is_true(has(prototypes.get_fluid_filtered{ { filter = "name", name = { "water", "steam" } } }, "steam"))
      assert.is_true(has(prototypes.get_tile_filtered{ { filter = "item-to-place" } }, "stone-path"))
      assert.is_true(has(prototypes.get_equipment_filtered{ { filter = "type", type = "battery-equipment" } }, "battery-equipment"))
    end)
  end)

  describe("attributes with a default in the prototype API", function()
    it("read the property, else its default", function()
      assert.is_false(prototypes.item["iron-chest"].hidden_in_factoriopedia)   -- "Value of `hidden`"
      assert.are.equal(50, prototypes.entity["iron-chest"].selection_priority)
      assert.are.equal("container", prototypes.entity["iron-chest"].fast_replaceable_group)
      assert.is_true(prototypes.recipe["iron-chest"].allow_decomposition)
      assert.is_false(prototypes.technology["automation"].upgrade)
    end)
  end)

  describe("space locations", function()
    it("hold the planets", function()
      local nauvis = prototypes.space_location["nauvis"]
      assert.are.equal("nauvis", nauvis.name)
      assert.are.equal("planet", nauvis.type)
      assert.are.same({ "space-location-name.nauvis" }, nauvis.localised_name)
      assert.are.equal("Nauvis", fm.locale.translate(nauvis.localised_name))
    end)

    it("are the only table of planets: 2.0.77 has no prototypes.planet", function()
      assert.has_error(function() return prototypes.planet end, "LuaPrototypes doesn't contain key planet.")
    end)
  end)

  describe("attributes that name prototypes", function()
    it("give the prototype data.raw names, as BlueprintTools maps upgrades back", function()
      local upgrade = prototypes.entity["transport-belt"].next_upgrade
      assert.are.equal("LuaEntityPrototype", upgrade.object_name)
      assert.are.equal(prototypes.entity["fast-transport-belt"], upgrade)
      assert.is_nil(prototypes.entity["express-transport-belt"].next_upgrade)
    end)

    it("of items: what they place, plant and burn to, as FactorySearch maps items to entities", function()
      assert.are.equal(prototypes.entity["iron-chest"], prototypes.item["iron-chest"].place_result)
      assert.is_nil(prototypes.item["iron-plate"].place_result)
      -- Base has no seeds: no item plants anything.
      assert.is_nil(prototypes.item["wood"].plant_result)
      assert.are.equal(prototypes.item["depleted-uranium-fuel-cell"], prototypes.item["uranium-fuel-cell"].burnt_result)
      assert.is_nil(prototypes.item["coal"].burnt_result)
      assert.are.equal("LuaEquipmentPrototype", prototypes.item["battery-equipment"].place_as_equipment_result.object_name)
    end)

    it("as arrays and dictionaries by name where the runtime gives several", function()
      assert.are.same({ "straight-rail" }, { prototypes.item["rail"].rails[1].name })
      assert.are.same({ "tank-cannon", "tank-flamethrower", "tank-machine-gun" }, names(prototypes.entity["tank"].guns))
      assert.are.equal(prototypes.item["tank-cannon"], prototypes.entity["tank"].guns["tank-cannon"])
      assert.are.same({ "automation-science-pack" }, names(prototypes.technology["automation"].prerequisites))
      assert.are.same({}, prototypes.entity["iron-chest"].additional_pastable_entities)
    end)
  end)

  describe("entity prototypes", function()
    it("give the base size of an inventory they have, as RateCalculator sizes chests and wagons", function()
      assert.are.equal(32, prototypes.entity["iron-chest"].get_inventory_size(defines.inventory.chest))
      assert.are.equal(40, prototypes.entity["cargo-wagon"].get_inventory_size(defines.inventory.cargo_wagon))
      assert.are.equal(1, prototypes.entity["stone-furnace"].get_inventory_size(defines.inventory.fuel))
      assert.is_nil(prototypes.entity["transport-belt"].get_inventory_size(defines.inventory.chest))
      assert.are.equal(32, prototypes.entity["iron-chest"].get_inventory_size(defines.inventory.chest, "normal"))
      assert.has_error(function() prototypes.entity["iron-chest"].get_inventory_size(defines.inventory.chest, "legendary") end,
        "not mocked: LuaEntityPrototype.get_inventory_size of a quality other than normal")
    end)

    it("give the fluid capacity of tanks and wagons, 0 for crafting machines and dry entities", function()
      assert.are.equal(25000, prototypes.entity["storage-tank"].fluid_capacity)
      assert.are.equal(50000, prototypes.entity["fluid-wagon"].fluid_capacity)
      assert.are.equal(100, prototypes.entity["pipe"].get_fluid_capacity())
      assert.are.equal(0, prototypes.entity["chemical-plant"].fluid_capacity)
      assert.are.equal(0, prototypes.entity["iron-chest"].fluid_capacity)
    end)

    it("take subgroup and order from the item that places them, else are in 'other'", function()
      local chest = prototypes.entity["iron-chest"]
      assert.are.equal("storage", chest.subgroup.name)
      assert.are.equal("logistics", chest.group.name)
      assert.are.equal(prototypes.item["iron-chest"].order, chest.order)
      assert.are.equal("other", prototypes.entity["crash-site-chest-1"].group.name)
      assert.are.equal("environment", prototypes.entity["tree-01"].group.name)
    end)

    it("give their boxes in the runtime's form, defaults from the prototype API", function()
      local inserter = prototypes.entity["inserter"]
      assert.are.same({ left_top = { x = -0.15, y = -0.15 }, right_bottom = { x = 0.15, y = 0.15 } }, inserter.collision_box)
      assert.are.same({ left_top = { x = -0.4, y = -0.35 }, right_bottom = { x = 0.4, y = 0.45 } }, inserter.selection_box)
      -- map_generator_bounding_box: "The value of collision_box"; an empty box where none is given.
      assert.are.same(inserter.collision_box, inserter.map_generator_bounding_box)
      assert.is_nil(inserter.secondary_collision_box)
      assert.are.same({ left_top = { x = 0, y = 0 }, right_bottom = { x = 0, y = 0 } },
        prototypes.entity["explosion"].collision_box)
    end)

    it("cover tiles as their collision box rounded up, as quick-adjustable-inserters sizes its grid", function()
      assert.are.same({ 1, 1 }, { prototypes.entity["inserter"].tile_width, prototypes.entity["inserter"].tile_height })
      assert.are.same({ 3, 3 }, { prototypes.entity["assembling-machine-1"].tile_width, prototypes.entity["assembling-machine-1"].tile_height })
    end)

    it("of inserters give pickup and drop vectors in the array format, nil for other entities", function()
      local inserter = prototypes.entity["inserter"]
      assert.are.same({ 0, -1 }, inserter.inserter_pickup_position)
      assert.are.same({ 0, 1.2 }, inserter.inserter_drop_position)
      assert.is_true(inserter.inserter_chases_belt_items)
      assert.are.equal(0, inserter.inserter_stack_size_bonus)
      assert.is_nil(prototypes.entity["iron-chest"].inserter_pickup_position)
    end)

    it("and items tell their flags", function()
      local inserter = prototypes.entity["inserter"]
      assert.is_true(inserter.has_flag("player-creation"))
      assert.is_false(inserter.has_flag("not-rotatable"))
      assert.are.same({ ["placeable-neutral"] = true, ["placeable-player"] = true, ["player-creation"] = true }, inserter.flags)
      assert.is_false(prototypes.item["iron-plate"].has_flag("always-show"))
      assert.are.same({}, prototypes.item["iron-plate"].flags)
    end)

    it("are placed by their placeable_by items first", function()
      assert.are.same({ { name = "rail", count = 1 } }, prototypes.entity["straight-rail"].items_to_place_this)
      assert.are.same({ { name = "iron-chest", count = 1 } }, prototypes.entity["iron-chest"].items_to_place_this)
    end)
  end)

  describe("localised names", function()
    it("of an item that places an entity are the entity's", function()
      assert.are.same({ "entity-name.iron-chest" }, prototypes.item["iron-chest"].localised_name)
      assert.are.same({ "item-name.iron-plate" }, prototypes.item["iron-plate"].localised_name)
    end)

    it("of a recipe are its main product's", function()
      assert.are.same({ "entity-name.iron-chest" }, prototypes.recipe["iron-chest"].localised_name)
      assert.are.same({ "item-name.iron-gear-wheel" }, prototypes.recipe["iron-gear-wheel"].localised_name)
      -- Several products and no main_product: the recipe's own name.
      assert.are.same({ "recipe-name.advanced-oil-processing" }, prototypes.recipe["advanced-oil-processing"].localised_name)
      assert.are.equal("Iron chest", fm.locale.translate(prototypes.recipe["iron-chest"].localised_name))
    end)

    it("and a recipe's subgroup is its main product's", function()
      assert.are.equal("storage", prototypes.recipe["iron-chest"].subgroup.name)
    end)
  end)
end)
