local fm = require("factorio_mocks")
local temp_dataset = require("spec.support.files").write_tree

describe("fm.setup{stage = 'data'}", function()
  after_each(function() fm.teardown() end)

  it("installs data.raw with the built-in vanilla data", function()
    fm.setup{ stage = "data" }
    local gear = data.raw.recipe["iron-gear-wheel"]
    assert.are.same({ { type = "item", name = "iron-plate", amount = 2 } }, gear.ingredients)
    assert.are.equal(100, data.raw.item["iron-plate"].stack_size)
    assert.is_table(data.raw["assembling-machine"]["assembling-machine-1"])
  end)

  it("accepts the stage aliases the game's docs use", function()
    fm.setup{ stage = "prototype" }
    assert.is_table(data.raw.item)
  end)

  it("sees every prototype type when iterating data.raw", function()
    fm.setup{ stage = "data" }
    local types = 0
    for type_name, prototypes in pairs(data.raw) do
      types = types + 1
      assert.is_string(type_name)
      assert.is_table(prototypes)
    end
    assert.is_true(types > 200)
    assert.are.equal(types, table_size(data.raw))
  end)

  it("installs mods, settings.startup, feature_flags and data.is_demo like vanilla", function()
    fm.setup{ stage = "data" }
    assert.are.same({ base = fm.game_version() }, mods)
    assert.are.same({}, settings.startup)
    assert.is_false(feature_flags.quality)
    assert.is_false(feature_flags.space_travel)
    assert.is_false(data.is_demo)
  end)

  it("applies mods and startup setting overrides", function()
    fm.setup{ stage = "data", mods = { ["space-age"] = "2.0.77" }, settings = { ["my-setting"] = 5, other = { value = "x" } } }
    assert.are.equal("2.0.77", mods["space-age"])
    assert.are.equal(5, settings.startup["my-setting"].value)
    assert.are.equal("x", settings.startup.other.value)
    assert.is_true(feature_flags.space_travel)
  end)

  it("has the game's real defines values", function()
    fm.setup{ stage = "data" }
    assert.are.equal(0, defines.events.on_tick)
    assert.are.equal(4, defines.direction.east)
    assert.are.equal(8, defines.direction.south)
    assert.are.equal(1, defines.inventory.fuel)
  end)

  it("captures log and localised_print in fm.logs", function()
    fm.setup{ stage = "data" }
    log("hello")
    localised_print("world")
    assert.are.same({ "hello", "world" }, fm.logs)
  end)

  it("gives every prototype of a type, however it is reached (data.raw builds one prototype when it is read)", function()
    fm.setup{ stage = "data" }
    assert.are.equal(100, data.raw.item["iron-plate"].stack_size)
    -- Each way of walking a type sees all of it, whatever was read before.
    local by_pairs = 0
    for name, item in pairs(data.raw.item) do
      by_pairs = by_pairs + 1
      assert.are.equal(name, item.name)
    end
    assert.is_true(by_pairs > 100)
    fm.reset()
    assert.are.equal(by_pairs, table_size(data.raw.item))
    fm.reset()
    assert.is_string(next(data.raw.item))
    local n = 0
    for _ in next, data.raw.item do n = n + 1 end
    assert.are.equal(by_pairs, n)
    fm.reset()
    local ok, copy = serpent.load(serpent.block(data.raw.item))
    assert.is_true(ok)
    assert.are.equal(by_pairs, table_size(copy))
    fm.reset()
    assert.are.equal(by_pairs, table_size(require("util").table.deepcopy(data.raw.item)))
    -- Once iterated, a type takes new prototypes and removals like any table.
    data.raw.item["new-item"] = { type = "item", name = "new-item", stack_size = 1 }
    data.raw.item["iron-plate"] = nil
    assert.are.equal(by_pairs, table_size(data.raw.item))
    assert.is_nil(data.raw.item["iron-plate"])
  end)

  it("keeps a removed or replaced prototype so, read before or not", function()
    fm.setup{ stage = "data" }
    data.raw.item["iron-gear-wheel"] = nil      -- never read
    local plate = data.raw.item["iron-plate"]
    data.raw.item["iron-plate"] = nil           -- read first
    data.raw.item["copper-plate"] = { type = "item", name = "copper-plate", stack_size = 7 }
    assert.is_nil(data.raw.item["iron-gear-wheel"])
    assert.is_nil(data.raw.item["iron-plate"])
    assert.are.equal(7, data.raw.item["copper-plate"].stack_size)
    assert.is_table(plate)
    for name in pairs(data.raw.item) do
      assert.is_true(name ~= "iron-gear-wheel" and name ~= "iron-plate", name)
    end
    assert.are.equal(7, data.raw.item["copper-plate"].stack_size)
    fm.reset()
    assert.are.equal(100, data.raw.item["iron-plate"].stack_size)
    assert.is_table(data.raw.item["iron-gear-wheel"])
    assert.are.equal(100, data.raw.item["copper-plate"].stack_size)
  end)

  it("gives each session its own defines: a change stays in it, every group is there", function()
    fm.setup{ stage = "data" }
    local groups = 0
    for _, group in pairs(defines) do
      groups = groups + 1
      assert.is_true(type(group) == "table" or type(group) == "number")
    end
    assert.is_true(groups > 40)
    defines.inventory.chest = 99
    defines.events = nil
    fm.reset()
    assert.are.equal(1, defines.inventory.chest)
    assert.is_number(defines.events.on_tick)
    assert.are.equal(groups, table_size(defines))
    -- Once iterated, defines takes a new group like any table.
    defines.my_group = { x = 1 }
    assert.are.equal(1, defines.my_group.x)
  end)

  it("counts hash keys with table_size", function()
    fm.setup{ stage = "data" }
    assert.are.equal(3, table_size({ 1, 2, x = 3 }))
    assert.has_error(function() table_size("x") end, "bad argument #1 to 'table_size' (table expected, got string)")
  end)
end)

describe("data:extend", function()
  before_each(function() fm.setup{ stage = "data" } end)
  after_each(function() fm.teardown() end)

  it("adds prototypes by type and name", function()
    data:extend({ { type = "recipe", name = "my-gear", ingredients = {} }, { type = "my-new-type", name = "a" } })
    assert.are.equal("my-gear", data.raw.recipe["my-gear"].name)
    assert.are.equal("a", data.raw["my-new-type"].a.name)
  end)

  it("replaces an earlier prototype of the same type and name", function()
    data:extend({ { type = "item", name = "iron-plate", stack_size = 7 } })
    assert.are.same({ type = "item", name = "iron-plate", stack_size = 7 }, data.raw.item["iron-plate"])
  end)

  it("works called with a dot, as in the game", function()
    data.extend({ { type = "item", name = "dotted" } })
    assert.is_table(data.raw.item.dotted)
  end)

  it("refuses a single prototype with the game's words", function()
    assert.has_error(function() data:extend({ type = "item", name = "lonely" }) end,
      "Expected array of prototypes, but got a single prototype:\n\n{\n  name = \"lonely\",\n  type = \"item\"\n}")
  end)

  it("refuses what is not an array of prototypes", function()
    assert.has_error(function() data:extend("item") end, "Invalid array of prototypes:\n\n\"item\"")
    assert.has_error(function() data:extend({}) end, "Invalid array of prototypes:\n\n{}")
  end)

  it("names the prototype that lacks a type or a name", function()
    assert.has_error(function() data:extend({ { name = "x" } }) end,
      "Missing type in the following prototype definition:\n{\n  name = \"x\"\n}")
    assert.has_error(function() data:extend({ { type = "item" } }) end,
      "Missing name in the following prototype definition:\n{\n  type = \"item\"\n}")
  end)

  it("blames the line of the mod that called it", function()
    local ok, err = pcall(function() data:extend({ { name = "x" } }) end)
    assert.is_false(ok)
    assert.matches("data_stage_spec.lua:%d+: Missing type", err)
  end)
end)

describe("fm.reset", function()
  after_each(function() fm.teardown() end)

  it("brings data.raw back to the dataset's values", function()
    fm.setup{ stage = "data" }
    data.raw.recipe["iron-gear-wheel"].ingredients[1].amount = 99
    data.raw.item = nil
    data:extend({ { type = "recipe", name = "mine" } })
    fm.reset()
    assert.are.equal(2, data.raw.recipe["iron-gear-wheel"].ingredients[1].amount)
    assert.is_table(data.raw.item["iron-plate"])
    assert.is_nil(data.raw.recipe.mine)
  end)

  it("restores replaced globals and removes globals added since setup", function()
    fm.setup{ stage = "data" }
    -- busted runs tests in their own environment: a mod's globals land in _G.
    _G.defines = nil
    _G.my_mod_global = { 1 }
    fm.reset()
    assert.are.equal(0, defines.events.on_tick)
    assert.is_nil(my_mod_global)
  end)

  it("forgets modules required since setup, so a mod's data.lua runs again", function()
    fm.setup{ stage = "data" }
    package.preload["counting_module"] = function() _G.counter = (_G.counter or 0) + 1 return true end
    require("counting_module")
    fm.reset()
    require("counting_module")
    assert.are.equal(1, _G.counter)
  end)

  it("fails clearly when nothing is set up", function()
    assert.has_error(function() fm.reset() end, "fm.reset: nothing is set up; call fm.setup{stage = ...} first")
  end)
end)

describe("serpent over data.raw", function()
  after_each(function() fm.teardown() end)

  it("shows the prototype types a test has not touched yet", function()
    fm.setup{ dataset = "fixtures/datasets/mini-json" }
    local ok, copy = serpent.load(serpent.line(data.raw))
    assert.is_true(ok)
    assert.are.same({ "item", "recipe" }, (function()
      local names = {}
      for name in pairs(copy) do names[#names + 1] = name end
      table.sort(names)
      return names
    end)())
  end)
end)

describe("fm.teardown", function()
  it("removes the stage's globals and restores what they replaced", function()
    local before = _G.serpent
    _G.data = "mine"
    fm.setup{ stage = "data" }
    assert.is_table(_G.data)
    fm.teardown()
    assert.are.equal("mine", _G.data)
    assert.are.equal(before, _G.serpent)
    assert.is_nil(_G.defines)
    _G.data = nil
  end)

  it("installs into another table when asked", function()
    local env = {}
    assert.are.equal(env, fm.setup{ stage = "data", into = env })
    assert.is_table(env.data.raw.item)
    assert.is_nil(rawget(_G, "defines"))
    fm.teardown()
    assert.is_nil(env.data)
  end)
end)

describe("fm.setup{stage = 'settings'}", function()
  after_each(function() fm.teardown() end)

  it("starts from an empty data.raw that mods extend with settings", function()
    fm.setup{ stage = "settings" }
    assert.are.same({}, data.raw)
    data:extend({ { type = "bool-setting", name = "my-flag", setting_type = "startup", default_value = true } })
    assert.is_true(data.raw["bool-setting"]["my-flag"].default_value)
    assert.is_table(mods)
    assert.is_table(feature_flags)
    assert.is_nil(settings)
  end)

  it("refuses an unknown stage", function()
    assert.has_error(function() fm.setup{ stage = "runtimey" } end,
      "fm.setup: unknown stage \"runtimey\"; use \"settings\", \"data\" or \"control\"")
  end)
end)

describe("datasets", function()
  after_each(function() fm.teardown() end)

  it("loads the generator's Lua layout, with its metadata, mods, settings and feature flags", function()
    fm.setup{ stage = "data", dataset = "fixtures/datasets/mini-lua" }
    assert.are.equal(2, data.raw.recipe["iron-gear-wheel"].ingredients[1].amount)
    assert.are.equal(math.huge, data.raw.item["iron-plate"].weight)
    assert.are.same({ base = "2.0.77", ["mini-mod"] = "0.1.0" }, mods)
    assert.are.equal(3, settings.startup["mini-mod-multiplier"].value)
    assert.is_true(feature_flags.quality)
    assert.is_false(feature_flags.space_travel)
  end)

  it("loads prototype/data-raw.json with a sha256 checksum", function()
    fm.setup{ stage = "data", dataset = "fixtures/datasets/mini-json" }
    assert.are.equal("intermediate-product", data.raw.item["iron-gear-wheel"].subgroup)
    assert.is_nil(data.raw.fluid)
  end)

  it("loads a data-raw-dump.json file", function()
    fm.setup{ stage = "data", dataset = "fixtures/datasets/mini-json/prototype/data-raw.json" }
    assert.is_true(data.raw.recipe["iron-gear-wheel"].allow_productivity)
  end)

  it("names a dataset path that does not exist and what to pass instead", function()
    assert.has_error(function() fm.setup{ dataset = "no/such/dataset" } end,
      "dataset no/such/dataset: no such file or directory; pass a dataset directory, a data-raw-dump.json, or nil for the built-in vanilla dataset")
  end)

  it("refuses a file whose checksum differs from the metadata", function()
    local dir = temp_dataset({
      ["prototype/data-raw.json"] = '{"item": {}}',
      ["metadata.json"] = '{"hash_algorithm": "adler32", "checksums": {"prototype/data-raw.json": "00000001"}}',
    })
    local ok, err = pcall(fm.setup, { dataset = dir })
    assert.is_false(ok)
    assert.matches(dir .. "/prototype/data-raw.json: adler32 checksum mismatch", err, 1, true)
    assert.matches("re-fetch the dataset", err, 1, true)
  end)

  it("checks a JSON dataset against metadata.lua, as the generator writes it", function()
    local dir = temp_dataset({
      ["prototype/data-raw.json"] = '{"item": {}}',
      ["metadata.lua"] = 'return {hash_algorithm = "adler32", checksums = {["prototype/data-raw.json"] = "00000001"}}',
    })
    local ok, err = pcall(fm.setup, { dataset = dir })
    assert.is_false(ok)
    assert.matches(dir .. "/prototype/data-raw.json: adler32 checksum mismatch", err, 1, true)
  end)

  it("checks again when the metadata changes after the dataset was loaded once", function()
    local body = '{"item": {"a": {"type": "item", "name": "a"}}}'
    local dir = temp_dataset({ ["prototype/data-raw.json"] = body })
    fm.setup{ dataset = dir }
    assert.is_table(data.raw.item.a)
    temp_dataset({ ["metadata.json"] = '{"checksums": {"prototype/data-raw.json": "00000001"}}' }, dir)
    local ok, err = pcall(fm.setup, { dataset = dir })
    assert.is_false(ok)
    assert.matches("checksum mismatch", err, 1, true)
  end)

  it("reports malformed JSON with file, line and column", function()
    local dir = temp_dataset({ ["prototype/data-raw.json"] = '{\n  "item": {\n    "a": }\n}' })
    local ok, err = pcall(fm.setup, { dataset = dir })
    assert.is_false(ok)
    assert.matches(dir .. "/prototype/data-raw.json:3:10: unexpected character '}'", err, 1, true)
  end)

  it("reports malformed dataset Lua with file and line when the type is read", function()
    local dir = temp_dataset({
      ["prototype/data-raw/init.lua"] = 'return {item = require("___GENERATED__FACTORIO__DATA___.prototype.data-raw.item")}',
      ["prototype/data-raw/item.lua"] = "return {\n  a = {\n}",
    })
    fm.setup{ dataset = dir }
    local ok, err = pcall(function() return data.raw.item end)
    assert.is_false(ok)
    assert.matches(dir .. "/prototype/data-raw/item.lua:3:", err, 1, true)
  end)

  it("runs dataset Lua as data: no io, os, load or outside require", function()
    local dir = temp_dataset({
      ["prototype/data-raw/init.lua"] = 'return {a = require("___GENERATED__FACTORIO__DATA___.prototype.data-raw.a"), b = require("___GENERATED__FACTORIO__DATA___.prototype.data-raw.b")}',
      ["prototype/data-raw/a.lua"] = "return {x = {io = io, os = os, load = load, loadstring = loadstring}}",
      ["prototype/data-raw/b.lua"] = 'return require("os")',
    })
    fm.setup{ dataset = dir }
    assert.are.same({ x = {} }, data.raw.a)
    local ok, err = pcall(function() return data.raw.b end)
    assert.is_false(ok)
    assert.matches('require("os"): a dataset file may only require ___GENERATED__FACTORIO__DATA___.* modules', err, 1, true)
  end)

  it("refuses precompiled chunks in a dataset", function()
    local dump = string.dump(function() return {} end)
    local dir = temp_dataset({
      ["prototype/data-raw/init.lua"] = 'return {a = require("___GENERATED__FACTORIO__DATA___.prototype.data-raw.a")}',
      ["prototype/data-raw/a.lua"] = dump,
    })
    fm.setup{ dataset = dir }
    local ok, err = pcall(function() return data.raw.a end)
    assert.is_false(ok)
    assert.matches("precompiled chunks are refused", err, 1, true)
  end)
end)

describe("fm.reset and the locale", function()
  after_each(function() fm.teardown() end)

  it("forgets what a test loaded and keeps the dataset's languages", function()
    fm.setup{ stage = "data" }
    fm.locale.load_text("[item-name]\nsteel-gear-wheel=Steel gear wheel\n", "en")
    assert.are.equal("Steel gear wheel", fm.locale.translate({ "item-name.steel-gear-wheel" }))
    fm.reset()
    assert.are.equal('Unknown key: "item-name.steel-gear-wheel"', fm.locale.translate({ "item-name.steel-gear-wheel" }))
    assert.are.equal("Iron plate", fm.locale.translate({ "item-name.iron-plate" }))
  end)
end)
