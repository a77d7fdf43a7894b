-- The world: players, forces, surfaces, entities, inventories, prototypes, GUI and rendering.
local fm = require("factorio_mocks")

describe("the world", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  it("starts with the game's forces and nauvis", function()
    assert.are.same({ "player", "enemy", "neutral" }, { game.forces[1].name, game.forces[2].name, game.forces[3].name })
    assert.are.equal("nauvis", game.surfaces.nauvis.name)
    assert.are.equal(game.surfaces[1], game.get_surface("nauvis"))
    assert.are.equal(0, game.tick)
  end)

  describe("players", function()
    it("fm.create_player raises on_player_created and on_player_joined_game", function()
      local events = {}
      script.on_event({ defines.events.on_player_created, defines.events.on_player_joined_game }, function(e)
        events[#events + 1] = e.name
      end)
      local p = fm.create_player{ name = "alice" }
      assert.are.same({ defines.events.on_player_created, defines.events.on_player_joined_game }, events)
      assert.are.equal(p, game.get_player("alice"))
      assert.are.equal(p, game.players[1])
      assert.are.equal(1, #game.connected_players)
      assert.are.equal("player", p.force.name)
      assert.are.equal("character", p.character.name)
    end)

    it("fm.leave and fm.join change connected and raise the events", function()
      local p = fm.create_player{ name = "alice" }
      local left
      script.on_event(defines.events.on_player_left_game, function(e) left = e.player_index end)
      fm.leave(p)
      assert.is_false(p.connected)
      assert.are.equal(1, left)
      fm.join(p)
      assert.is_true(p.connected)
    end)

    it("gives items to the player's character", function()
      local p = fm.create_player{ name = "alice" }
      assert.are.equal(10, p.insert{ name = "iron-plate", count = 10 })
      assert.are.equal(10, p.get_item_count("iron-plate"))
      assert.are.equal(4, p.remove_item{ name = "iron-plate", count = 4 })
      assert.are.same({ { name = "iron-plate", count = 6, quality = "normal" } }, p.get_main_inventory().get_contents())
    end)

    it("captures what is printed", function()
      local p = fm.create_player{ name = "alice" }
      p.print("hello")
      game.print("everyone")
      assert.are.same({ "hello", "everyone" }, fm.output())
      assert.are.same({ "everyone" }, fm.output("game"))
    end)
  end)

  describe("entities and inventories", function()
    it("creates, finds, fills and destroys a chest", function()
      local p = fm.create_player{ name = "alice" }
      local chest = p.surface.create_entity{ name = "iron-chest", position = { 0, 0 }, force = p.force }
      assert.are.equal(50, chest.insert{ name = "iron-plate", count = 50 })
      assert.are.equal(50, chest.get_item_count("iron-plate"))
      assert.are.equal(1, #p.surface.find_entities_filtered{ type = "container", area = { { -1, -1 }, { 1, 1 } } })
      assert.are.equal(0, p.surface.count_entities_filtered{ name = "wooden-chest" })
      -- A 1x1 chest put at {0, 0} stands on the tile's centre, as the game places it.
      assert.are.same({ x = 0.5, y = 0.5 }, chest.position)
      assert.are.equal(chest, p.surface.find_entity("iron-chest", { 0.5, 0.5 }))
      chest.destroy()
      assert.is_false(chest.valid)
      assert.has_error(function() return chest.position end, "LuaEntity API call when LuaEntity was invalid.")
    end)

    it("fails create_entity for an unknown prototype with the game's words", function()
      assert.has_error(function() game.surfaces[1].create_entity{ name = "no-such-thing", position = { 0, 0 } } end,
        "Unknown entity name: no-such-thing")
    end)

    it("keeps stack sizes from the prototypes", function()
      local chest = game.surfaces[1].create_entity{ name = "wooden-chest", position = { 0, 0 } }
      local inv = chest.get_inventory(defines.inventory.chest)
      assert.are.equal(16, #inv)
      assert.are.equal(250, chest.insert{ name = "iron-plate", count = 250 })
      assert.are.equal(100, inv[1].count)
      assert.are.equal(50, inv[3].count)
      assert.is_false(inv[4].valid_for_read)
      assert.is_false(inv.is_empty())
      inv.clear()
      assert.is_true(inv.is_empty())
    end)

    it("teleports and filters by radius and force", function()
      local s = game.surfaces[1]
      local a = s.create_entity{ name = "iron-chest", position = { 0, 0 }, force = "player" }
      s.create_entity{ name = "iron-chest", position = { 10, 0 }, force = "enemy" }
      assert.are.equal(1, s.count_entities_filtered{ position = { 0, 0 }, radius = 5 })
      assert.are.equal(1, s.count_entities_filtered{ force = "enemy" })
      assert.are.equal(1, s.count_entities_filtered{ force = "enemy", invert = true })
      a.teleport({ 9, 0 })
      assert.are.equal(2, s.count_entities_filtered{ position = { 10, 0 }, radius = 2 })
    end)

    it("inverts only the filters, never the search area", function()
      local s = game.surfaces[1]
      s.create_entity{ name = "iron-chest", position = { 0, 0 }, force = "player" }
      s.create_entity{ name = "wooden-chest", position = { 0.5, 0.5 }, force = "player" }
      s.create_entity{ name = "wooden-chest", position = { 20, 20 }, force = "player" }
      local area = { { -1, -1 }, { 1, 1 } }
      assert.are.equal(1, s.count_entities_filtered{ area = area, name = "iron-chest", invert = true })
      assert.are.equal(2, s.count_entities_filtered{ area = area })
    end)

    it("finds an entity whose collision box reaches into the area", function()
      local s = game.surfaces[1]
      s.create_entity{ name = "iron-chest", position = { 0.5, 0.5 }, force = "player" }
      -- The chest's centre is outside the area, its box (±0.35) is not.
      assert.are.equal(1, s.count_entities_filtered{ area = { { 0.8, 0.8 }, { 2, 2 } } })
    end)
  end)

  describe("prototypes", function()
    it("maps data.raw to runtime prototypes", function()
      local plate = prototypes.item["iron-plate"]
      assert.are.equal("iron-plate", plate.name)
      assert.are.equal(100, plate.stack_size)
      assert.are.same({ "item-name.iron-plate" }, plate.localised_name)
      assert.is_nil(prototypes.item["no-such-item"])
      local gear = prototypes.recipe["iron-gear-wheel"]
      assert.are.same({ { type = "item", name = "iron-plate", amount = 2 } }, gear.ingredients)
    end)

    it("gives each force its recipes and technologies", function()
      local force = game.forces.player
      assert.are.equal("iron-gear-wheel", force.recipes["iron-gear-wheel"].name)
    end)
  end)

  describe("GUI", function()
    it("builds element trees and finds children by name", function()
      local p = fm.create_player{ name = "alice" }
      local frame = p.gui.screen.add{ type = "frame", name = "my-frame", caption = { "my-mod.title" } }
      frame.add{ type = "button", name = "ok", tags = { action = "close" } }
      assert.are.equal(frame, p.gui.screen["my-frame"])
      assert.are.same({ "my-mod.title" }, frame.caption)
      assert.are.equal("close", frame.ok.tags.action)
      assert.are.equal(frame, frame.ok.parent)
      assert.has_error(function() p.gui.screen.add{ type = "frame", name = "my-frame" } end,
        "Gui element with name my-frame already present in the parent element.")
      frame.destroy()
      assert.is_nil(p.gui.screen["my-frame"])
      assert.is_false(frame.valid)
    end)

    it("raises GUI events from fm.click, fm.gui_text and fm.gui_check", function()
      local p = fm.create_player{ name = "alice" }
      local box = p.gui.left.add{ type = "textfield", name = "box" }
      local check = p.gui.left.add{ type = "checkbox", name = "check", state = false }
      local seen = {}
      script.on_event(defines.events.on_gui_click, function(e) seen[#seen + 1] = "click " .. e.element.name end)
      script.on_event(defines.events.on_gui_text_changed, function(e) seen[#seen + 1] = "text " .. e.text end)
      script.on_event(defines.events.on_gui_checked_state_changed, function(e) seen[#seen + 1] = "check " .. tostring(e.element.state) end)
      fm.click(box)
      fm.gui_text(box, "hi")
      fm.gui_check(check, true)
      assert.are.same({ "click box", "text hi", "check true" }, seen)
      assert.are.equal("hi", box.text)
    end)
  end)

  describe("rendering", function()
    it("draws objects with ids that can be destroyed and cleared", function()
      local circle = rendering.draw_circle{ color = { 1, 0, 0 }, radius = 1, target = { 0, 0 }, surface = 1, width = 1, filled = false }
      local text = rendering.draw_text{ text = "hi", target = { 0, 0 }, surface = 1, color = { 1, 1, 1 } }
      assert.are.equal(2, #rendering.get_all_objects())
      assert.are.equal("circle", circle.type)
      circle.destroy()
      assert.are.same({ text }, rendering.get_all_objects())
      rendering.clear()
      assert.is_false(text.valid)
    end)
  end)

  describe("item stacks", function()
    it("say which kind of item they hold, by the item prototypes' hierarchy", function()
      local inv = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0, 0 } }.get_main_inventory()
      local names = { "iron-plate", "blueprint", "blueprint-book", "deconstruction-planner", "light-armor", "repair-pack",
        "firearm-magazine", "car" }
      for i, name in ipairs(names) do inv[i].set_stack{ name = name, count = 1 } end
      local function kinds(s)
        local out = {}
        for _, m in ipairs({ "is_ammo", "is_armor", "is_blueprint", "is_blueprint_book", "is_deconstruction_item",
          "is_item_with_entity_data", "is_item_with_inventory", "is_item_with_label", "is_item_with_tags",
          "is_repair_tool", "is_selection_tool", "is_tool", "is_upgrade_item" }) do
          if s[m] then out[#out + 1] = m end
        end
        return table.concat(out, " ")
      end
      assert.are.same({
        "",
        "is_blueprint is_item_with_label is_selection_tool",
        "is_blueprint_book is_item_with_inventory is_item_with_label",
        "is_deconstruction_item is_item_with_label is_selection_tool",
        "is_armor is_tool",
        "is_repair_tool is_tool",
        "is_ammo",
        "is_item_with_entity_data",
      }, (function()
        local out = {}
        for i = 1, #names do out[i] = kinds(inv[i]) end
        return out
      end)())
      assert.has_error(function() return inv[#names + 1].is_item_with_tags end,
        "LuaItemStack API call when LuaItemStack was invalid for read.")
    end)
  end)

  describe("bad input, in the game's words", function()
    it("an inventory index out of range", function()
      local inv = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0, 0 } }.get_main_inventory()
      assert.has_error(function() return inv[0] end, "Index out of inventory bounds.")
      assert.has_error(function() return inv[#inv + 1] end, "Index out of inventory bounds.")
    end)

    it("reading an empty stack", function()
      local inv = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0, 0 } }.get_main_inventory()
      assert.has_error(function() return inv[1].name end, "LuaItemStack API call when LuaItemStack was invalid for read.")
    end)

    it("unknown prototype names", function()
      local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0, 0 } }
      assert.has_error(function() chest.insert{ name = "no-such-item" } end, "Unknown item name: no-such-item")
      assert.has_error(function() chest.get_main_inventory().remove("no-such-item") end, "Unknown item name: no-such-item")
      assert.has_error(function() game.surfaces[1].create_entity{ name = "no-such-entity", position = { 0, 0 } } end,
        "Unknown entity name: no-such-entity")
    end)

    it("a missing required field of a table argument", function()
      assert.has_error(function() game.surfaces[1].create_entity{ position = { 0, 0 } } end,
        "value for required field 'name' is missing")
    end)

    it("a GUI add with a duplicate name, an unknown type or an unknown style", function()
      local screen = fm.create_player{ name = "alice" }.gui.screen
      screen.add{ type = "frame", name = "main" }
      assert.has_error(function() screen.add{ type = "flow", name = "main" } end,
        "Gui element with name main already present in the parent element.")
      -- Our words: the game's message for an unknown type was not found.
      assert.has_error(function() screen.add{ type = "window" } end, "Unknown GUI element type: window")
      assert.has_error(function() screen.add{ type = "frame", style = "no_such_style" } end, "Unknown style no_such_style")
    end)
  end)

  it("starts fresh after fm.reset", function()
    fm.create_player{ name = "alice" }
    fm.reset()
    assert.is_nil(game.get_player("alice"))
  end)
end)
