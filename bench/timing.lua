-- Timing for the benchmarks: one place for how a figure is taken.
local M = {}

--- Runs (from BENCH_RUNS, default 5) for each figure.
M.RUNS = tonumber(os.getenv("BENCH_RUNS") or "5")

--- The median CPU time of `f` over M.RUNS runs, each after a full collection.
function M.median(f)
  local times = {}
  for i = 1, M.RUNS do
    collectgarbage("collect")
    local t0 = os.clock()
    f()
    times[i] = os.clock() - t0
  end
  table.sort(times)
  return times[math.ceil(M.RUNS / 2)]
end

return M
