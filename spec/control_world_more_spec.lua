-- What mods use most around the world: their settings, game.player in commands, players
-- building and mining, and the inventories of machines.
local fm = require("factorio_mocks")

local MOD = "fixtures/control-mod"

describe("the control stage", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  describe("mod settings", function()
    before_each(function()
      fm.load_control(MOD)   -- its settings.lua defines the settings, with their defaults
      fm.init()
    end)

    it("come from the mod's settings stage", function()
      assert.are.equal(3, settings.global["control-mod-greeting-limit"].value)
      assert.are.equal("normal", settings.startup["control-mod-mode"].value)
      local p = fm.create_player{ name = "alice" }
      assert.is_true(p.mod_settings["control-mod-greet-me"].value)
      assert.is_nil(settings.global["no-such-setting"])
      assert.are.equal("LuaCustomTable", settings.global.object_name)
    end)

    it("give a copy on each read: changing it changes nothing, as in the game", function()
      settings.global["control-mod-greeting-limit"].value = 7
      assert.are.equal(3, settings.global["control-mod-greeting-limit"].value)
      assert.are.same({}, storage.setting_changes)
    end)

    it("change when a mod writes a ModSetting, raising on_runtime_mod_setting_changed", function()
      local p = fm.create_player{ name = "alice" }
      fm.run_command("/greeting-limit 5", p)
      assert.are.equal(5, settings.global["control-mod-greeting-limit"].value)
      assert.are.same({ { setting = "control-mod-greeting-limit" } }, storage.setting_changes)
      -- game.player is the player typing the command, and only inside the handler.
      assert.are.equal("Players are greeted 5 times.", fm.output("player")[2])
      assert.is_nil(game.player)
    end)

    it("refuse a value of the wrong type or outside the setting's range", function()
      local ok, err = pcall(function() settings.global["control-mod-greeting-limit"] = { value = "five" } end)
      assert.is_false(ok)
      assert.matches('settings.global["control-mod-greeting-limit"]: control-mod-greeting-limit is an int-setting; integer expected, got string', err, 1, true)
      assert.has_error(function() settings.global["control-mod-greeting-limit"] = { value = 11 } end)
      assert.has_error(function() settings.global["control-mod-greeting-limit"] = 5 end)
      assert.has_error(function() settings.startup["control-mod-mode"] = { value = "quiet" } end)
      assert.are.equal(3, settings.global["control-mod-greeting-limit"].value)
    end)

    it("refuse a write from another mod's code: mods can only change their own settings", function()
      local dir = require("spec.support.files").mod_dir("meddler", {
        ["control.lua"] = 'remote.add_interface("meddler", {meddle = function()\n'
          .. '  settings.global["control-mod-greeting-limit"] = {value = 9}\nend})\n',
      })
      fm.load_control(dir)
      local ok, err = pcall(remote.call, "meddler", "meddle")
      os.execute("rm -rf '" .. dir .. "'")
      assert.is_false(ok)
      assert.matches("only mod control-mod can change this setting", err, 1, true)
    end)

    it("per player: fm.set_setting and player.mod_settings raise the event with the player", function()
      local p = fm.create_player{ name = "alice" }
      fm.set_setting("control-mod-greet-me", false, p)
      assert.is_false(p.mod_settings["control-mod-greet-me"].value)
      p.mod_settings["control-mod-greet-me"] = { value = true }
      assert.is_true(settings.get_player_settings(p)["control-mod-greet-me"].value)
      assert.are.same({
        { setting = "control-mod-greet-me", player_index = p.index },
        { setting = "control-mod-greet-me", player_index = p.index },
      }, storage.setting_changes)
    end)
  end)

  describe("fm.build and fm.mine", function()
    it("build for a player and raise on_built_entity with the item used", function()
      fm.load_control(MOD)
      fm.init()
      local p = fm.create_player{ name = "alice" }
      local consumed
      script.on_event(defines.events.on_built_entity, function(e)
        storage.chests[e.entity.unit_number] = e.entity
        consumed = e.consumed_items
        assert.are.same({ { name = "iron-chest", count = 1, quality = "normal" } }, e.consumed_items.get_contents())
        assert.are.equal(p.index, e.player_index)
      end, { { filter = "type", type = "container" } })
      local chest = fm.build{ name = "iron-chest", position = { 1, 1 }, player = p }
      assert.are.equal(chest, storage.chests[chest.unit_number])
      assert.are.equal("player", chest.force.name)
      assert.is_false(consumed.valid)   -- temporary, as the game's
    end)

    it("mine into the player's inventory through the buffer handlers may change", function()
      local p = fm.create_player{ name = "alice" }
      local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 3, 3 }, force = "player" }
      local order = {}
      script.on_event(defines.events.on_pre_player_mined_item, function() order[#order + 1] = "pre" end)
      script.on_event(defines.events.on_player_mined_entity, function(e)
        order[#order + 1] = "entity"
        assert.is_true(e.entity.valid)
        e.buffer.insert{ name = "iron-plate", count = 2 }
      end)
      script.on_event(defines.events.on_player_mined_item, function(e) order[#order + 1] = e.item_stack.name end)
      fm.mine(chest, p)
      assert.is_false(chest.valid)
      assert.are.same({ "pre", "entity", "iron-chest", "iron-plate" }, order)
      assert.are.equal(1, p.get_item_count("iron-chest"))
      assert.are.equal(2, p.get_item_count("iron-plate"))
    end)
  end)

  describe("built and destroyed by script", function()
    local seen
    before_each(function()
      seen = {}
      for _, name in ipairs({ "script_raised_built", "script_raised_destroy", "script_raised_teleported" }) do
        script.on_event(defines.events[name], function(e) seen[#seen + 1] = { name, e.entity.name } end)
      end
    end)

    it("raise script_raised_built and script_raised_destroy only when the mod asks", function()
      local s = game.surfaces[1]
      local quiet = s.create_entity{ name = "iron-chest", position = { 0, 0 } }
      local loud = s.create_entity{ name = "iron-chest", position = { 2, 0 }, raise_built = true }
      quiet.destroy()
      loud.destroy{ raise_destroy = true }   -- raised before the entity goes: handlers can read it
      assert.are.same({ { "script_raised_built", "iron-chest" }, { "script_raised_destroy", "iron-chest" } }, seen)
    end)

    it("raise script_raised_teleported with where the entity was", function()
      local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0, 0 } }
      local moved
      script.on_event(defines.events.script_raised_teleported, function(e) moved = e end)
      chest.teleport({ 5, 5 })
      assert.is_nil(moved)
      chest.teleport({ 7, 7 }, nil, true)
      assert.are.same({ x = 5, y = 5 }, moved.old_position)
      assert.are.equal(1, moved.old_surface_index)
      assert.are.equal(chest, moved.entity)
    end)
  end)

  describe("fm.build{robot = true}", function()
    it("builds as a construction robot and raises on_robot_built_entity with the robot and the stack", function()
      local event
      script.on_event(defines.events.on_robot_built_entity, function(e)
        event = e
        assert.are.equal("iron-chest", e.stack.name)   -- the item used, readable during the event
        assert.are.equal(1, e.stack.count)
      end)
      local chest, robot = fm.build{ name = "iron-chest", position = { 4, 4 }, robot = true, tags = { id = 7 } }
      assert.are.equal(chest, event.entity)
      assert.are.equal(robot, event.robot)
      assert.are.equal("construction-robot", robot.name)
      assert.are.equal("player", chest.force.name)
      assert.are.same({ id = 7 }, event.tags)
      assert.is_false(event.stack.valid)   -- temporary, as the game's
    end)

    it("takes a robot of the test's own and refuses a player and a robot at once", function()
      local robot = game.surfaces[1].create_entity{ name = "construction-robot", position = { 0, 0 }, force = "enemy" }
      local chest = fm.build{ name = "iron-chest", position = { 1, 1 }, robot = robot }
      assert.are.equal("enemy", chest.force.name)   -- the robot's force
      local p = fm.create_player{ name = "alice" }
      assert.has_error(function() fm.build{ name = "iron-chest", position = { 2, 2 }, robot = true, player = p } end,
        "fm.build: give player or robot, not both")
    end)

    it("records the builder as last_user when a player builds", function()
      local p = fm.create_player{ name = "alice" }
      assert.are.equal(p, fm.build{ name = "iron-chest", position = { 1, 1 }, player = p }.last_user)
      assert.is_nil(fm.build{ name = "iron-chest", position = { 3, 3 }, robot = true }.last_user)
    end)
  end)

  describe("more of the world", function()
    it("game.create_inventory makes a script inventory that only its mod's destroy removes", function()
      local inv = game.create_inventory(4)
      assert.are.equal(4, #inv)
      assert.are.equal("level", inv.mod_owner)   -- the test acts as the scenario
      assert.are.equal(10, inv.insert{ name = "iron-plate", count = 10 })
      inv.destroy()
      assert.is_false(inv.valid)
      local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0, 0 } }
      assert.has_error(function() chest.get_main_inventory().destroy() end,
        "not mocked: LuaInventory.destroy for an inventory not made by game.create_inventory")
    end)

    it("game.create_random_generator repeats for a seed", function()
      local a, b = game.create_random_generator(42), game.create_random_generator(42)
      local x = a()
      assert.are.equal(x, b())
      assert.is_true(x >= 0 and x < 1)
      for _ = 1, 100 do
        local n = a(6)
        assert.is_true(n >= 1 and n <= 6 and n % 1 == 0)
        local m = a(10, 12)
        assert.is_true(m >= 10 and m <= 12)
      end
      a.re_seed(42)
      assert.are.equal(x, a())
    end)

    it("forces' bonuses and modifiers start at 0 and keep what a mod writes", function()
      local force = game.forces.player
      assert.are.equal(0, force.manual_mining_speed_modifier)
      assert.are.equal(0, force.character_inventory_slots_bonus)
      force.manual_mining_speed_modifier = force.manual_mining_speed_modifier + 0.5
      assert.are.equal(0.5, force.manual_mining_speed_modifier)
    end)

    it("entities start active, destructible, operable and minable", function()
      local furnace = game.surfaces[1].create_entity{ name = "stone-furnace", position = { 0, 0 } }
      assert.are.same({ true, true, true, true },
        { furnace.active, furnace.destructible, furnace.operable, furnace.minable })
      -- active is writable in 2.0 only (2.1's description makes it read only).
      if fm.game_version():match("^2%.0") then
        furnace.active = false
        assert.is_false(furnace.active)
      else
        assert.has_error(function() furnace.active = false end, "LuaEntity::active is read only.")
      end
      furnace.destructible = false
      assert.is_false(furnace.destructible)
      furnace.health = furnace.max_health / 2
      assert.are.equal(0.5, furnace.get_health_ratio())
    end)

    it("entities name their fuel, output and module inventories", function()
      local inv = defines.inventory
      local surface = game.surfaces[1]
      local stone = surface.create_entity{ name = "stone-furnace", position = { 0, 0 } }
      assert.are.equal(stone.get_inventory(inv.fuel), stone.get_fuel_inventory())
      assert.are.equal(stone.get_inventory(inv.crafter_output), stone.get_output_inventory())
      assert.is_nil(stone.get_module_inventory())
      local electric = surface.create_entity{ name = "electric-furnace", position = { 4, 0 } }
      assert.are.equal(electric.get_inventory(inv.crafter_modules), electric.get_module_inventory())
      assert.is_nil(electric.get_fuel_inventory())
    end)
  end)

  describe("machine inventories", function()
    local inv
    before_each(function() inv = defines.inventory end)

    it("give a furnace its fuel, source, result and modules from the prototype", function()
      local surface = game.surfaces[1]
      local stone = surface.create_entity{ name = "stone-furnace", position = { 0, 0 } }
      assert.are.equal(1, #stone.get_inventory(inv.fuel))
      assert.are.equal(1, #stone.get_inventory(inv.crafter_input))
      assert.are.equal(1, #stone.get_inventory(inv.crafter_output))
      assert.is_nil(stone.get_inventory(inv.crafter_modules))
      local electric = surface.create_entity{ name = "electric-furnace", position = { 4, 0 } }
      assert.are.equal(2, #electric.get_inventory(inv.crafter_modules))
      assert.is_nil(electric.get_inventory(inv.fuel))
      stone.get_inventory(inv.crafter_input).insert{ name = "iron-ore", count = 10 }
      assert.are.equal(10, stone.get_item_count("iron-ore"))
    end)

    it("size an assembler's input and output by its recipe", function()
      local machine = game.surfaces[1].create_entity{ name = "assembling-machine-2", position = { 0, 0 } }
      assert.are.equal(0, #machine.get_inventory(inv.crafter_input))
      assert.are.equal(2, #machine.get_inventory(inv.crafter_modules))
      machine.set_recipe("electronic-circuit")
      assert.are.equal(2, #machine.get_inventory(inv.crafter_input))
      assert.are.equal(1, #machine.get_inventory(inv.crafter_output))
      assert.are.equal("electronic-circuit", machine.get_recipe().name)
      assert.has_error(function() machine.set_recipe("no-such-recipe") end, "Unknown recipe name: no-such-recipe")
    end)

    it("give labs their science pack slots", function()
      local lab = game.surfaces[1].create_entity{ name = "lab", position = { 0, 0 } }
      assert.are.equal(7, #lab.get_inventory(inv.lab_input))
    end)
  end)
end)
