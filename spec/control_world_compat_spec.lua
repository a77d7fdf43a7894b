-- The world members the published mods of the compatibility tier (spec/compat_spec.lua) read:
-- each with the game's behaviour or its default as the runtime API description and the game's
-- own data give them.
local fm = require("factorio_mocks")
local support = require("spec.support.files")

describe("the control stage's world, as published mods read it", function()
  after_each(function() fm.teardown() end)

  describe("a surface's day", function()
    before_each(function() fm.setup{ stage = "control" } end)

    -- StatsGui's daytime sensor: surface.ticks_per_day.
    it("lasts the planet's day-night-cycle on nauvis: 7 minutes, 25200 ticks", function()
      assert.are.equal(25200, game.surfaces.nauvis.ticks_per_day)
      assert.are.equal(25200, game.surfaces.nauvis.get_property("day-night-cycle"))
    end)

    it("reads back what a mod writes", function()
      game.surfaces.nauvis.ticks_per_day = 12000
      assert.are.equal(12000, game.surfaces.nauvis.ticks_per_day)
    end)

    it("takes the surface property's default on a surface without a planet", function()
      local s = game.create_surface("lab")
      assert.are.equal(300, s.get_property("day-night-cycle"))
      assert.are.equal(300, s.ticks_per_day)
      s.set_property("gravity", 3)
      assert.are.equal(3, s.get_property("gravity"))
      assert.are.equal(10, game.surfaces.nauvis.get_property("gravity"))
      assert.has_error(function() s.get_property("no-such-property") end, "Unknown surface property: no-such-property")
    end)
  end)

  describe("game.map_settings", function()
    before_each(function() fm.setup{ stage = "control" } end)

    -- Mining_Drones' on_init: game.map_settings.path_finder.use_path_cache = false.
    it("holds the map-settings prototype's values, without its type, name and difficulty settings", function()
      local ms = game.map_settings
      assert.is_true(ms.path_finder.use_path_cache)
      assert.are.equal(3, ms.max_failed_behavior_count)
      assert.are.equal(4e-06, ms.enemy_evolution.time_factor)
      assert.is_true(ms.pollution.enabled)
      assert.is_nil(ms.type)
      assert.is_nil(ms.name)
      assert.is_nil(ms.difficulty_settings)
    end)

    it("keeps what a mod changes in its members, across save and load", function()
      game.map_settings.path_finder.use_path_cache = false
      assert.is_false(game.map_settings.path_finder.use_path_cache)
      fm.load()
      assert.is_false(game.map_settings.path_finder.use_path_cache)
    end)
  end)

  describe("game.get_script_inventories", function()
    -- Mining_Drones' on_configuration_changed destroys its old inventories through it.
    it("gives each mod's inventories made by game.create_inventory, without the destroyed ones", function()
      local mod = support.mod_dir("inv-mod", {
        ["control.lua"] = [[
          script.on_init(function()
            storage.a = game.create_inventory(10)
            storage.b = game.create_inventory(20)
          end)
          script.on_event(defines.events.on_tick, function()
            storage.mine = game.get_script_inventories("inv-mod")
            storage.other = game.get_script_inventories("other-mod")
          end)
        ]],
      })
      fm.setup{ stage = "control" }
      fm.load_control(mod)
      fm.init()
      fm.tick(1)
      local st = fm.storage("inv-mod")
      assert.are.equal(2, #st.mine["inv-mod"])
      assert.are.equal(st.a, st.mine["inv-mod"][1])
      assert.are.equal(20, #st.mine["inv-mod"][2])
      assert.are.same({}, st.other)
      st.a.destroy()
      assert.are.equal(1, #game.get_script_inventories()["inv-mod"])
      assert.are.equal(st.b, game.get_script_inventories()["inv-mod"][1])
    end)
  end)

  describe("a player", function()
    local p
    before_each(function()
      fm.setup{ stage = "control" }
      p = fm.create_player{ name = "alice" }
    end)

    -- SpidertronEnhancements' custom inputs: `if player.spidertron_remote_selection then …`.
    it("has no spidertron remote selection unless a remote is in the cursor", function()
      assert.is_nil(p.spidertron_remote_selection)
      p.cursor_stack.set_stack("spidertron-remote")
      assert.are.same({}, p.spidertron_remote_selection)
    end)

    it("selects spiders with the remote, and loses those that are gone", function()
      local spider = game.surfaces[1].create_entity{ name = "spidertron", position = { 5, 5 }, force = "player" }
      local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0, 3 }, force = "player" }
      assert.has_error(function() p.spidertron_remote_selection = { spider } end,
        "LuaPlayer::spidertron_remote_selection: the player holds no spidertron remote")
      p.cursor_stack.set_stack("spidertron-remote")
      p.spidertron_remote_selection = { spider }
      assert.are.equal(spider, p.spidertron_remote_selection[1])
      assert.has_error(function() p.spidertron_remote_selection = { chest } end,
        "LuaPlayer::spidertron_remote_selection: entry 1 is not a spider vehicle")
      spider.destroy()
      assert.are.same({}, p.spidertron_remote_selection)
      p.clear_cursor()
      assert.is_nil(p.spidertron_remote_selection)
    end)

    it("sits in no vehicle, looks at the game world and plays with keyboard and mouse", function()
      assert.is_nil(p.physical_vehicle)
      assert.are.equal(defines.render_mode.game, p.render_mode)
      assert.are.equal(defines.input_method.keyboard_and_mouse, p.input_method)
    end)
  end)

  describe("the locale of load_mods' mods", function()
    -- ModuleInserterSimplified labels its tool with the translation of its own locale key.
    local function mod()
      return support.mod_dir("talk-mod", {
        ["locale/en/talk.cfg"] = "[talk]\nhello=Hello __1__\n",
        ["control.lua"] = [[
          script.on_event(defines.events.on_player_joined_game, function(e)
            game.get_player(e.player_index).request_translation({"talk.hello", "there"})
          end)
          script.on_event(defines.events.on_string_translated, function(e)
            storage.result, storage.translated = e.result, e.translated
          end)
        ]],
      })
    end

    it("is there after setup and after reset, so their translation requests succeed", function()
      fm.setup{ stage = "control", load_mods = { mod() } }
      assert.are.equal("Hello x", fm.locale.translate({ "talk.hello", "x" }))
      fm.create_player{ name = "alice" }
      fm.tick(1)
      assert.are.equal("Hello there", fm.storage("talk-mod").result)
      assert.is_true(fm.storage("talk-mod").translated)
      fm.reset()
      assert.are.equal("Hello x", fm.locale.translate({ "talk.hello", "x" }))
    end)
  end)
end)
