-- The Lua heap at the end of each test of a bench suite (collectgarbage("count")); its largest
-- value goes to the file BENCH_HEAP names when the suite ends. Each suite calls this with
-- busted's after_each and teardown (they live in the spec file's environment, not in _G).
return function(after_each, teardown)
  local path = os.getenv("BENCH_HEAP")
  if not path then return end
  local peak = 0
  after_each(function()
    local kb = collectgarbage("count")
    if kb > peak then peak = kb end
  end)
  teardown(function()
    local f = assert(io.open(path, "w"))
    f:write(peak)
    f:close()
  end)
end
