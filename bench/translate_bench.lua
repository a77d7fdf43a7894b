-- `make bench`, locale: fm.locale.translate of one LocalisedString against a pure-Lua translator
-- of the same rules (its simple cases: a key, __N__ parameters, "" concatenation), on the
-- built-in English locale, in the same Lua. Prints one row of the README's speed table.
--
--   lua5.2 bench/translate_bench.lua [calls]     (any Lua: the module comes from build/<lua>/)

local lua_dir = jit and "luajit" or ("lua" .. _VERSION:gsub("%D", ""))
package.cpath = "build/" .. lua_dir .. "/?.so;" .. package.cpath
package.path = "bench/?.lua;" .. package.path
local fm = require("factorio_mocks")
local median = require("timing").median

local CALLS = tonumber(arg and arg[1] or nil) or 100000

fm.setup{ stage = "data" }
-- The pure-Lua translator's dictionary: the same English text, parsed into tables.
local dict = fm.locale.parse(fm.current().dataset.native:builtin_locale("en"))

local lua_translate
local function parameter(ls, i)
  local p = ls[i + 1]
  if p == nil then return "__" .. i .. "__" end
  return lua_translate(p)
end
function lua_translate(ls)
  if type(ls) ~= "table" then return tostring(ls) end
  local key = ls[1]
  if key == "" then
    local out = {}
    for i = 2, #ls do out[#out + 1] = lua_translate(ls[i]) end
    return table.concat(out)
  end
  local section, name = key:match("^([^.]*)%.(.*)$")
  if not section then section, name = "", key end
  local template = dict[section] and dict[section][name]
  if not template then return 'Unknown key: "' .. key .. '"' end
  if not template:find("__", 1, true) then return template end
  return (template:gsub("__(%d+)__", function(i) return parameter(ls, tonumber(i)) end))
end

local CASES = {
  { "item-name.iron-plate" },
  { "surface-property-unit.gravity", 10 },
  { "", { "item-name.iron-plate" }, " and ", { "item-name.copper-plate" } },
}
for _, ls in ipairs(CASES) do
  local want, got = lua_translate(ls), fm.locale.translate(ls)
  assert(want == got, ("the translators disagree: %q against %q"):format(want, got))
end

local function run(translate)
  return function()
    for _ = 1, CALLS / #CASES do
      for i = 1, #CASES do translate(CASES[i]) end
    end
  end
end
local fm_time = median(run(fm.locale.translate))
local lua_time = median(run(lua_translate))
fm.teardown()

local ratio = fm_time / lua_time
print(("| %-58s | %6.2f µs | %6.2f× | %-5s | %-4s |"):format(
  ("11. fm.locale.translate, per call (pure Lua: %.2f µs)"):format(lua_time / CALLS * 1e6),
  fm_time / CALLS * 1e6, ratio, "≤ 1×", ratio <= 1 and "ok" or "OVER"))
