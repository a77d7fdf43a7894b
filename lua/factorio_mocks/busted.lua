-- The busted helper: `require("factorio_mocks.busted")` from a spec or a helper file, and every
-- test ends with fm.reset(), so no test sees another's changes to data.raw or the globals.
-- busted stays optional: nothing else in factorio_mocks needs it.

local fm = require("factorio_mocks")
local busted = require("busted")

busted.subscribe({ "test", "end" }, function()
  if fm.current() then fm.reset() end
  return nil, true
end)

return fm
