-- fm.configuration_changed runs a mod's migrations/ as the game does when a save loads: each
-- file once per save, mod order then file name, JSON (prototype renames) before Lua, then
-- on_configuration_changed.
local fm = require("factorio_mocks")
local support = require("spec.support.files")

local INFO = '{"name": "migrating", "version": "0.2.0", "title": "Migrating Mod", "author": "a", "factorio_version": "2.0"}'

local CONTROL = [[
storage.log = storage.log
script.on_init(function() storage.log = {} end)
script.on_configuration_changed(function(data)
  storage.seen = { log = #storage.log, applied = data.migration_applied, migrations = data.migrations }
end)
]]

-- A Lua migration that appends its name to storage.log.
local function logging(name) return ('table.insert(storage.log, %q)\n'):format(name) end

local dirs = {}
local function mod_dir(files)
  local tree = { ["info.json"] = INFO, ["control.lua"] = CONTROL }
  for rel, text in pairs(files) do tree[rel] = text end
  local dir = support.write_tree(tree, support.temp_dir("migrating"))
  dirs[#dirs + 1] = dir
  return dir
end

local ADDED = { mod_changes = { migrating = { new_version = "0.2.0" } } }
local UPDATED = { mod_changes = { migrating = { old_version = "0.1.0", new_version = "0.2.0" } } }

describe("fm.configuration_changed's migrations", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function()
    fm.teardown()
    for _, dir in ipairs(dirs) do os.execute("rm -rf '" .. dir .. "'") end
    dirs = {}
  end)

  it("runs a newly added mod's Lua migrations in file-name order, each once per save", function()
    fm.load_control(mod_dir({
      ["migrations/b.lua"] = logging("b.lua"),
      ["migrations/9.lua"] = logging("9.lua"),
      ["migrations/10.lua"] = logging("10.lua"),
      ["migrations/2.0.0.lua"] = logging("2.0.0.lua"),
      ["migrations/2.0.0-fix.lua"] = logging("2.0.0-fix.lua") .. "storage.forces = #game.forces\n",
      ["migrations/notes.txt"] = "not a migration",
    }))
    fm.init()
    fm.configuration_changed(ADDED)
    -- Lexicographic, not natural: "10" before "9", "2.0.0-" before "2.0.0." ('-' < '.').
    assert.are.same({ "10.lua", "2.0.0-fix.lua", "2.0.0.lua", "9.lua", "b.lua" }, storage.log)
    assert.are.equal(#game.forces, storage.forces)
    fm.configuration_changed(UPDATED)
    assert.are.equal(5, #storage.log)
  end)

  it("runs none on a new game: fm.init() counts the migrations there are as applied", function()
    fm.load_control(mod_dir({ ["migrations/0.2.0.lua"] = logging("0.2.0.lua") }))
    fm.init()
    fm.configuration_changed(UPDATED)
    assert.are.same({}, storage.log)
    assert.is_false(storage.seen.applied)
  end)

  it("runs the files named in new_migrations, and on_configuration_changed sees what they did", function()
    fm.load_control(mod_dir({
      ["migrations/0.1.0.lua"] = logging("0.1.0.lua"),
      ["migrations/0.2.0.lua"] = logging("0.2.0.lua"),
    }))
    fm.init()
    fm.configuration_changed{ mod_changes = UPDATED.mod_changes, new_migrations = { migrating = { "0.2.0.lua" } } }
    assert.are.same({ "0.2.0.lua" }, storage.log)
    assert.are.equal(1, storage.seen.log)
    assert.is_true(storage.seen.applied)
  end)

  it("keeps the save's record of migrations across fm.load()", function()
    fm.load_control(mod_dir({ ["migrations/0.2.0.lua"] = logging("0.2.0.lua") }))
    storage.log = {}   -- a save from before the mod: no fm.init(), so nothing counts as applied
    fm.configuration_changed(ADDED)
    fm.load()
    fm.configuration_changed(UPDATED)
    assert.are.same({ "0.2.0.lua" }, storage.log)
  end)

  it("applies JSON renames before any Lua migration, to entities, items, recipes and technologies", function()
    fm.load_control(mod_dir({
      ["migrations/0.1.0.lua"] = "storage.name_in_lua = storage.chest.name\n",
      ["migrations/0.2.0.json"] = [=[{
        "entity": [["wooden-chest", "iron-chest"], ["stone-furnace", "wooden-chest"]],
        "item": [["wood", "coal"]],
        "recipe": [["wooden-chest", "iron-chest"]],
        "technology": [["automation", "logistics"]]
      }]=],
    }))
    fm.init()
    local surface = game.surfaces[1]
    local chest = surface.create_entity{ name = "wooden-chest", position = { 0, 0 }, force = "player" }
    chest.get_inventory(defines.inventory.chest).insert{ name = "wood", count = 7 }
    local furnace = surface.create_entity{ name = "stone-furnace", position = { 4, 0 }, force = "player" }
    local unit_number = chest.unit_number
    local force = game.forces.player
    force.recipes["wooden-chest"].enabled = false
    local automation = force.technologies.automation
    automation.researched = true
    storage.chest = chest
    fm.configuration_changed(ADDED)

    -- Same type: the entity keeps its unit_number, and references to it stay valid.
    assert.are.equal("iron-chest", chest.name)
    assert.are.equal(unit_number, chest.unit_number)
    assert.are.equal("iron-chest", storage.name_in_lua)
    assert.are.equal(7, chest.get_inventory(defines.inventory.chest).get_item_count("coal"))
    -- Another type: a new entity takes the old one's place.
    assert.is_false(furnace.valid)
    local replaced = surface.find_entities_filtered{ name = "wooden-chest" }
    assert.are.equal(1, #replaced)
    assert.are.same({ x = 4.5, y = 0.5 }, replaced[1].position)
    assert.is_false(force.recipes["iron-chest"].enabled)
    assert.is_true(automation.valid)
    assert.are.equal("logistics", automation.name)
    assert.is_true(force.technologies.logistics.researched)
    assert.are.same({
      entity = { ["wooden-chest"] = "iron-chest", ["stone-furnace"] = "wooden-chest" },
      item = { wood = "coal" }, recipe = { ["wooden-chest"] = "iron-chest" }, technology = { automation = "logistics" },
    }, storage.seen.migrations)
  end)

  it("reports an error in a migration in the game's words, with the file and line", function()
    fm.load_control(mod_dir({ ["migrations/0.2.0.lua"] = "local x = 1\nerror(\"boom\")\n" }))
    local ok, err = pcall(fm.configuration_changed, ADDED)
    assert.is_false(ok)
    assert.are.equal("Error while applying migration: Migrating Mod: 0.2.0.lua\n\n__migrating__/migrations/0.2.0.lua:2: boom", err)
  end)

  it("refuses a new_migrations file the mod doesn't have, at the test's line", function()
    fm.load_control(mod_dir({ ["migrations/0.2.0.lua"] = logging("0.2.0.lua") }))
    local ok, err = pcall(function()
      fm.configuration_changed{ new_migrations = { migrating = { "0.3.0.lua" } } }
    end)
    assert.is_false(ok)
    assert.matches("control_migrations_spec.lua:%d+: fm.configuration_changed: new_migrations: migrating has no migrations/0.3.0.lua$", err)
  end)
end)
