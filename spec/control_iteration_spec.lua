-- Iterating the runtime API's custom tables works on every Lua, as on the game's Lua 5.2.
local fm = require("factorio_mocks")

describe("iterating API objects", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  it("walks game.players with pairs, also on Lua 5.1 and LuaJIT", function()
    fm.create_player{ name = "alice" }
    fm.create_player{ name = "bob" }
    local names = {}
    for index, player in pairs(game.players) do names[index] = player.name end
    assert.are.same({ "alice", "bob" }, names)
  end)

  it("refuses table_size on an API object, which is not a table in the game", function()
    assert.has_error(function() table_size(game.players) end,
      "bad argument #1 to 'table_size' (table expected, got userdata)")
  end)
end)
