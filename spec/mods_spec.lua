-- fm.mods: installed mods, their dependencies, and the order the game loads them in.

local fm = require("factorio_mocks")

-- The message of the error `f(...)` raises (mlua errors are userdata; tostring gives the text).
local function error_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return tostring(err)
end

local MODS = "fixtures/mods"

local function names(mods)
  local out = {}
  for i, m in ipairs(mods) do
    out[i] = m.name
  end
  return out
end

describe("fm.mods", function()
  describe("scan", function()
    it("finds zips and folders and reads their info.json", function()
      local mods = fm.mods.scan(MODS)
      assert.are.same({ "fm-app", "fm-library", "fm-optional" }, names(mods))
      local app = mods[1]
      assert.are.equal("0.1.0", app.version)
      assert.are.equal("factorio-mocks fixture app", app.title)
      assert.are.equal("2.0", app.factorio_version)
      assert.is_false(app.zip)
      assert.are.equal("? fm-optional", app.dependencies[3].text)
    end)

    it("takes the newest version where a mod is installed twice, and reports the other", function()
      local mods, report = fm.mods.scan(MODS)
      assert.are.equal("1.2.0", mods[2].version)
      assert.is_true(mods[2].zip)
      assert.are.equal("fm-library_1.2.0", mods[2].root)
      assert.are.equal("1.0.0", report.shadowed[1].version)
    end)

    it("skips broken mods and says why", function()
      local _, report = fm.mods.scan(MODS)
      assert.are.equal(1, #report.broken)
      assert.matches("fm%-broken_1%.0%.0$", report.broken[1].path)
      assert.matches('missing field "version" %(mandatory in info.json%)', report.broken[1].error)
    end)

    it("fails on a folder that does not exist", function()
      assert.matches("fm.mods.scan: fixtures/no-such-folder: No such file", error_of(fm.mods.scan, "fixtures/no-such-folder"), 1, true)
    end)
  end)

  describe("read_file", function()
    it("reads a file out of a zip by its path inside the mod", function()
      local lib = fm.mods.load(MODS .. "/fm-library_1.2.0.zip")
      assert.matches("fm%-library%-item", fm.mods.read_file(lib, "prototypes/items.lua"))
      assert.is_nil(fm.mods.read_file(lib, "settings.lua"))
    end)

    it("reads from folders too, and refuses paths that leave the mod", function()
      assert.are.equal('require("prototypes.recipe")\n', fm.mods.read_file(MODS .. "/fm-app", "data.lua"))
      local ok, err = pcall(fm.mods.read_file, MODS .. "/fm-app", "../fm-optional_0.3.0/info.json")
      assert.is_false(ok)
      assert.matches('"%.%." is not allowed inside a mod', err)
    end)
  end)

  describe("parse_dependency", function()
    local cases = {
      { "base", { kind = "required", prefix = "", name = "base", text = "base" } },
      { "! enemy", { kind = "incompatible", prefix = "!", name = "enemy", text = "! enemy" } },
      { "? flib >= 0.12.0", { kind = "optional", prefix = "?", name = "flib", op = ">=", version = "0.12.0", text = "? flib >= 0.12.0" } },
      { "(?) hidden < 2.0.0", { kind = "hidden_optional", prefix = "(?)", name = "hidden", op = "<", version = "2.0.0", text = "(?) hidden < 2.0.0" } },
      { "~ lazy = 1.0.0", { kind = "no_load_order", prefix = "~", name = "lazy", op = "=", version = "1.0.0", text = "~ lazy = 1.0.0" } },
      { "+ quality >= 2.1.0", { kind = "recommended", prefix = "+", name = "quality", op = ">=", version = "2.1.0", text = "+ quality >= 2.1.0" } },
      { "base>1.1", { kind = "required", prefix = "", name = "base", op = ">", version = "1.1.0", text = "base > 1.1.0" } },
    }
    for _, case in ipairs(cases) do
      it("reads " .. case[1], function()
        assert.are.same(case[2], fm.mods.parse_dependency(case[1]))
      end)
    end

    it("quotes the string it cannot read", function()
      assert.matches('fm.mods.parse_dependency: bad dependency "flib == 1.0.0": unknown operator "==" (use < <= = >= >)', error_of(function() fm.mods.parse_dependency("flib == 1.0.0") end), 1, true)
    end)
  end)

  describe("load_order", function()
    it("loads shorter dependency chains first, then names in natural order", function()
      local mods = fm.mods.scan(MODS)
      table.insert(mods, { name = "base", version = "2.0.0", dependencies = {} })
      assert.are.same({ "base", "fm-library", "fm-optional", "fm-app" }, names(fm.mods.load_order(mods)))
    end)

    it("sorts numbers in names by value", function()
      local mods = {
        { name = "base", version = "2.0.0", dependencies = {} },
        { name = "mod10", version = "1.0.0" },
        { name = "mod9", version = "1.0.0" },
        { name = "Mod1", version = "1.0.0" },
      }
      assert.are.same({ "base", "Mod1", "mod9", "mod10" }, names(fm.mods.load_order(mods)))
    end)

    it("loads a + (recommended) dependency first when present, and needs it not", function()
      local game = {
        { name = "base", version = "2.1.9", dependencies = {} },
        { name = "space-age", version = "2.1.9", dependencies = { "base >= 2.1.0", "+ quality >= 2.1.0" } },
        { name = "quality", version = "2.1.9" },
      }
      assert.are.same({ "base", "quality", "space-age" }, names(fm.mods.load_order(game)))
      assert.are.same({}, fm.mods.check(game))
      table.remove(game, 3)
      assert.are.same({ "base", "space-age" }, names(fm.mods.load_order(game)))
      assert.are.same({}, fm.mods.check(game))
    end)

    it("refuses a dependency cycle", function()
      local mods = {
        { name = "a", version = "1.0.0", dependencies = { "b" } },
        { name = "b", version = "1.0.0", dependencies = { "a" } },
      }
      assert.matches("fm.mods.load_order: dependency cycle: a -> b -> a", error_of(function() fm.mods.load_order(mods) end), 1, true)
    end)
  end)

  describe("check", function()
    it("finds nothing wrong with a loadable set", function()
      local mods = fm.mods.scan(MODS)
      table.insert(mods, { name = "base", version = "2.0.0", dependencies = {} })
      assert.are.same({}, fm.mods.check(mods))
    end)

    it("names every problem", function()
      local mods = {
        { name = "base", version = "2.0.0", dependencies = {} },
        { name = "app", version = "1.0.0", dependencies = { "lib >= 2.0.0", "gone", "? opt < 1.0.0", "! enemy" } },
        { name = "lib", version = "1.5.0" },
        { name = "opt", version = "1.0.0" },
        { name = "enemy", version = "1.0.0" },
      }
      local messages = {}
      for i, p in ipairs(fm.mods.check(mods)) do
        messages[i] = p.kind .. ": " .. p.message
      end
      assert.are.same({
        'version: app depends on "lib >= 2.0.0", but lib 1.5.0 is present',
        'missing: app requires "gone", which is not present (install and enable gone)',
        'version: app depends on "? opt < 1.0.0", but opt 1.0.0 is present',
        "incompatible: app is incompatible with enemy (disable one of them)",
      }, messages)
    end)
  end)
end)
