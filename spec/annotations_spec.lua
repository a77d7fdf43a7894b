-- The LuaLS annotations (library/factorio_mocks.lua, issue 15): the file loads as Lua, is a
-- ---@meta file, and names every public function of the real `fm` table, with nothing stale.
local fm = require("factorio_mocks")
local files = require("spec.support.files")

local PATH = "library/factorio_mocks.lua"

-- The local each table of the file is declared as (`local locale = {}` under `---@class fm.locale`)
-- → its place in fm.
local function annotated(text)
  local names, owner = {}, { fm = "fm" }
  for class, var in text:gmatch("%-%-%-@class ([%w_.]+)\nlocal ([%w_]+) = {}") do
    owner[var] = class == "factorio_mocks" and "fm" or class
  end
  for var, name in text:gmatch("\nfunction ([%w_]+)[.:]([%w_]+)%(") do
    if owner[var] then names[owner[var] .. "." .. name] = true end
  end
  return names
end

-- Every function reachable from fm: "fm.setup", "fm.locale.parse", …
local function public_functions()
  local _ = fm.init   -- the control stage's driver functions attach on first use
  local list = {}
  local function walk(t, prefix, seen)
    for k, v in pairs(t) do
      local name = prefix .. "." .. tostring(k)
      if type(v) == "function" then
        list[#list + 1] = name
      elseif type(v) == "table" and not seen[v] and name ~= "fm.logs" then
        seen[v] = true
        walk(v, name, seen)
      end
    end
  end
  walk(fm, "fm", {})
  table.sort(list)
  return list
end

describe("library/factorio_mocks.lua (LuaLS annotations)", function()
  local text = files.read(PATH)

  it("is a ---@meta file that loads as Lua", function()
    assert.are.equal("---@meta factorio_mocks\n", text:match("^[^\n]*\n"))
    assert.is_function(assert(loadfile(PATH)))
  end)

  it("names every public fm function", function()
    local names = annotated(text)
    local functions = public_functions()
    assert.is_true(#functions > 60)
    for _, want in ipairs({ "fm.setup", "fm.init", "fm.tick", "fm.locale.translate", "fm.mods.load_order",
      "fm.mod_settings.read", "fm.mod_list.load", "fm.cache.prune", "fm.validate", "fm.game_version",
      "fm.coverage", "fm.click" }) do
      assert.is_truthy(({ [want] = true })[want] and names[want], want .. " is not annotated")
    end
    local missing = {}
    for _, name in ipairs(functions) do
      if not names[name] then missing[#missing + 1] = name end
    end
    assert.are.same({}, missing)
  end)

  it("annotates no function fm lacks", function()
    local real = {}
    for _, name in ipairs(public_functions()) do real[name] = true end
    local stale = {}
    for name in pairs(annotated(text)) do
      if not name:find("^fm%.ModList%.") and not real[name] then stale[#stale + 1] = name end
    end
    table.sort(stale)
    assert.are.same({}, stale)
  end)

  it("annotates the fields of fm and ModList's methods", function()
    for _, field in ipairs({ "VERSION", "logs", "locale", "mods", "mod_settings", "mod_list", "cache", "codec" }) do
      assert.is_truthy(text:find("\n%-%-%-@field " .. field .. " "), field)
      assert.is_not_nil(fm[field], field)
    end
    local list = fm.mod_list.new()
    for name in pairs(annotated(text)) do
      local method = name:match("^fm%.ModList%.(.+)$")
      if method then assert.is_function(list[method], "ModList:" .. method) end
    end
  end)
end)
