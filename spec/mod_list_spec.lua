-- fm.mod_list: the game's mods/mod-list.json.

local fm = require("factorio_mocks")

-- The message of the error `f(...)` raises (mlua errors are userdata; tostring gives the text).
local function error_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return tostring(err)
end

local FIXTURE = "fixtures/mod-list/mod-list.json"

local read_text = require("spec.support.files").read

local tmpname = require("spec.support.files").temp_path

describe("fm.mod_list", function()
  local list
  before_each(function()
    list = fm.mod_list.load(FIXTURE)
  end)

  it("keeps mods disabled that mod-list.json disables", function()
    assert.is_true(list:is_enabled("fm-app"))
    assert.is_false(list:is_enabled("space-age"))
    assert.is_true(list:exists("space-age"))
    assert.is_false(list:exists("not-installed"))
    assert.is_false(list:is_enabled("not-installed"))
  end)

  it("knows the versions the file pins, and only those", function()
    assert.are.equal("1.2.0", list:version("fm-library"))
    assert.is_nil(list:version("fm-app"))
  end)

  it("iterates in file order: base, the expansions, then the rest", function()
    local names = {}
    for name, enabled in list:each() do
      names[#names + 1] = name .. (enabled and "+" or "-")
    end
    assert.are.same({ "base+", "elevated-rails-", "quality-", "space-age-", "fm-app+", "fm-library+", "fm-optional-" }, names)
  end)

  it("saves an unchanged list byte for byte", function()
    local path = tmpname()
    list:save(path)
    assert.are.equal(read_text(FIXTURE), read_text(path))
    os.remove(path)
  end)

  it("adds mods where the game sorts them, with a version only when given", function()
    list:add("Zed", "0.2.0")
    list:add("abc", { enabled = false })
    local names = {}
    for name in list:each() do
      names[#names + 1] = name
    end
    assert.are.same({ "base", "elevated-rails", "quality", "space-age", "abc", "fm-app", "fm-library", "fm-optional", "Zed" }, names)
    local json = list:to_json()
    assert.matches('"name": "Zed",\n      "enabled": true,\n      "version": "0.2.0"\n', json, 1, true)
    assert.matches('"name": "abc",\n      "enabled": false\n', json, 1, true)
  end)

  it("enables, disables and removes", function()
    list:enable("space-age")
    list:disable("fm-app")
    list:remove("fm-optional")
    assert.is_true(list:is_enabled("space-age"))
    assert.is_false(list:is_enabled("fm-app"))
    assert.is_false(list:exists("fm-optional"))
  end)

  it("keeps base enabled", function()
    assert.matches("ModList.disable: cannot disable base: the game always loads it", error_of(function() list:disable("base") end), 1, true)
    assert.matches("ModList.remove: cannot remove base: the game always loads it", error_of(function() list:remove("base") end), 1, true)
    assert.is_true(list:is_enabled("base"))
  end)

  it("names the method in argument errors", function()
    local ok, err = pcall(list.add, list, {})
    assert.is_false(ok)
    assert.matches("bad argument #2 to `ModList.add`", tostring(err), 1, true)
    assert.matches("ModList.enable: mod 'nope' is not in the mod list (add it first)", error_of(function() list:enable("nope") end), 1, true)
  end)

  it("blames the caller's line for a refused operation, with no Rust traceback", function()
    local ok, err = pcall(function() list:disable("base") end)
    assert.is_false(ok)
    assert.matches("^spec/mod_list_spec.lua:%d+: ModList.disable: cannot disable base", err)
    assert.is_nil(err:find("stack traceback", 1, true))
  end)

  it("starts a new list with base only", function()
    local fresh = fm.mod_list.new()
    assert.are.equal("ModList(1 mods, 1 enabled)", tostring(fresh))
    assert.matches("ModList.save: no path: this list was not loaded from a file, give one", error_of(function() fresh:save() end), 1, true)
  end)
end)
