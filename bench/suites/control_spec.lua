-- A mod author's control-stage suite: setup, the mod's control.lua, on_init, a player and a
-- second of ticks before each test.
local fm = require("factorio_mocks.busted")
local N = tonumber(os.getenv("BENCH_TESTS") or "500")

describe("control stage", function()
  dofile("bench/suites/heap.lua")(after_each, teardown)
  local player
  before_each(function()
    fm.setup{ stage = "control" }
    fm.load_control("fixtures/control-mod")
    fm.init()
    player = fm.create_player{ name = "alice" }
    fm.tick(60)
  end)
  for i = 1, N do
    it("test " .. i, function()
      assert(storage.ticks == 60 and storage.seconds == 1, "ticks")
      assert(player.valid and player.name == "alice")
    end)
  end
end)
