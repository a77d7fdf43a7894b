-- CI for mod repositories (issue 15): scripts/mod-ci.sh, the steps of the composite action
-- (action.yml), run against a copy of fixtures/example-mod with the module this run loaded
-- (FM_MODULE) and FM_OFFLINE=1, so it installs nothing and needs no network.
local files = require("spec.support.files")

local LUA_VERSION = jit and "luajit" or _VERSION:match("%d+%.%d+")
local PWD = os.getenv("PWD")
local LUACOV = PWD .. "/../shared/tools/luacov/src"

local function absolute(path)
  if path:sub(1, 1) == "/" then return path end
  return PWD .. "/" .. path:gsub("^%./", "")
end

local MODULE = absolute(assert(package.searchpath("factorio_mocks", package.cpath)))

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- Runs the script on `mod` with `env` (name → value); returns the exit status and the output.
local function mod_ci(mod, env)
  local vars = {}
  for k, v in pairs(env) do vars[#vars + 1] = ("%s=%q"):format(k, v) end
  table.sort(vars)
  local out = files.temp_path()
  os.execute(("env %s bash %q %q > %q 2>&1; echo \"exit $?\" >> %q"):format(table.concat(vars, " "),
    PWD .. "/scripts/mod-ci.sh", mod, out, out))
  local text = files.read(out)
  os.remove(out)
  return tonumber(text:match("exit (%d+)%s*$")), text
end

local function contains(text, part)
  assert(text:find(part, 1, true), ("output lacks %q:\n%s"):format(part, text))
end

describe("scripts/mod-ci.sh (the CI action's steps)", function()
  local busted_found = io.popen("command -v busted"):read("*l")
  if not busted_found then
    pending("skipped: busted is not on PATH")
    return
  end
  local with_coverage = exists(LUACOV .. "/luacov/runner.lua")

  local dir, mod
  before_each(function()
    dir = files.temp_dir("mod-ci")
    mod = dir .. "/example-gears"
    assert(os.execute(("cp -R %q %q"):format(PWD .. "/fixtures/example-mod", mod)))
  end)
  after_each(function() os.execute(("rm -rf %q"):format(dir)) end)

  local function env(extra)
    local e = {
      FM_LUA_VERSION = LUA_VERSION, FM_MODULE = MODULE, FM_OFFLINE = "1", FM_TREE = dir .. "/tree",
      FM_COVERAGE = with_coverage and "1" or "0",
      LUA_PATH = with_coverage and (LUACOV .. "/?.lua;;") or ";;",
      FACTORIO_MOCKS_DEV_LUA_DIR = os.getenv("FACTORIO_MOCKS_DEV_LUA_DIR") or "",
      GITHUB_STEP_SUMMARY = dir .. "/summary.md",
    }
    for k, v in pairs(extra or {}) do e[k] = v end
    return e
  end

  it("runs the example mod's specs with the given module, offline, and reports coverage", function()
    local status, out = mod_ci(mod, env())
    assert.are.equal(0, status, out)
    contains(out, "== mod-ci: factorio-mocks: using " .. MODULE)
    contains(out, "factorio_mocks " .. require("factorio_mocks").VERSION .. " from " .. dir .. "/tree/lib/lua/")
    assert.truthy(out:find("%d+ successes / 0 failures / 0 errors"), out)
    if with_coverage then
      contains(out, "== mod-ci: coverage (" .. mod .. "/luacov.report.out)")
      assert.truthy(out:find("\nprototypes/recipe.lua%s+%d+%s+%d+%s+[%d.]+%%"), out)   -- the mod's file, by its path
      assert.is_nil(out:find("factorio_mocks/", 1, true), out)                        -- not ours
      contains(files.read(dir .. "/summary.md"), "### Coverage")
    else
      print("mod_ci_spec: coverage not checked (" .. LUACOV .. " not found)")
    end
  end)

  it("exits with busted's status when a spec fails", function()
    files.write_tree({ ["spec/failing_spec.lua"] = 'it("fails", function() assert.are.equal(1, 2) end)\n' }, mod)
    local status, out = mod_ci(mod, env({ FM_BUSTED_ARGS = "spec/failing_spec.lua", FM_COVERAGE = "0" }))
    assert.are_not.equal(0, status, out)
    contains(out, "0 successes / 1 failure")
  end)

  it("offline, names what it would install instead of reaching the network", function()
    local status, out = mod_ci(mod, env({ FM_MODULE = "" }))
    assert.are.equal(1, status, out)
    contains(out, "mod-ci: error: FM_OFFLINE=1 and factorio-mocks is missing (it would run: luarocks install factorio-mocks)")
    status, out = mod_ci(dir .. "/no-such-mod", env())
    assert.are.equal(1, status, out)
    contains(out, "no-such-mod: no such folder")
  end)

  it("is what the composite action runs, and the workflow for mods uses the action", function()
    local action = files.read(PWD .. "/action.yml")
    contains(action, 'run: bash "$GITHUB_ACTION_PATH/scripts/mod-ci.sh" .')
    for _, input in ipairs({ "lua-version", "version", "rock", "rocks-server", "module", "coverage", "busted-args" }) do
      contains(action, "\n  " .. input .. ":\n")
    end
    local workflow = files.read(PWD .. "/ci/github/mod-tests.yml")
    contains(workflow, "uses: quingkhaos/factorio-mocks@v")
    contains(workflow, 'lua-version: "5.2"')
  end)
end)
