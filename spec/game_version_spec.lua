-- Game versions: which one a setup mocks, and what differs between 2.0 and 2.1 where a mod notices.
local fm = require("factorio_mocks")
local support = require("spec.support.files")

describe("game versions", function()
  after_each(function() fm.teardown() end)

  it("takes game_version by full version or by major.minor, and says which it mocks", function()
    fm.setup{ stage = "data", game_version = "2.1" }
    assert.are.equal("2.1.9", fm.game_version())
    fm.setup{ stage = "control", game_version = "2.0.77" }
    assert.are.equal("2.0.77", fm.game_version())
    fm.teardown()
    assert.is_nil(fm.game_version())
  end)

  it("refuses an unknown game_version, listing the built-in ones", function()
    local ok, err = pcall(function() fm.setup{ stage = "data", game_version = "1.1" } end)
    assert.is_false(ok)
    assert.matches('game_version_spec.lua:%d+: fm.setup: unknown game_version "1.1"; the built%-in versions are 2.1.9, 2.0.77', err)
  end)

  it("follows the dataset's version, and a dataset of a version without an API keeps the data stage", function()
    local dir = support.write_tree({
      ["prototype/data-raw.json"] = '{"item": {"a": {"type": "item", "name": "a", "stack_size": 1}}}',
      ["metadata.json"] = '{"factorio_version": "1.1.110"}',
    })
    fm.setup{ stage = "data", dataset = dir }
    assert.are.equal(1, data.raw.item.a.stack_size)
    local ok, err = pcall(function() fm.setup{ stage = "control", dataset = dir } end)
    assert.is_false(ok)
    assert.matches("game version 1.1.110, which has no runtime API description here", err, 1, true)
    assert.matches("2.1.9, 2.0.77", err, 1, true)
  end)

  describe("2.1 (version-specific)", function()
    before_each(function() fm.setup{ stage = "control", game_version = "2.1" } end)

    it("has the 2.1 defines: constant.default_icon_size (and the old name its Lua reads), the crafter inventories, its new events", function()
      assert.are.equal(64, defines.constant.default_icon_size)
      -- The old name stays: 2.1.9's own quality/prototypes/recycling.lua reads it.
      assert.are.equal(64, defines.default_icon_size)
      assert.are.equal(2, defines.inventory.crafter_input)
      assert.is_nil(defines.inventory.furnace_source)
      assert.is_number(defines.events.on_player_color_changed)
    end)

    it("reads recipe categories and has no category", function()
      local gear = prototypes.recipe["iron-gear-wheel"]
      assert.are.same({ "crafting" }, gear.categories)
      assert.has_error(function() return gear.category end, "LuaRecipePrototype doesn't contain key category.")
    end)

    it("has no LuaFluidBox: an entity has no fluidbox", function()
      fm.init()
      local machine = fm.build{ name = "assembling-machine-1", position = { 0, 0 }, player = fm.create_player{} }
      assert.has_error(function() return machine.fluidbox end, "LuaEntity doesn't contain key fluidbox.")
      assert.are.equal(machine.get_inventory(defines.inventory.crafter_input), machine.get_inventory(2))
    end)
  end)

  describe("2.0 (version-specific)", function()
    before_each(function() fm.setup{ stage = "control", game_version = "2.0" } end)

    it("keeps 2.0's names: category, default_icon_size, furnace_source", function()
      assert.are.equal("crafting", prototypes.recipe["iron-gear-wheel"].category)
      assert.are.equal(64, defines.default_icon_size)
      assert.are.equal(defines.inventory.crafter_input, defines.inventory.furnace_source)
      assert.is_nil(defines.events.on_player_color_changed)
    end)
  end)

  it("warns once when the mod under test declares another version than the one tested", function()
    local dir = support.mod_dir("old-mod", { ["data.lua"] = "" })
    local messages = {}
    local stderr = io.stderr
    local ok, err = pcall(function()
      io.stderr = { write = function(_, ...) for _, s in ipairs({ ... }) do messages[#messages + 1] = s end end }
      fm.setup{ stage = "data", load_mods = { dir }, game_version = "2.1" }
    end)
    io.stderr = stderr
    assert.is_true(ok, err)
    assert.matches("declares factorio_version 2.0 but is tested against 2.1.9", table.concat(messages), 1, true)
  end)
end)
