-- The control stage: load a mod's control.lua, drive its lifecycle and events, assert on storage.
local fm = require("factorio_mocks")

local MOD = "fixtures/control-mod"

describe("the control stage", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  describe("fm.load_control and the lifecycle", function()
    it("runs control.lua with the mod's require rules, then on_init", function()
      fm.load_control(MOD)
      fm.init()
      assert.are.same({}, storage.joins)
      assert.are.equal("control-mod", script.mod_name)
    end)

    it("counts ticks and seconds through the mod's on_tick and on_nth_tick(60) handlers", function()
      fm.load_control(MOD)
      fm.init()
      fm.tick(600)
      assert.are.equal(600, game.tick)
      assert.are.equal(600, storage.ticks)
      assert.are.equal(10, storage.seconds)
    end)

    it("runs on_tick before on_nth_tick on the same tick, with name and tick in the payload", function()
      local seen = {}
      script.on_event(defines.events.on_tick, function(e) seen[#seen + 1] = "tick " .. e.tick .. " " .. e.name end)
      script.on_nth_tick({ 2, 3 }, function(e) seen[#seen + 1] = "nth " .. e.nth_tick .. " at " .. e.tick end)
      fm.tick(3)
      assert.are.same({ "tick 1 0", "tick 2 0", "nth 2 at 2", "tick 3 0", "nth 3 at 3" }, seen)
    end)

    it("fm.load round-trips storage and reruns control.lua, so local caches must be rebuilt in on_load", function()
      fm.load_control(MOD)
      fm.init()
      fm.tick(5)
      local before = storage
      fm.load()
      assert.are_not.equal(before, storage)
      assert.are.same(before, storage)
      assert.are.equal(5, remote.call("control-mod", "cached_ticks"))
    end)

    it("runs on_load with game == nil", function()
      local game_in_on_load = "unset"
      script.on_load(function() game_in_on_load = game end)
      fm.load()
      assert.is_nil(game_in_on_load)
      assert.is_not_nil(game)
    end)

    it("fails fm.load when on_load changes storage, naming what changed", function()
      script.on_load(function() storage.counter = 1 end)
      assert.has_error(function() fm.load() end,
        "Error while running event level::on_load()\nDetected modifications to the 'storage' table: storage[\"counter\"] changed during on_load")
    end)

    it("accepts tables used as keys in storage when on_load leaves storage alone", function()
      local key = { id = 1 }
      storage.by_table = { [key] = "first" }
      script.on_load(function() local _ = storage.by_table end)
      fm.load()
      local keys = 0
      for k, v in pairs(storage.by_table) do
        keys = keys + 1
        assert.are.same({ { id = 1 }, "first" }, { k, v })
      end
      assert.are.equal(1, keys)
    end)

    it("refuses functions in storage on save", function()
      storage.callback = function() end
      assert.has_error(function() fm.load() end,
        "fm.load: storage[\"callback\"] is a function; functions can't be saved in storage")
    end)

    it("keeps metatables across fm.load only when registered", function()
      local Point = { __index = { sum = function(self) return self.x + self.y end } }
      script.register_metatable("Point", Point)
      storage.registered = setmetatable({ x = 1, y = 2 }, Point)
      storage.plain = setmetatable({ x = 1 }, { __index = { kind = "plain" } })
      fm.load()
      assert.are.equal(3, storage.registered:sum())
      assert.is_nil(getmetatable(storage.plain))
    end)

    it("passes ConfigurationChangedData to on_configuration_changed", function()
      fm.load_control(MOD)
      fm.init()
      fm.configuration_changed{ mod_changes = { ["control-mod"] = { old_version = "0.9.0", new_version = "1.0.0" } } }
      assert.are.equal("0.9.0", storage.migrated_from)
    end)

    it("reports handler errors with the mod name and the event, as the game does", function()
      script.on_event(defines.events.on_player_created, function() error("boom") end)
      local ok, err = pcall(fm.create_player, { name = "alice" })
      assert.is_false(ok)
      local id = defines.events.on_player_created
      assert.matches("^Error while running event level::on_player_created %(ID " .. id .. "%)\n.*boom", err)
    end)

    it("makes require inside an event handler an error, as in the game", function()
      local dir = require("spec.support.files").write_tree({
        ["control.lua"] = 'script.on_event(defines.events.on_tick, function() require("late") end)\n',
        ["late.lua"] = "return 1\n",
      })
      fm.load_control(dir)
      local ok, err = pcall(fm.tick, 1)
      os.execute("rm -rf " .. dir)
      assert.is_false(ok)
      assert.matches("Require can't be used outside of control.lua parsing", err, 1, true)
    end)
  end)

  describe("script", function()
    it("replaces a handler when the same event is registered again, and nil unregisters", function()
      local calls = {}
      script.on_event(defines.events.on_tick, function() calls[#calls + 1] = "first" end)
      script.on_event(defines.events.on_tick, function() calls[#calls + 1] = "second" end)
      fm.tick(1)
      script.on_event(defines.events.on_tick, nil)
      fm.tick(1)
      assert.are.same({ "second" }, calls)
      assert.is_nil(script.get_event_handler(defines.events.on_tick))
    end)

    it("applies event filters to the payload's entity", function()
      local built = {}
      script.on_event(defines.events.script_raised_built, function(e) built[#built + 1] = e.entity.name end,
        { { filter = "name", name = "iron-chest" } })
      local surface = game.surfaces.nauvis
      surface.create_entity{ name = "iron-chest", position = { 0, 0 }, raise_built = true }
      surface.create_entity{ name = "wooden-chest", position = { 2, 0 }, raise_built = true }
      assert.are.same({ "iron-chest" }, built)
      assert.are.same({ { filter = "name", name = "iron-chest" } }, script.get_event_filter(defines.events.script_raised_built))
    end)

    it("raises custom events with raise_event, and refuses game events", function()
      local id = script.generate_event_name()
      local got
      script.on_event(id, function(e) got = e.value end)
      script.raise_event(id, { value = 42 })
      assert.are.equal(42, got)
      assert.has_error(function() script.raise_event(defines.events.on_tick, {}) end)
    end)

    it("raises on_object_destroyed at the end of the tick for registered objects", function()
      local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0, 0 } }
      local number = script.register_on_object_destroyed(chest)
      local destroyed = {}
      script.on_event(defines.events.on_object_destroyed, function(e) destroyed[#destroyed + 1] = e.registration_number end)
      chest.destroy()
      assert.are.same({}, destroyed)
      fm.tick(1)
      assert.are.same({ number }, destroyed)
    end)
  end)

  describe("fm.raise", function()
    it("delivers any event from the test side", function()
      fm.load_control(MOD)
      fm.init()
      local p = fm.create_player{ name = "alice" }
      fm.raise(defines.events.on_player_joined_game, { player_index = p.index })
      assert.are.same({ alice = 2 }, storage.joins)
    end)

    it("names a missing required field of the payload", function()
      assert.has_error(function() fm.raise(defines.events.on_player_joined_game, {}) end,
        "fm.raise(on_player_joined_game): missing required field 'player_index' (uint32)")
    end)

    it("names a field of the wrong type", function()
      assert.has_error(function() fm.raise(defines.events.on_player_joined_game, { player_index = "one" }) end,
        "fm.raise(on_player_joined_game): field 'player_index': number expected, got string")
    end)
  end)

  describe("remote, commands and rcon", function()
    it("calls remote interfaces and fails with the game's words for an unknown one", function()
      fm.load_control(MOD)
      fm.init()
      assert.are.equal(0, remote.call("control-mod", "ticks"))
      assert.are.same({ ["control-mod"] = { ticks = true, cached_ticks = true, joins = true } }, remote.interfaces)
      assert.has_error(function() remote.call("nope", "x") end, "Unknown interface: nope")
    end)

    it("runs commands for a player and from RCON, capturing what they print", function()
      fm.load_control(MOD)
      fm.init()
      local p = fm.create_player{ name = "alice" }
      fm.run_command("/joins alice", p)
      assert.are.same({ "rcon" }, { "rcon" })
      assert.are.same({ "alice joined 1 times" }, fm.rcon("/joins alice"))
      assert.are.equal("alice joined 1 times", fm.output("player")[2])
      assert.are.equal("Prints how often a player joined.", commands.commands.joins)
    end)
  end)

  describe("helpers and settings", function()
    it("converts between tables and JSON", function()
      local text = helpers.table_to_json({ a = 1, list = { 1, 2, 3 }, name = "x" })
      assert.are.equal('{"a":1,"list":[1,2,3],"name":"x"}', text)
      assert.are.same({ a = 1, list = { 1, 2, 3 }, name = "x" }, helpers.json_to_table(text))
      assert.is_nil(helpers.json_to_table("{broken"))
    end)

    it("writes files into an in-memory store the test reads", function()
      helpers.write_file("out/log.txt", "one\n")
      helpers.write_file("out/log.txt", "two\n", true)
      assert.are.equal("one\ntwo\n", fm.files()["out/log.txt"])
      helpers.remove_path("out")
      assert.is_nil(fm.files()["out/log.txt"])
    end)

    it("says not mocked for helpers without behaviour", function()
      assert.has_error(function() helpers.create_profiler() end, "not mocked: LuaHelpers.create_profiler")
    end)

    it("encodes strings as the game does (zlib, then base64) and decodes them back", function()
      -- Best compression: zlib header 78 DA, "eNp" in base64, as the game's blueprint strings start.
      assert.are.equal("eNpLTEoGAAJNASc=", helpers.encode_string("abc"))
      assert.are.equal("abc", helpers.decode_string("eNpLTEoGAAJNASc="))
      assert.is_nil(helpers.decode_string("not base64 !"))
    end)

    it("reads startup settings from the dataset and the setup overrides", function()
      fm.setup{ stage = "control", settings = { ["my-setting"] = 5 } }
      assert.are.equal(5, settings.startup["my-setting"].value)
    end)
  end)

  describe("the generated classes", function()
    it("fail for unknown keys, read-only writes and invalid objects in the game's words", function()
      local p = fm.create_player{ name = "alice" }
      assert.has_error(function() return p.foo end, "LuaPlayer doesn't contain key foo.")
      assert.has_error(function() p.index = 2 end, "LuaPlayer::index is read only.")
      assert.has_error(function() return p.afk_time end, "not mocked: LuaPlayer.afk_time")
      assert.are.equal("LuaPlayer", p.object_name)
      assert.is_true(p.valid)
    end)

    it("check argument types against the API description", function()
      assert.has_error(function() game.surfaces[1].create_entity{ position = { 0, 0 } } end,
        "value for required field 'name' is missing")   -- the game's words
      assert.has_error(function() helpers.table_to_json("x") end,
        "bad argument #1 (data) to 'LuaHelpers.table_to_json' (table expected, got string)")
    end)

    it("report coverage per class", function()
      local rows = fm.coverage()
      local by_class = {}
      for _, row in ipairs(rows) do by_class[row.class] = row end
      assert.is_true(by_class.LuaBootstrap.done > 10)
      assert.is_true(by_class.LuaPlayer.total > by_class.LuaPlayer.done)
    end)
  end)

  it("says clearly when the control stage is not set up", function()
    fm.teardown()
    assert.has_error(function() fm.tick(1) end,
      "fm.tick: the control stage is not set up; call fm.setup{stage = \"control\"} first")
  end)
end)
