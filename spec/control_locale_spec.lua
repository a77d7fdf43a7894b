-- The control stage's locale hooks: request_translation answered on the next tick, prints
-- captured as the text players read.
local fm = require("factorio_mocks")

local MOD = "fixtures/control-mod"

describe("the control stage's locale", function()
  local translated
  before_each(function()
    fm.setup{ stage = "control" }
    fm.load_control(MOD)   -- loads the mod's locale/ too, as the game does
    fm.init()
    translated = {}
    script.on_event(defines.events.on_string_translated, function(e) translated[#translated + 1] = e end)
  end)
  after_each(function() fm.teardown() end)

  describe("player.request_translation", function()
    it("returns an id and raises on_string_translated on the next tick", function()
      local p = fm.create_player{ name = "alice" }
      local id = p.request_translation{ "control-mod.welcome", "alice" }
      assert.is_number(id)
      assert.are.same({}, translated)
      fm.tick(1)
      assert.are.equal(1, #translated)
      local e = translated[1]
      assert.are.equal(id, e.id)
      assert.are.equal(p.index, e.player_index)
      assert.are.equal("Welcome, alice!", e.result)
      assert.is_true(e.translated)
      assert.are.same({ "control-mod.welcome", "alice" }, e.localised_string)
      assert.are.equal(defines.events.on_string_translated, e.name)
      assert.are.equal(1, e.tick)
    end)

    it("translates into the player's locale, falling back to English for a missing key", function()
      local changed
      script.on_event(defines.events.on_player_locale_changed, function(e) changed = e end)
      local p = fm.create_player{ name = "bob", locale = "de" }
      assert.are.same({ player_index = p.index, old_locale = "en", name = defines.events.on_player_locale_changed, tick = 0 }, changed)
      assert.are.equal("de", p.locale)
      local ids = p.request_translations{ { "control-mod.welcome", "bob" }, { "control-mod.days", 3 } }
      fm.tick(1)
      assert.are.same({ ids[1], ids[2] }, { translated[1].id, translated[2].id })
      assert.are.equal("Willkommen, bob!", translated[1].result)
      assert.are.equal("3 days", translated[2].result)
      -- Numbers come back as strings, as the game hands them back.
      assert.are.same({ "control-mod.days", "3" }, translated[2].localised_string)
    end)

    it("reports an unknown key as not translated", function()
      local p = fm.create_player{ name = "alice" }
      p.request_translation{ "control-mod.nope" }
      p.request_translation{ "", { "control-mod.nope" }, "!" }
      fm.tick(1)
      assert.is_false(translated[1].translated)
      assert.are.equal('Unknown key: "control-mod.nope"', translated[1].result)
      assert.is_true(translated[2].translated)
    end)

    it("does nothing for a player who is not connected", function()
      local p = fm.create_player{ name = "alice", connected = false }
      assert.is_nil(p.request_translation{ "control-mod.button" })
      fm.tick(2)
      assert.are.same({}, translated)
    end)

    it("answers requests made in on_string_translated on the tick after", function()
      local p = fm.create_player{ name = "alice" }
      script.on_event(defines.events.on_string_translated, function(e)
        translated[#translated + 1] = e.tick
        if #translated == 1 then p.request_translation{ "control-mod.button" } end
      end)
      p.request_translation{ "control-mod.button" }
      fm.tick(3)
      assert.are.same({ 1, 2 }, translated)
    end)

    it("fails at the call for an invalid LocalisedString", function()
      local p = fm.create_player{ name = "alice" }
      local ok, err = pcall(p.request_translation, { 1, 2 })
      assert.is_false(ok)
      assert.matches("^LuaPlayer.request_translation: ", err)
    end)
  end)

  describe("prints", function()
    it("captures game.print and player.print as the translated text", function()
      local p = fm.create_player{ name = "alice" }   -- control-mod greets new players
      local q = fm.create_player{ name = "bob", locale = "de" }
      game.print{ "control-mod.days", 1 }
      q.print{ "control-mod.welcome", "bob" }
      assert.are.same({ "Welcome, alice!", "Welcome, bob!", "1 day", "Willkommen, bob!" }, fm.output())
      assert.are.same({ "1 day" }, fm.output("game"))
      assert.is_not_nil(p)
    end)

    it("fails for an invalid LocalisedString, as the game does", function()
      local ok, err = pcall(game.print, { "control-mod.days", function() end })
      assert.is_false(ok)
      assert.matches("^LuaGameScript.print: ", err)
    end)
  end)
end)
