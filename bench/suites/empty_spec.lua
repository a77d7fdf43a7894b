-- busted's own floor: 500 empty tests (the helper loaded, nothing set up).
require("factorio_mocks.busted")
local N = tonumber(os.getenv("BENCH_TESTS") or "500")

describe("empty", function()
  dofile("bench/suites/heap.lua")(after_each, teardown)
  for i = 1, N do
    it("test " .. i, function() end)
  end
end)
