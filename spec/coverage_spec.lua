-- The Lua ecosystem's conventions (issue 15): `busted --coverage` reports a mod's own files by
-- their paths on disk, and factorio_mocks.busted says what it needs outside busted. Each runs
-- busted or Lua as a process of its own, as a mod author runs them.
local files = require("spec.support.files")

-- The interpreter running this spec, and the folder of the module it loaded.
local LUA = jit and "luajit" or ("lua" .. _VERSION:match("%d+%.%d+"))
local PWD = os.getenv("PWD")
local LUACOV = PWD .. "/../shared/tools/luacov/src"

local function absolute(path)
  if path:sub(1, 1) == "/" then return path end
  return PWD .. "/" .. path:gsub("^%./", "")
end

local MODULE_CPATH = absolute(assert(package.searchpath("factorio_mocks", package.cpath),
  "factorio_mocks is not on package.cpath")):gsub("factorio_mocks%.[^/]*$", "?.so")

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

local function busted_path()
  local pipe = io.popen("command -v busted 2>/dev/null")
  local path = pipe:read("*l")
  pipe:close()
  return path
end

-- Runs shell `cmd` in `dir`; returns whether it exited 0 and what it printed.
local function run(dir, cmd)
  local out = files.temp_path()
  os.execute(("cd %q && { %s; } > %q 2>&1; echo \"exit $?\" >> %q"):format(dir, cmd, out, out))
  local text = files.read(out)
  os.remove(out)
  return tonumber(text:match("exit (%d+)%s*$")) == 0, text
end

-- The report's summary rows: file → {hits, missed}.
local function summary(report)
  local rows = {}
  local body = report:match("\nSummary\n(.*)$") or ""
  for file, hits, missed in body:gmatch("\n(%S+)%s+(%d+)%s+(%d+)%s+[%d.]+%%") do
    rows[file] = { hits = tonumber(hits), missed = tonumber(missed) }
  end
  return rows
end

describe("busted --coverage over a mod (LuaCov)", function()
  if not exists(LUACOV .. "/luacov/runner.lua") then
    pending("skipped: " .. LUACOV .. " not found (the tier needs LuaCov in ../shared/tools/luacov beside the repository)")
    return
  end
  local busted = busted_path()
  if not busted then
    pending("skipped: busted is not on PATH")
    return
  end

  -- A copy of the example mod, so LuaCov's files land outside the checkout; plus a spec that
  -- checks errors still name the game's paths while LuaCov runs.
  local dir = files.temp_dir("coverage")
  assert(os.execute(("cp -R %q %q"):format(PWD .. "/fixtures/example-mod", dir .. "/example-gears")))
  local mod = dir .. "/example-gears"
  files.write_tree({
    ["broken/info.json"] = '{"name": "broken", "version": "1.0.0", "title": "Broken", "author": "spec", "factorio_version": "2.0"}',
    ["broken/data.lua"] = "local x = 1\nerror(\"broken on purpose\")\n",
    ["spec/error_spec.lua"] = [[
local fm = require("factorio_mocks")
it("names the game's path of a failing mod file", function()
  local ok, err = pcall(fm.setup, { stage = "data", load_mods = { "broken" } })
  assert.is_false(ok)
  assert.truthy(tostring(err):find("__broken__/data.lua:2: broken on purpose", 1, true), tostring(err))
end)
]],
  }, mod)
  local env = ("LUA_PATH=%q "):format(LUACOV .. "/?.lua;" .. LUACOV .. "/?/init.lua;;")
  local ran, output = run(mod, env .. ("%s %q --cpath=%q -o plainTerminal --coverage spec/load_mods_spec.lua spec/error_spec.lua")
    :format(LUA, busted, MODULE_CPATH))
  local reported, report_output = run(mod, env .. ("%s %q"):format(LUA, LUACOV .. "/bin/luacov"))
  local report = exists(mod .. "/luacov.report.out") and files.read(mod .. "/luacov.report.out") or ""
  local rows = summary(report)

  it("runs the mod's specs with coverage, errors naming the game's paths", function()
    assert.is_true(ran, output)
    assert.truthy(output:find("3 successes / 0 failures / 0 errors", 1, true), output)
  end)

  it("reports the mod's files by their paths in the mod's folder, with hit counts", function()
    assert.is_true(reported, report_output)
    assert.is_nil(report_output:find("Couldn't open", 1, true), report_output)
    -- These ran only as __example-gears__/… (load_mods), never through the test's own require.
    for _, file in ipairs({ "settings.lua", "data.lua", "data-updates.lua", "prototypes/item.lua", "prototypes/recipe.lua" }) do
      assert.is_table(rows[file], file .. " missing from the report:\n" .. report)
      assert.is_true(rows[file].hits > 0, file)
      assert.are.equal(0, rows[file].missed, file)
    end
    assert.truthy(report:find("\n%s*%d+ require%(\"prototypes%.item\"%)"), "hit counts beside data.lua's lines")
  end)

  it("leaves out factorio_mocks' own chunks, the game's files and what .luacov excludes", function()
    for file in pairs(rows) do
      assert.is_nil(file:find("factorio_mocks", 1, true), file)
      assert.is_nil(file:find("^__"), file)
      assert.is_nil(file:find("%.rs:%d+$"), file)
      assert.is_nil(file:find("^spec/"), file)
      assert.is_nil(file:find("^/"), file)
    end
    local stats = files.read(mod .. "/luacov.stats.out")
    assert.is_nil(stats:find("\n?%d+:factorio_mocks/"), "factorio_mocks/ in the stats file")
    assert.is_nil(stats:find("\n?%d+:__"), "a __mod__/ name in the stats file")
  end)

  it("keeps a broken mod's file, which ran, under its folder too", function()
    assert.is_table(rows["broken/data.lua"], report)
  end)
end)

describe("factorio_mocks.busted outside busted", function()
  it("says it needs busted and what to use instead", function()
    -- Lua 5.1's standalone interpreter prints "(error object is not a string)" for the error
    -- object of a C module's loader (mlua's); there the spec prints it with tostring.
    local code = _VERSION == "Lua 5.1" and not jit
      and "local ok, err = pcall(require, 'factorio_mocks.busted'); io.stderr:write(tostring(err)); os.exit(ok and 0 or 1)"
      or "require('factorio_mocks.busted')"
    local ok, output = run(PWD, ("%s -e %q"):format(LUA,
      ("package.cpath = %q .. ';' .. package.cpath; "):format(MODULE_CPATH) .. code))
    assert.is_false(ok, output)
    assert.truthy(output:find("factorio_mocks.busted is busted's helper and needs a running busted", 1, true), output)
    assert.truthy(output:find('use require("factorio_mocks") and call fm.reset() after each test yourself', 1, true), output)
    assert.is_nil(output:find("attempt to call", 1, true), output)
  end)
end)
