-- The built-in datasets, one per game version (2.1.9 and 2.0.77): selection by game_version, the
-- locale of every language offline, and (the game-data tier, needing ../shared and the lua5.2
-- build) scripts/derive-data-raw.lua: on 2.0.77 it reproduces the built-in data.raw prototype for
-- prototype, on 2.1.9 it makes fixtures/builtin/2.1.9/data-raw.json.gz (and with --expansions
-- data-raw-expansions.json.gz) byte for byte. Each version's second set, with the expansions,
-- comes when fm.setup's `mods` or a mod under test needs one.

local fm = require("factorio_mocks")
local files = require("spec.support.files")
local compare = require("spec.support.data_raw")
local deep_difference, effects_as_set, sorted_keys = compare.deep_difference, compare.effects_as_set, compare.sorted_keys
local exists = files.exists

local TARBALL = "../shared/data/factorio-data/factorio-data-%s.tar.gz"


local function read(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local function sh(command)
  local ok = os.execute(command)
  return ok == true or ok == 0
end





describe("the built-in datasets", function()
  after_each(function() fm.teardown() end)

  it("are 2.1.9 and 2.0.77, newest first; the newest is the default", function()
    assert.are.same({ "2.1.9", "2.0.77" }, fm.builtin_versions())
    fm.setup{ stage = "data" }
    local default = os.getenv("FACTORIO_MOCKS_GAME_VERSION") == "2.0" and "2.0.77" or "2.1.9"
    assert.are.equal(default, fm.current().dataset.factorio_version)
  end)

  it("are chosen by game_version: the full version or its major.minor", function()
    for asked, version in pairs({ ["2.1"] = "2.1.9", ["2.1.9"] = "2.1.9", ["2.0"] = "2.0.77", ["2.0.77"] = "2.0.77" }) do
      fm.setup{ stage = "data", game_version = asked }
      assert.are.equal(version, fm.current().dataset.factorio_version, asked)
      assert.is_table(data.raw.recipe["iron-gear-wheel"], asked)
    end
  end)

  it("hold each version's own data.raw: 2.1 made science packs items (no `tool` type)", function()
    fm.setup{ stage = "data", game_version = "2.0" }
    assert.are.equal("tool", data.raw.tool["automation-science-pack"].type)
    fm.setup{ stage = "data", game_version = "2.1" }
    assert.is_nil(data.raw.tool)
    assert.are.equal("item", data.raw.item["automation-science-pack"].type)
  end)

  it("say which versions exist when game_version names none", function()
    local ok, err = pcall(fm.setup, { stage = "data", game_version = "2.2" })
    assert.is_false(ok)
    assert.matches('game_version "2.2"', tostring(err), 1, true)
    assert.matches("2.1.9, 2.0.77", tostring(err), 1, true)
  end)

  it("carry the locale of every language the sources have, offline", function()
    for _, version in ipairs({ "2.1", "2.0" }) do
      fm.setup{ stage = "data", game_version = version, locale = { "en", "ru" } }
      local langs = fm.current().dataset.native:builtin_languages()
      assert.is_true(#langs >= 50, version .. ": " .. #langs .. " languages")
      -- core's locale in Russian, base's in English (see fixtures/builtin/README.md).
      assert.are.equal("Работает", fm.locale.translate({ "entity-status.working" }, "ru"))
      assert.are.equal("Неизвестный предмет", fm.locale.translate({ "item-name.item-unknown" }, "ru"))
      assert.are.equal("Iron gear wheel", fm.locale.translate({ "item-name.iron-gear-wheel" }))
      assert.are.equal("Working", fm.locale.translate({ "entity-status.working" }))
      -- A language loaded on demand.
      assert.are.equal("In Betrieb", fm.locale.translate({ "entity-status.working" }, "de"))
    end
  end)
end)

describe("the built-in datasets with the expansions", function()
  after_each(function() fm.teardown() end)

  -- A mod of game version `version` with `dependencies` and a data.lua.
  local function mod(name, version, dependencies, data_lua)
    return files.write_tree({
      ["info.json"] = ('{"name": "%s", "version": "1.0.0", "title": "t", "author": "a", "factorio_version": "%s", "dependencies": ["%s"]}')
        :format(name, version, table.concat(dependencies, '", "')),
      ["data.lua"] = data_lua or "",
    }, files.temp_dir(name))
  end

  for _, version in ipairs({ "2.1", "2.0" }) do
    it(version .. ": come when `mods` turns space-age on: its planets, its mods, its flags, its Lua", function()
      fm.setup{ stage = "data", game_version = version }
      assert.is_nil(data.raw.planet.vulcanus)
      assert.is_nil(mods["space-age"])
      assert.is_false(feature_flags.space_travel)
      assert.has_error(function() require("__space-age__.prototypes.planet.planet") end)

      fm.setup{ stage = "data", game_version = version, mods = { ["space-age"] = true } }
      assert.are.equal("planet", data.raw.planet.vulcanus.type)
      assert.is_table(data.raw.recipe["iron-gear-wheel-recycling"])
      local full = fm.current().dataset.factorio_version
      for _, name in ipairs({ "base", "elevated-rails", "quality", "space-age" }) do assert.are.equal(full, mods[name], name) end
      assert.are.equal(version == "2.1" and full or nil, mods.recycler)
      assert.is_true(feature_flags.space_travel and feature_flags.quality and feature_flags.rail_bridges)
      -- The game's globals of its whole data stage, the expansions' too (space-age's data.lua
      -- defines planet_map_gen helpers through its own files).
      assert.is_table(require("__space-age__.prototypes.entity.sounds"))

      fm.setup{ stage = "control", game_version = version, mods = { ["space-age"] = true } }
      assert.are.equal("vulcanus", prototypes.space_location.vulcanus.name)
      assert.are.equal(full, script.active_mods["space-age"])
    end)

    it(version .. ": come for a mod under test that needs an expansion, not for one that only may use it", function()
      local needs = mod("needs-space-age", version, { "base", "space-age" },
        'data:extend{{type = "item", name = "vulcan-ore", icon = "__core__/graphics/empty.png", stack_size = 50,'
        .. ' weight = data.raw.item["tungsten-ore"].weight}}')
      fm.setup{ stage = "control", game_version = version, load_mods = { needs } }
      assert.are.equal("vulcan-ore", prototypes.item["vulcan-ore"].name)
      assert.are.equal("gleba", prototypes.space_location.gleba.name)
      local may = mod("may-use-space-age", version, { "base", "? space-age" })
      fm.setup{ stage = "control", game_version = version, load_mods = { may } }
      assert.is_nil(prototypes.space_location.gleba)
      assert.is_nil(script.active_mods["space-age"])
    end)
  end
end)

local lua52 = sh("command -v lua5.2 >/dev/null 2>&1") and exists("build/lua52/factorio_mocks.so")
local have = exists(TARBALL:format("2.0.77")) and exists(TARBALL:format("2.1.9"))

describe("game-data tier: scripts/derive-data-raw.lua", function()
  if not have then
    pending("skipped: ../shared not found (the tier needs ../shared/data/factorio-data beside the repository)")
    return
  end
  if not lua52 then
    pending("skipped: the script runs with lua5.2 and build/lua52/factorio_mocks.so (make build LUA=lua5.2)")
    return
  end

  local tmp
  setup(function() tmp = files.temp_dir("derive") end)
  teardown(function()
    fm.teardown()
    if tmp then os.execute(("rm -rf %q"):format(tmp)) end
  end)

  local function derive(version, flags)
    local out = tmp .. "/data-raw-" .. version .. ".json.gz"
    assert(sh(("lua5.2 scripts/derive-data-raw.lua %s %q %q 2>%q"):format(flags or "", TARBALL:format(version), out, tmp .. "/log")),
      "the script failed: " .. read(tmp .. "/log"))
    return out
  end

  it("reproduces the built-in 2.0.77 data.raw from the game's Lua, prototype for prototype", function()
    local out = derive("2.0.77")
    local json = tmp .. "/derived-2.0.77.json"
    assert(sh(("gzip -dc %q > %q"):format(out, json)))
    fm.setup{ stage = "data", dataset = json }
    local got = data.raw
    fm.setup{ stage = "data", game_version = "2.0.77" }
    local expected = data.raw
    local differences, count = {}, 0
    for _, kind in ipairs(sorted_keys(expected)) do
      if not got[kind] then differences[#differences + 1] = "missing type " .. kind end
      for _, name in ipairs(sorted_keys(expected[kind])) do
        count = count + 1
        local d = deep_difference(effects_as_set(expected[kind][name]), effects_as_set(got[kind] and got[kind][name]), kind .. "." .. name)
        if d then differences[#differences + 1] = d end
      end
    end
    for _, kind in ipairs(sorted_keys(got)) do
      for _, name in ipairs(sorted_keys(got[kind])) do
        if not (expected[kind] and expected[kind][name]) then differences[#differences + 1] = "extra " .. kind .. "." .. name end
      end
    end
    assert.are.equal(2840, count)
    assert.are.same({}, differences)
  end)

  it("makes fixtures/builtin/2.1.9/data-raw.json.gz byte for byte", function()
    local out = derive("2.1.9")
    assert.is_true(read(out) == read("fixtures/builtin/2.1.9/data-raw.json.gz"),
      "the derived 2.1.9 data.raw differs from the fixture; run make builtin-datasets and commit it")
  end)

  it("makes fixtures/builtin/2.1.9/data-raw-expansions.json.gz byte for byte, with --expansions", function()
    local out = derive("2.1.9", "--expansions")
    assert.is_true(read(out) == read("fixtures/builtin/2.1.9/data-raw-expansions.json.gz"),
      "the derived 2.1.9 data.raw with the expansions differs from the fixture; run make builtin-datasets and commit it")
  end)
end)
