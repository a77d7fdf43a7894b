-- fm.setup{load_mods = …}: the mods under test loaded as the game loads them.
local fm = require("factorio_mocks")
local support = require("spec.support.files")

local CHEST = [[
data:extend{
  {type = "item", name = "my-chest", stack_size = 50, place_result = "my-chest", icon = "__my__/i.png"},
  util.merge{data.raw.container["iron-chest"], {name = "my-chest", minable = {mining_time = 0.1, result = "my-chest"}, inventory_size = settings.startup["my-size"].value}},
  {type = "shortcut", name = "my-shortcut", action = "lua", icon = "__my__/s.png"},
  {type = "custom-input", name = "my-key", key_sequence = "CONTROL + K"},
}
]]

local function chest_mod(extra)
  local files = {
    ["settings.lua"] = 'data:extend{{type = "int-setting", name = "my-size", setting_type = "startup", default_value = 7}}',
    ["data.lua"] = CHEST,
    ["data-final-fixes.lua"] = 'data.raw.recipe["iron-gear-wheel"].energy_required = 9',
    ["control.lua"] = [[
      script.on_init(function() storage.inits = (storage.inits or 0) + 1 end)
      script.on_event(defines.events.on_built_entity, function(e) storage.built = e.entity.name end)
      script.on_event("my-key", function(e) storage.key = e.player_index end)
    ]],
  }
  for k, v in pairs(extra or {}) do files[k] = v end
  return support.mod_dir("my-mod", files)
end

describe("fm.setup's load_mods", function()
  after_each(function() fm.teardown() end)

  it("gives the data stage as it stands after data-final-fixes, with the mods' startup settings", function()
    fm.setup{ stage = "data", load_mods = { chest_mod() } }
    assert.are.equal(7, data.raw.container["my-chest"].inventory_size)
    assert.are.equal(9, data.raw.recipe["iron-gear-wheel"].energy_required)
    assert.are.equal(7, settings.startup["my-size"].value)
    assert.are.equal("0.1.0", mods["my-mod"])
    assert.is_table(data.raw.recipe["iron-plate"], "base's prototypes are still there")
  end)

  it("lets fm.setup's settings and mod_settings win over the setting's default", function()
    fm.setup{ stage = "data", load_mods = { chest_mod() }, settings = { ["my-size"] = 12 } }
    assert.are.equal(12, data.raw.container["my-chest"].inventory_size)
  end)

  it("starts the control stage with the mods' prototypes and runs their control.lua", function()
    fm.setup{ stage = "control", load_mods = { chest_mod() } }
    assert.are.equal("container", prototypes.entity["my-chest"].type)
    assert.is_truthy(prototypes.shortcut["my-shortcut"])
    assert.is_truthy(prototypes.custom_input["my-key"])
    fm.init()
    assert.are.equal(1, fm.storage("my-mod").inits)
    local p = fm.create_player{ name = "p" }
    local chest = fm.build{ name = "my-chest", position = { 0.3, 0.7 }, player = p }
    assert.are.equal("my-chest", fm.storage("my-mod").built)
    assert.are.same({ x = 0.5, y = 0.5 }, chest.position)
    fm.raise("my-key", { player_index = p.index, input_name = "my-key", cursor_position = { x = 0, y = 0 } })
    assert.are.equal(p.index, fm.storage("my-mod").key)
  end)

  it("gives every test a fresh copy of the mods' prototypes", function()
    fm.setup{ stage = "data", load_mods = { chest_mod() } }
    data.raw.container["my-chest"].inventory_size = 99
    fm.reset()
    assert.are.equal(7, data.raw.container["my-chest"].inventory_size)
  end)

  it("runs the data stage again when a file of the mods changed", function()
    local dir = chest_mod()
    fm.setup{ stage = "data", load_mods = { dir } }
    assert.are.equal(9, data.raw.recipe["iron-gear-wheel"].energy_required)
    support.write_tree({ ["data-final-fixes.lua"] = 'data.raw.recipe["iron-gear-wheel"].energy_required = 3' }, dir)
    fm.setup{ stage = "data", load_mods = { dir } }
    assert.are.equal(3, data.raw.recipe["iron-gear-wheel"].energy_required)
  end)

  it("runs the settings stage of the mods for stage = \"settings\"", function()
    fm.setup{ stage = "settings", load_mods = { chest_mod() } }
    assert.are.equal(7, data.raw["int-setting"]["my-size"].default_value)
  end)

  describe("bad input, each a Lua error at the caller's line naming what to fix", function()
    local function setup_error(opts)
      local ok, err = pcall(function() fm.setup(opts) end)
      assert.is_false(ok)
      return err
    end

    it("a load_mods entry that does not exist", function()
      local err = setup_error{ stage = "data", load_mods = { "no/such/mod" } }
      assert.matches("load_mods_spec.lua:%d+: fm.setup: load_mods%[1%]: no/such/mod does not exist", err)
    end)

    it("a mod folder without info.json", function()
      local dir = support.write_tree({ ["data.lua"] = "" })
      local err = setup_error{ stage = "data", load_mods = { dir } }
      assert.matches("info.json", err, 1, true)
      assert.matches(dir, err, 1, true)
      assert.not_matches("factorio_mocks/", err, 1, true)
    end)

    it("a zip with two top folders", function()
      local dir = support.temp_dir("zip")
      support.write_tree({ ["a/info.json"] = "{}", ["b/info.json"] = "{}" }, dir)
      assert(os.execute(("cd %q && python3 -c \"import zipfile; z = zipfile.ZipFile('two_1.0.0.zip', 'w'); z.write('a/info.json'); z.write('b/info.json'); z.close()\""):format(dir)))
      local err = setup_error{ stage = "data", load_mods = { dir .. "/two_1.0.0.zip" } }
      assert.matches("load_mods_spec.lua:%d+: fm.setup: load_mods: .*two_1.0.0.zip: more than one top folder", err)
      assert.not_matches("factorio_mocks/", err, 1, true)
    end)

    it("a mod whose data stage fails names the file and line", function()
      local dir = chest_mod({ ["data-updates.lua"] = "\nlocal x = nil + 1" })
      local err = setup_error{ stage = "control", load_mods = { dir } }
      assert.matches("__my-mod__/data-updates.lua:2:", err, 1, true)
    end)

    it("a mod missing a dependency says which", function()
      local dir = support.write_tree({
        ["info.json"] = '{"name": "needs", "version": "1.0.0", "title": "t", "author": "a", "factorio_version": "2.0", "dependencies": ["base", "flib >= 0.1"]}',
      })
      local err = setup_error{ stage = "data", load_mods = { dir } }
      assert.matches("flib", err, 1, true)
      assert.matches("needs", err, 1, true)
    end)
  end)
end)
