-- fm.load_control with the game's require rules: mods from folders and zips, each mod in its own
-- Lua state, require only while control.lua is parsed.
local fm = require("factorio_mocks")

local MOD = "fixtures/control-mod"
local ZIP = "fixtures/control-mod/zip/control-zip_1.0.0.zip"

local support = require("spec.support.files")

-- A throwaway mod folder: files = {["control.lua"] = "…", …}; info.json unless `scenario`.
local function temp_mod(name, files, scenario)
  if scenario then return support.write_tree(files, support.temp_dir(name)) end
  return support.mod_dir(name, files)
end

local dirs = {}
local function mod_dir(name, files, scenario)
  local dir = temp_mod(name, files, scenario)
  dirs[#dirs + 1] = dir
  return dir
end

describe("fm.load_control's require", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function()
    fm.teardown()
    for _, dir in ipairs(dirs) do os.execute("rm -rf '" .. dir .. "'") end
    dirs = {}
  end)

  it("loads a mod from a zip, with nested requires read from the archive", function()
    fm.load_control(ZIP)
    fm.init()
    assert.are.equal("control-zip", script.mod_name)
    assert.are.equal("hello from the zip", storage.greeting)
    assert.are.equal("@__control-zip__/lib/helper.lua", remote.call("control-zip", "source"))
    assert.are.equal("1.0.0", script.active_mods["control-zip"])
  end)

  it("refuses require(\"../x\"), blaming the mod's line", function()
    local dir = mod_dir("escape", { ["control.lua"] = 'local secret = require("../secret")\n' })
    local ok, err = pcall(fm.load_control, dir)
    assert.is_false(ok)
    assert.are.equal('__escape__/control.lua:1: require("../secret"): \'..\' is not allowed; '
      .. "a mod may only require its own files or __mod__/ paths", err)
  end)

  it("says which files it tried for a module that is not there", function()
    local dir = mod_dir("missing", { ["control.lua"] = 'require("scripts.nope")\n' })
    local ok, err = pcall(fm.load_control, dir)
    assert.is_false(ok)
    assert.are.equal('__missing__/control.lua:1: require("scripts.nope"): module not found; tried __missing__/scripts/nope.lua, __core__/lualib/scripts/nope.lua', err)
  end)

  it("makes a require kept in a local and called from a handler the game's error", function()
    local dir = mod_dir("late", {
      ["control.lua"] = 'local req = require\nscript.on_event(defines.events.on_tick, function() req("other") end)\n',
      ["other.lua"] = "return 1\n",
    })
    fm.load_control(dir)
    local ok, err = pcall(fm.tick, 1)
    assert.is_false(ok)
    assert.matches("__late__/control.lua:2: Require can't be used outside of control.lua parsing", err, 1, true)
  end)

  it("reaches another mod's files with __name__/ once fm.add_mod knows it", function()
    assert.are.equal("control-mod", fm.add_mod(MOD))
    local dir = mod_dir("user", {
      ["control.lua"] = 'local counters = require("__control-mod__/scripts/counters")\n'
        .. 'script.on_init(function() storage.t = {}; counters.add(storage.t, "x"); counters.add(storage.t, "x") end)\n',
    })
    fm.load_control(dir)
    fm.init()
    assert.are.same({ x = 2 }, storage.t)
    -- fm.add_mod only registers: the other mod's control.lua did not run.
    assert.is_nil(remote.interfaces["control-mod"])
  end)

  it("gives each mod its own copy of a module, as each mod has its own Lua state", function()
    fm.add_mod(MOD)
    local control = 'local counters = require("__control-mod__/scripts/counters")\n'
      .. "counters.owner = counters.owner or script.mod_name\n"
      .. "script.on_init(function() storage.owner = counters.owner end)\n"
    fm.load_control(mod_dir("first", { ["control.lua"] = control }))
    fm.load_control(mod_dir("second", { ["control.lua"] = control }))
    fm.init()
    assert.are.equal("first", fm.storage("first").owner)
    assert.are.equal("second", fm.storage("second").owner)
  end)

  it("runs a folder without info.json as a scenario, named level", function()
    local dir = mod_dir("scenario", { ["control.lua"] = "script.on_init(function() storage.level = script.mod_name end)\n" }, true)
    fm.load_control(dir)
    fm.init()
    assert.are.equal("level", storage.level)
    assert.is_nil(script.active_mods.level)
  end)

  it("fails clearly for a path that is no mod", function()
    assert.has_error(function() fm.load_control("fixtures/nope") end)
    local dir = mod_dir("nocontrol", {})
    local ok, err = pcall(fm.load_control, dir)
    assert.is_false(ok)
    assert.matches("has no control.lua$", err)
  end)
end)
