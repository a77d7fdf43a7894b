-- What players do to entities and what they hear and see: rotating, deconstruction orders,
-- selection, the cursor, shortcuts, sounds and flying text.
local fm = require("factorio_mocks")

describe("player actions", function()
  local p, belt
  before_each(function()
    fm.setup{ stage = "control" }
    p = fm.create_player{ name = "alice" }
    belt = game.surfaces[1].create_entity{ name = "transport-belt", position = { 0, 0 }, force = "player" }
  end)
  after_each(function() fm.teardown() end)

  describe("LuaEntity.rotate", function()
    it("turns a quarter clockwise, or back with reverse, and says it did", function()
      assert.is_true(belt.rotate())
      assert.are.equal(defines.direction.east, belt.direction)
      assert.is_true(belt.rotate{ reverse = true })
      assert.is_true(belt.rotate{ reverse = true })
      assert.are.equal(defines.direction.west, belt.direction)
    end)

    it("raises on_player_rotated_entity with the previous direction only for a player", function()
      local seen = {}
      script.on_event(defines.events.on_player_rotated_entity, function(e) seen[#seen + 1] = e end)
      belt.rotate()
      assert.are.equal(0, #seen)
      belt.rotate{ by_player = p }
      assert.are.equal(1, #seen)
      assert.are.equal(belt, seen[1].entity)
      assert.are.equal(defines.direction.east, seen[1].previous_direction)
      assert.are.equal(p.index, seen[1].player_index)
    end)

    it("refuses when the entity was made not rotatable", function()
      belt.rotatable = false
      assert.is_false(belt.rotate())
      assert.are.equal(defines.direction.north, belt.direction)
    end)

    it("reads rotatable false for chests, which can't be set to be rotatable", function()
      local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 5, 5 } }
      assert.is_false(chest.rotatable)
      chest.rotatable = true
      assert.is_false(chest.rotatable)
      assert.is_true(belt.rotatable)
    end)

    it("says not mocked for types whose rotation is not a quarter turn", function()
      local underground = game.surfaces[1].create_entity{ name = "underground-belt", position = { 3, 0 } }
      assert.has_error(function() underground.rotate() end, "not mocked: LuaEntity.rotate for entities of type underground-belt")
    end)
  end)

  describe("deconstruction orders", function()
    it("mark the entity once, set last_user and raise the events", function()
      local marked, cancelled = {}, {}
      script.on_event(defines.events.on_marked_for_deconstruction, function(e) marked[#marked + 1] = e end)
      script.on_event(defines.events.on_cancelled_deconstruction, function(e) cancelled[#cancelled + 1] = e end)
      assert.is_false(belt.to_be_deconstructed())
      assert.is_true(belt.order_deconstruction("player", p))
      assert.is_true(belt.order_deconstruction("player", p))
      assert.is_true(belt.to_be_deconstructed())
      assert.are.equal(1, #marked)
      assert.are.equal(p.index, marked[1].player_index)
      assert.are.equal(p, belt.last_user)
      belt.cancel_deconstruction("player")
      belt.cancel_deconstruction("player")   -- "does nothing otherwise"
      assert.is_false(belt.to_be_deconstructed())
      assert.are.equal(1, #cancelled)
      assert.is_nil(cancelled[1].player_index)
    end)

    it("refuse entities that are not minable, and unknown forces", function()
      belt.minable_flag = false
      assert.is_false(belt.minable)
      assert.is_false(belt.order_deconstruction("player"))
      if fm.game_version():match("^2%.0") then
        belt.minable = true   -- 2.0 only (deprecated, writes minable_flag); read only in 2.1
        assert.is_true(belt.minable_flag)
      else
        assert.has_error(function() belt.minable = true end, "LuaEntity::minable is read only.")
      end
      assert.has_error(function() belt.order_deconstruction("nobody") end, "Invalid force: nobody")
    end)
  end)

  describe("the selection", function()
    it("is what a mod assigns, raising on_selected_entity_changed, and nil once the entity is gone", function()
      local seen = {}
      script.on_event(defines.events.on_selected_entity_changed, function(e) seen[#seen + 1] = e end)
      assert.is_nil(p.selected)
      p.selected = belt
      assert.are.equal(belt, p.selected)
      assert.are.equal(1, #seen)
      assert.is_nil(seen[1].last_entity)
      p.selected = nil   -- "Raised when a selectable entity is written": not for nil
      assert.is_nil(p.selected)
      assert.are.equal(1, #seen)
      p.selected = belt
      belt.destroy()
      assert.is_nil(p.selected)
    end)

    it("changes with fm.select, which raises on_selected_entity_changed with the last entity", function()
      local seen = {}
      script.on_event(defines.events.on_selected_entity_changed, function(e) seen[#seen + 1] = e end)
      fm.select(p, belt)
      assert.are.equal(belt, p.selected)
      assert.is_nil(seen[1].last_entity)
      fm.select(p, belt)   -- no change, no event
      fm.select(p, nil)
      assert.are.equal(2, #seen)
      assert.are.equal(belt, seen[2].last_entity)
    end)
  end)

  it("clear_cursor puts the cursor's items back into the main inventory", function()
    local changed = 0
    script.on_event(defines.events.on_player_cursor_stack_changed, function(e)
      assert.are.equal(p.index, e.player_index)
      changed = changed + 1
    end)
    p.cursor_stack.set_stack{ name = "iron-plate", count = 30 }
    assert.is_true(p.clear_cursor())
    assert.are.equal(1, changed)
    assert.is_true(p.clear_cursor())   -- nothing left to move: no event
    assert.are.equal(1, changed)
    assert.is_false(p.cursor_stack.valid_for_read)
    assert.are.equal(30, p.get_main_inventory().get_item_count("iron-plate"))
  end)

  it("shortcuts start available and untoggled, and keep what a mod sets", function()
    local name
    for n in pairs(prototypes.shortcut) do name = n; break end
    assert.is_true(p.is_shortcut_available(name))
    assert.is_false(p.is_shortcut_toggled(name))
    p.set_shortcut_toggled(name, true)
    p.set_shortcut_available(name, false)
    assert.is_true(p.is_shortcut_toggled(name))
    assert.is_false(p.is_shortcut_available(name))
    assert.has_error(function() p.is_shortcut_toggled("no-such-shortcut") end, "LuaPlayer.is_shortcut_toggled: unknown shortcut 'no-such-shortcut'")
  end)

  it("game and surfaces start with the game's values and keep what a mod writes", function()
    assert.is_false(game.tick_paused)
    assert.are.equal(1, game.speed)
    game.speed = 2
    assert.are.equal(2, game.speed)
    assert.has_error(function() game.speed = 0 end, "LuaGameScript::speed must be at least 0.01, got 0")
    local s = game.surfaces[1]
    assert.are.equal(0, s.daytime)
    assert.is_false(s.always_day)
    s.always_day = true
    assert.is_true(s.always_day)
  end)

  it("fm helpers' errors name the test's own line", function()
    local cases = {
      function() fm.create_player{ name = "alice" } end,
      function() fm.build{ name = "transport-belt", position = { 1, 1 }, robot = 5 } end,
      function() fm.mine(5, p) end,
      function() fm.sounds("nobody") end,
      function() fm.flying_texts("nobody") end,
      function() fm.select(p, p) end,
      function() fm.load_control("/nonexistent") end,
    }
    for i, case in ipairs(cases) do
      local ok, err = pcall(case)
      assert.is_false(ok)
      assert.matches("control_actions_spec%.lua:%d+: ", tostring(err), nil, false, "case " .. i)
    end
  end)

  it("entities have a quality, normal unless created with another, and an energy buffer", function()
    assert.are.equal(prototypes.quality.normal, belt.quality)
    assert.are.equal("normal", belt.quality.name)
    assert.has_error(function()
      game.surfaces[1].create_entity{ name = "transport-belt", position = { 2, 2 }, quality = "shiny" }
    end, "Unknown quality name: shiny")
    assert.are.equal(0, belt.energy)
    belt.energy = 5
    assert.are.equal(5, belt.energy)
  end)

  describe("sounds", function()
    it("reach the players the call names: the game's, a surface's, one player's", function()
      local bob = fm.create_player{ name = "bob" }
      local away = fm.create_player{ name = "carol", connected = false }
      game.play_sound{ path = "utility/console_message" }
      p.play_sound{ path = "utility/build_small", volume_modifier = 0.5 }
      game.surfaces[1].play_sound{ path = "utility/alert_destroyed", position = { 1, 2 } }
      assert.are.same({ "utility/console_message", "utility/build_small", "utility/alert_destroyed" }, fm.sounds())
      local heard = fm.sounds(p)
      assert.are.equal(3, #heard)
      assert.are.equal(0.5, heard[2].volume_modifier)
      assert.are.same({ x = 1, y = 2 }, heard[3].position)
      assert.are.equal(2, #fm.sounds(bob))
      assert.are.equal(0, #fm.sounds(away))
    end)

    it("need a path and a volume between 0 and 1", function()
      assert.has_error(function() p.play_sound{} end, "LuaPlayer.play_sound: the sound specification needs a path (a SoundPath string)")
      assert.has_error(function() game.play_sound{ path = "utility/build_small", volume_modifier = 2 } end,
        "LuaGameScript.play_sound: volume_modifier must be between 0 and 1 inclusive, got 2")
    end)
  end)

  describe("local flying text", function()
    it("is kept for its player, translated into the player's locale", function()
      p.create_local_flying_text{ text = { "item-name.iron-plate" }, position = { 3, 4 } }
      p.create_local_flying_text{ text = "at the cursor", create_at_cursor = true, position = { 9, 9 } }
      local texts = fm.flying_texts(p)
      assert.are.equal("Iron plate", texts[1].text)
      assert.are.same({ x = 3, y = 4 }, texts[1].position)
      assert.are.equal(80, texts[1].time_to_live)
      assert.are.equal(game.surfaces[1], texts[1].surface)
      assert.is_true(texts[2].at_cursor)
      assert.is_nil(texts[2].position)
    end)

    it("needs a position or create_at_cursor, and no negative speed", function()
      assert.has_error(function() p.create_local_flying_text{ text = "x" } end,
        "LuaPlayer.create_local_flying_text: either position or create_at_cursor = true is required")
      assert.has_error(function() p.create_local_flying_text{ text = "x", position = { 0, 0 }, speed = -1 } end,
        "LuaPlayer.create_local_flying_text: speed can't be a negative value")
    end)
  end)
end)
