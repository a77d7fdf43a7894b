-- What is mocked, by name (issue 15): fm.coverage() lists every member per class for the game
-- version set up, and scripts/coverage.lua (`make coverage`) prints them per version.
local fm = require("factorio_mocks")

local function by_class(rows)
  local t = {}
  for _, row in ipairs(rows) do t[row.class] = row end
  return t
end

local function member(row, name)
  for _, m in ipairs(row.members) do
    if m.name == name then return m end
  end
end

describe("fm.coverage", function()
  after_each(function() fm.teardown() end)

  it("lists every member of a class, mocked or not, with the class's page of the API docs", function()
    fm.setup{ stage = "control", game_version = "2.0.77" }
    local player = by_class(fm.coverage()).LuaPlayer
    assert.are.equal("2.0.77", player.version)
    assert.are.equal("https://lua-api.factorio.com/2.0.77/classes/LuaPlayer.html", player.url)
    assert.are.same({ name = "clear_cursor", kind = "method", mocked = true }, member(player, "clear_cursor"))
    assert.are.equal("LuaControl", player.parent)
    -- teleport is LuaControl's: a LuaPlayer has it (mocked), LuaControl itself has no behaviour
    assert.are.same({ name = "teleport", kind = "method", mocked = true, from = "LuaControl" }, member(player, "teleport"))
    assert.is_false(member(by_class(fm.coverage()).LuaControl, "teleport").mocked)
    assert.are.same({ name = "name", kind = "attribute", mode = "r", mocked = true }, member(player, "name"))
    local done = 0
    for i, m in ipairs(player.members) do
      if m.mocked then done = done + 1 end
      if i > 1 then assert.is_true(player.members[i - 1].name < m.name) end
    end
    assert.are.equal(player.total, #player.members)
    assert.are.equal(player.done, done)
    assert.is_true(player.done < player.total)
  end)

  it("follows the game version set up", function()
    fm.setup{ stage = "control", game_version = "2.0" }
    local old = by_class(fm.coverage())
    fm.setup{ stage = "control", game_version = "2.1" }
    local new = by_class(fm.coverage())
    assert.is_table(member(old.LuaRecipePrototype, "category"))        -- gone in 2.1
    assert.is_nil(member(new.LuaRecipePrototype, "category"))
    assert.is_table(old.LuaFluidBox)
    assert.is_nil(new.LuaFluidBox)
    assert.are.equal("https://lua-api.factorio.com/2.1.9/classes/LuaRecipePrototype.html", new.LuaRecipePrototype.url)
  end)
end)

describe("scripts/coverage.lua (make coverage)", function()
  local function run(args)
    local lua = jit and "luajit" or ("lua" .. _VERSION:match("%d+%.%d+"))
    local pipe = io.popen(("%s -e 'package.cpath = %q' scripts/coverage.lua %s 2>&1"):format(lua, package.cpath, args))
    local out = pipe:read("*a")
    pipe:close()
    return out
  end

  it("prints each version's classes with their members, mocked or not", function()
    local out = run("--class LuaPlayer")
    for _, version in ipairs(fm.builtin_versions()) do
      assert.truthy(out:find("== game version " .. version, 1, true), out)
      assert.truthy(out:find("https://lua-api.factorio.com/" .. version .. "/classes/LuaPlayer.html", 1, true))
    end
    assert.truthy(out:find("\nLuaPlayer < LuaControl ", 1, true), out)
    assert.truthy(out:find("\n  [x] clear_cursor()\n", 1, true))
    assert.truthy(out:find("\n  [x] teleport()  from LuaControl\n", 1, true))
    assert.truthy(out:find("\n  [x] name  (r)\n", 1, true))
    assert.truthy(out:find("\n  %[ %] [%w_]+"))
  end)

  it("prints a markdown table of the classes with behaviour", function()
    local out = run("--markdown --version 2.0.77")
    assert.truthy(out:find("| `LuaPlayer` | [", 1, true), out)
    assert.falsy(out:find("LuaWallControlBehavior", 1, true))      -- only valid and object_name
  end)
end)
