-- A mod author's data-stage suite: setup before each test, read three prototypes, change one.
local fm = require("factorio_mocks.busted")
local N = tonumber(os.getenv("BENCH_TESTS") or "500")

describe("data stage", function()
  dofile("bench/suites/heap.lua")(after_each, teardown)
  before_each(function() fm.setup{ stage = "data" } end)
  for i = 1, N do
    it("test " .. i, function()
      local plate = data.raw.item["iron-plate"]
      local gear = data.raw.recipe["iron-gear-wheel"]
      local chest = data.raw.container["iron-chest"]
      assert(plate and gear and chest)
      assert(plate.stack_size == 100, "a test saw another's change")
      plate.stack_size = 200
      chest.inventory_size = i
    end)
  end
end)
