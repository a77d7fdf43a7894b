-- The busted helper: `require("factorio_mocks.busted")` from a spec or a helper file, and every
-- test ends with fm.reset(), so no test sees another's changes to data.raw or the globals.
-- busted stays optional: nothing else in factorio_mocks needs it.

local fm = require("factorio_mocks")

-- Outside a busted run, require("busted") is busted's library before its runner set it up (or
-- is missing): say so, and what to use instead.
local has_busted, busted = pcall(require, "busted")
if not (has_busted and type(busted) == "table" and type(busted.subscribe) == "function") then
  error("factorio_mocks.busted is busted's helper and needs a running busted (run the specs with `busted`, "
    .. "or set helper = \"factorio_mocks.busted\" in .busted); outside busted, use "
    .. "require(\"factorio_mocks\") and call fm.reset() after each test yourself", 0)
end

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

-- assert.prototypes_valid([raw [, version]]): data.raw (default: the current data stage's) passes
-- the game's load-time checks (fm.validate); the failure lists what the game would refuse.
local function prototypes_valid(_, arguments)
  local result = fm.validate(arguments[1], arguments[2])
  arguments[1], arguments[2], arguments.n = require("factorio_mocks.validate").format(result), nil, 1
  arguments.nofmt = { 1 }
  return result.ok
end

say:set("assertion.prototypes_valid.positive", "Expected data.raw to pass the game's load-time checks, but the game would refuse it:\n%s")
say:set("assertion.prototypes_valid.negative", "Expected data.raw to fail the game's load-time checks, but it passes them")
luassert:register("assertion", "prototypes_valid", prototypes_valid,
  "assertion.prototypes_valid.positive", "assertion.prototypes_valid.negative")

return fm
