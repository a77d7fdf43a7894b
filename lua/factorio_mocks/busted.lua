-- The busted helper: `require("factorio_mocks.busted")` from a spec or a helper file, and every
-- test ends with fm.reset(), so no test sees another's changes to data.raw or the globals.
-- busted stays optional: nothing else in factorio_mocks needs it.

local fm = require("factorio_mocks")
local busted = require("busted")

busted.subscribe({ "test", "end" }, function()
  if fm.current() then fm.reset() end
  return nil, true
end)

-- assert.localised_equals("Iron plate", {"item-name.iron-plate"}, "en"): the text the game
-- would show for a LocalisedString (lang defaults to "en").
local luassert = require("luassert")
local say = require("say")

local function localised_equals(_, arguments)
  local expected, ls, lang = arguments[1], arguments[2], arguments[3]
  local ok, text = pcall(fm.locale.translate, ls, lang)
  if not ok then text = "error: " .. tostring(text) end
  arguments[2] = text
  arguments.nofmt = { 1, 2 }
  return text == expected
end

say:set("assertion.localised_equals.positive", "Expected the localised string to read:\n%s\nbut the game would show:\n%s")
say:set("assertion.localised_equals.negative", "Expected the localised string not to read:\n%s\nbut the game would show:\n%s")
luassert:register("assertion", "localised_equals", localised_equals,
  "assertion.localised_equals.positive", "assertion.localised_equals.negative")

return fm
