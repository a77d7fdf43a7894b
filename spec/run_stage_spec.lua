local fm = require("factorio_mocks")

local MODS = "fixtures/run-stage/mods/"
local GAME = "fixtures/run-stage/factorio-data"

describe("fm.run_stage", function()
  local trail
  before_each(function()
    trail = {}
    -- Stage files call trace() to record the order they run in (see the fixture's README).
    _G.trace = function(step) trail[#trail + 1] = step end
  end)
  after_each(function()
    fm.teardown()
    _G.trace = nil
  end)

  local function run(opts)
    opts.mods = opts.mods or { MODS .. "gear-app", MODS .. "gear-lib_1.2.0.zip" }
    return fm.run_stage(opts)
  end

  it("runs each step for every mod before the next step, in load order, from folders and zips", function()
    fm.setup{ stage = "data" }
    local result = run{ stage = "data" }
    assert.are.same({ "gear-lib", "gear-app" }, result.order)
    assert.are.same({
      "gear-lib/settings.lua", "gear-app/settings.lua", "gear-app/settings-updates.lua",
      "gear-lib/data.lua", "gear-app/data.lua",
      "gear-app/data-updates.lua",
      "gear-lib/data-final-fixes.lua",
    }, trail)
  end)

  it("adds the mods' prototypes to the dataset's data.raw", function()
    fm.setup{ stage = "data" }
    run{ stage = "data" }
    local recipe = data.raw.recipe["copper-gear"]
    assert.are.equal("gear-lib", recipe.category)          -- gear-lib's data-final-fixes ran last
    assert.are.equal(3, recipe.ingredients[1].amount)       -- ceil(2 × the default scale 1.5)
    assert.is_table(data.raw.recipe["iron-gear-wheel"])     -- the dataset is still there
  end)

  it("lists the active mods with their versions", function()
    fm.setup{ stage = "data" }
    run{ stage = "data" }
    assert.are.same({ base = fm.game_version(), ["gear-lib"] = "1.2.0", ["gear-app"] = "0.3.0" }, mods)
  end)

  it("computes settings.startup from the setting prototypes, as the game does", function()
    fm.setup{ stage = "data" }
    run{ stage = "data" }
    assert.are.equal(1.5, settings.startup["gear-lib-scale"].value)        -- default_value
    assert.are.equal("fancy", settings.startup["gear-lib-style"].value)    -- changed in settings-updates
    assert.is_true(settings.startup["gear-app-hidden"].value)              -- hidden: forced_value
    assert.is_nil(settings.startup["gear-lib-debug"])                      -- runtime-global, not startup
  end)

  it("applies mod-settings.dat values that fit the prototypes", function()
    local dat = os.tmpname()
    fm.mod_settings.write(dat, {
      version = "2.0.77.0",
      startup = {
        ["gear-lib-scale"] = { value = 3 },
        ["gear-lib-style"] = { value = "neon" },   -- not an allowed value: the default stays
        ["gear-app-count"] = { value = 9 },        -- above maximum_value: the default stays
        ["gear-app-hidden"] = { value = false },   -- hidden with forced_value: forced wins
      },
      ["runtime-global"] = {}, ["runtime-per-user"] = {},
    })
    fm.setup{ stage = "data" }
    run{ stage = "data", mod_settings = dat }
    os.remove(dat)
    assert.are.equal(3, settings.startup["gear-lib-scale"].value)
    assert.are.equal("fancy", settings.startup["gear-lib-style"].value)
    assert.are.equal(2, settings.startup["gear-app-count"].value)
    assert.is_true(settings.startup["gear-app-hidden"].value)
    assert.are.equal(6, data.raw.recipe["copper-gear"].ingredients[1].amount)
  end)

  it("runs the settings stage into data.raw when asked for it", function()
    fm.setup{ stage = "settings" }
    run{ stage = "settings" }
    assert.are.equal(1.5, data.raw["double-setting"]["gear-lib-scale"].default_value)
    assert.are.same({ "gear-lib/settings.lua", "gear-app/settings.lua", "gear-app/settings-updates.lua" }, trail)
  end)

  it("runs the game's core and base first from a game data folder, with core/lualib on the path", function()
    fm.setup{ stage = "data" }
    local result = run{ stage = "data", factorio_data = GAME }
    assert.are.same({ "core", "base", "gear-lib", "gear-app" }, result.order)
    assert.are.same({ "core/data.lua", "base/data.lua" }, { trail[4], trail[5] })
    assert.is_nil(data.raw.recipe["iron-gear-wheel"])   -- data.raw is what the game's mods made
    assert.is_table(data.raw.item["copper-plate"])
    assert.are.equal("2.0.77", mods.core)
  end)

  it("reads ~/ in mod, mod-settings and game data paths as the home folder", function()
    local expand = require("factorio_mocks.files").expand
    assert.are.equal(os.getenv("HOME") .. "/.factorio/mods", expand("~/.factorio/mods"))
    assert.are.equal("mods/~/x", expand("mods/~/x"))
    fm.setup{ stage = "data" }
    local ok, err = pcall(fm.run_stage, { stage = "data", mods = { "~/no-such-mod-folder" } })
    assert.is_false(ok)
    assert.matches(os.getenv("HOME") .. "/no-such-mod-folder", err, 1, true)
  end)

  it("names missing dependencies", function()
    fm.setup{ stage = "data" }
    assert.has_error(function() fm.run_stage{ stage = "data", mods = { MODS .. "gear-app" } } end)
    local ok, err = pcall(fm.run_stage, { stage = "data", mods = { MODS .. "gear-app" } })
    assert.is_false(ok)
    assert.matches("the mods cannot load together", err, 1, true)
    assert.matches("gear-lib", err, 1, true)
  end)

  it("refuses to run a stage that is not set up", function()
    fm.setup{ stage = "settings" }
    assert.has_error(function() fm.run_stage{ stage = "data", mods = {} } end,
      "fm.run_stage: the data stage is not set up; call fm.setup{stage = \"data\"} first")
  end)
end)

describe("require inside a mod", function()
  local files = require("spec.support.files")
  local dir
  local function write(rel, text) files.write_tree({ [rel] = text }, dir) end

  before_each(function()
    dir = files.write_tree({ ["info.json"] = '{"name": "req", "version": "1.0.0", "title": "t", "author": "a", "factorio_version": "2.0"}' })
    fm.setup{ stage = "data" }
  end)
  after_each(function() fm.teardown() end)

  it("refuses paths that leave the mod", function()
    write("data.lua", 'require("../secret")')
    local ok, err = pcall(fm.run_stage, { stage = "data", mods = { dir } })
    assert.is_false(ok)
    assert.matches("'..' is not allowed", err, 1, true)
    assert.matches("__req__/data.lua:1:", err, 1, true)
  end)

  it("says where it looked for a module that is not there", function()
    write("data.lua", 'require("nope.gone")')
    local ok, err = pcall(fm.run_stage, { stage = "data", mods = { dir } })
    assert.is_false(ok)
    assert.matches("module not found; tried __req__/nope/gone.lua", err, 1, true)
  end)

  it("leaves the test's require alone after a mod file fails to compile", function()
    write("data.lua", "this is not lua")
    local ok, err = pcall(fm.run_stage, { stage = "data", mods = { dir } })
    assert.is_false(ok)
    assert.matches("__req__/data.lua:1:", err, 1, true)
    assert.are.equal(string, require("string"))
  end)

  it("loads a module once per name, as the game's package.loaded keeps them", function()
    write("data.lua", '_G.loads = 0; require("lib.counter"); require("lib.counter"); require("lib/counter"); require("__req__.lib.counter")')
    write("lib/counter.lua", "_G.loads = _G.loads + 1")
    fm.run_stage{ stage = "data", mods = { dir } }
    assert.are.equal(3, _G.loads)
  end)

  it("passes the module name as ..., so flib's require guards work", function()
    write("data.lua", 'local a = require("lib/guarded"); local b = require("__req__.lib.guarded"); _G.same = a == b; _G.names = _G.seen')
    write("lib/guarded.lua", [[
      _G.seen = (_G.seen or "") .. tostring(...) .. ";"
      if ... ~= "__req__.lib.guarded" then return require("__req__.lib.guarded") end
      return {}
    ]])
    fm.run_stage{ stage = "data", mods = { dir } }
    assert.is_true(_G.same)
    assert.are.equal("lib/guarded;__req__.lib.guarded;", _G.names)
  end)

  it("names the files of a require cycle instead of overflowing the C stack", function()
    write("data.lua", 'require("a")')
    write("a.lua", 'require("b")')
    write("b.lua", 'require("a")')
    local ok, err = pcall(fm.run_stage, { stage = "data", mods = { dir } })
    assert.is_false(ok)
    assert.matches("__req__/b.lua:1: require(\"a\"): require cycle: __req__/a.lua -> __req__/b.lua -> __req__/a.lua", err, 1, true)
  end)

  it("reaches the game's Lua of the dataset without a game folder", function()
    write("data.lua", [[
      local util = require("util")
      _G.merged = util.merge({{a = 1}, {b = 2}})
      _G.copy = table.deepcopy({x = {1}})
      _G.sounds = require("__base__/prototypes/entity/sounds")
      require("__base__/prototypes/entity/pipecovers")
      _G.pictures = pipecoverspictures()
      _G.glow = default_glow({1, 1, 1}, 0.5)
    ]])
    fm.run_stage{ stage = "data", mods = { dir } }
    assert.are.same({ a = 1, b = 2 }, _G.merged)
    assert.are.same({ x = { 1 } }, _G.copy)
    assert.is_table(_G.sounds.tree_leaves)
    assert.is_table(_G.pictures.north)
    assert.is_table(_G.glow)
  end)
end)

describe("fm.run_stage with a game folder", function()
  after_each(function() fm.teardown() end)

  it("refuses a folder without the game's core mod, naming it", function()
    fm.setup{ stage = "data" }
    local ok, err = pcall(function() fm.run_stage{ stage = "data", factorio_data = "no/such/game" } end)
    assert.is_false(ok)
    assert.matches("factorio_data: no/such/game has no core mod", err, 1, true)
  end)
end)
