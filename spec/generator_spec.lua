-- The generator mod (generator/, issue 16) run under factorio-mocks itself: its data stage and
-- on_init write a dataset through helpers.write_file (fm.files()); those files, put in a folder
-- and loaded as a dataset, give back what the generator saw.
local fm = require("factorio_mocks")
local support = require("spec.support.files")

local OUT = "factorio-mocks-generator/"
local MOD_DATA = "factorio-mocks-generator-dataset"

-- Runs the generator (fm.setup `opts`, then on_init, or the command); returns the dataset folder,
-- the written files by path inside it, and what fm.logs said.
local function generate(opts, how)
  fm.setup(opts)
  if how == "command" then
    fm.init()
    for path in pairs(fm.files()) do fm.files()[path] = nil end
    local player = fm.create_player{ name = "generator" }
    fm.run_command("/factorio-mocks-generate", player)
    local said = fm.output(player)
    assert.truthy(said[#said]:find("wrote %d+ files to script%-output/factorio%-mocks%-generator/"), said[#said])
  else
    fm.init()
  end
  local written, logs = {}, {}
  for path, text in pairs(fm.files()) do
    assert.are.equal(OUT, path:sub(1, #OUT), "written outside " .. OUT .. ": " .. path)
    written[path:sub(#OUT + 1)] = text
  end
  for i, line in ipairs(fm.logs) do logs[i] = line end
  fm.teardown()
  return support.write_tree(written, support.temp_dir("generated")), written, logs
end

-- data.raw, mods, startup settings and feature flags of a data stage set up with `opts`
-- (the tables themselves: they outlive the session).
local function data_stage(opts)
  fm.setup(opts)
  local raw = {}
  for type_name, protos in pairs(data.raw) do
    raw[type_name] = {}
    for name, proto in pairs(protos) do raw[type_name][name] = proto end
  end
  local startup = {}
  for name, setting in pairs(settings.startup) do startup[name] = setting.value end
  local result = { raw = raw, mods = mods, startup = startup, feature_flags = feature_flags }
  fm.teardown()
  return result
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local function count(raw)
  local n = 0
  for _, protos in pairs(raw) do for _ in pairs(protos) do n = n + 1 end end
  return n
end

-- Loads a generator file's text as the dataset loader does (math.huge in reach).
local function load_text(text)
  local env = { math = { huge = math.huge } }
  local fn = assert((loadstring or load)(text, "=generated", "t", env))
  if setfenv then setfenv(fn, env) end
  return fn()
end

describe("the generator mod", function()
  local source, dir, written, logs

  setup(function()
    source = data_stage{ stage = "data", game_version = "2.0" }
    dir, written, logs = generate{ stage = "control", load_mods = { "generator" }, game_version = "2.0" }
  end)

  it("writes the dataset layout into script-output/factorio-mocks-generator/", function()
    for _, path in ipairs{ "metadata.lua", "prototype/data-raw/init.lua", "prototype/mods.lua",
      "prototype/settings.lua", "prototype/feature-flags.lua", "runtime/defines.lua",
      "runtime/prototypes.lua", "runtime/settings.lua", "prototype/data-raw/item.lua" } do
      assert.is_string(written[path], path)
    end
    -- One file per type, and the index requiring each by the dataset's prefix.
    local types = sorted_keys(source.raw)
    local files = {}
    for path in pairs(written) do
      local t = path:match("^prototype/data%-raw/(.+)%.lua$")
      if t and t ~= "init" then files[#files + 1] = t end
    end
    table.sort(files)
    assert.are.same(types, files)
    assert.truthy(written["prototype/data-raw/init.lua"]:find(
      '["recipe"] = require("___GENERATED__FACTORIO__DATA___.prototype.data-raw.recipe"),', 1, true))
    assert.truthy(logs[#logs]:find("wrote " .. (#types + 8) .. " files %(2840 prototypes%)"))
  end)

  it("gives, loaded as a dataset, the source's data.raw prototype for prototype", function()
    local got = data_stage{ stage = "data", dataset = dir }
    assert.are.same(sorted_keys(source.raw), sorted_keys(got.raw))
    for type_name, protos in pairs(source.raw) do
      assert.are.same(sorted_keys(protos), sorted_keys(got.raw[type_name]), type_name)
    end
    assert.are.equal(2840, count(got.raw))
    -- Whole prototypes, deeply: a few by hand (shared tables, infinities, nested arrays) …
    assert.are.same(source.raw.recipe["iron-gear-wheel"], got.raw.recipe["iron-gear-wheel"])
    assert.are.same(source.raw.item["iron-plate"], got.raw.item["iron-plate"])
    assert.are.same(source.raw["assembling-machine"]["assembling-machine-2"], got.raw["assembling-machine"]["assembling-machine-2"])
    assert.are.same(source.raw.technology["automation"], got.raw.technology["automation"])
    assert.are.same(source.raw["utility-constants"].default, got.raw["utility-constants"].default)
    -- … then every one.
    local differ = {}
    for type_name, protos in pairs(source.raw) do
      for name, proto in pairs(protos) do
        if not pcall(assert.are.same, proto, got.raw[type_name][name]) then differ[#differ + 1] = type_name .. "/" .. name end
      end
    end
    assert.are.same({}, differ)
  end)

  it("gives the same mods, startup settings and feature flags", function()
    local got = data_stage{ stage = "data", dataset = dir }
    local want_mods = {}
    for name, version in pairs(source.mods) do want_mods[name] = version end
    want_mods["factorio-mocks-generator"] = "0.1.0"
    assert.are.same(want_mods, got.mods)
    assert.are.same(source.startup, got.startup)
    assert.are.same(source.feature_flags, got.feature_flags)
  end)

  it("writes metadata the rock verifies: the game version and an adler32 of every file", function()
    local meta = load_text(written["metadata.lua"])
    assert.are.equal("2.0.77", meta.factorio_version)
    assert.are.equal("0.1.0", meta.generator_version)
    assert.are.equal("adler32", meta.hash_algorithm)
    local listed = sorted_keys(meta.checksums)
    local files = sorted_keys(written)
    for i, path in ipairs(files) do if path == "metadata.lua" then table.remove(files, i) end end
    assert.are.same(files, listed)
    for _, hex in pairs(meta.checksums) do assert.truthy(hex:match("^%x%x%x%x%x%x%x%x$")) end
    -- A changed byte is caught by the rock's own adler32 check.
    local tampered = support.write_tree(written, support.temp_dir("tampered"))
    local path = tampered .. "/prototype/data-raw/item.lua"
    local f = assert(io.open(path, "ab")); f:write(" "); f:close()
    -- (a dataset's files are read, and checked, when their type is first read)
    fm.setup{ stage = "data", dataset = tampered }
    local ok, err = pcall(function() return data.raw.item end)
    fm.teardown()
    assert.is_false(ok)
    assert.truthy(tostring(err):find("adler32 checksum mismatch", 1, true), tostring(err))
  end)

  it("writes defines as the control stage has them, and runtime prototypes and settings", function()
    fm.setup{ stage = "control", game_version = "2.0" }
    local want = {}
    for k, v in pairs(defines) do want[k] = v end
    fm.teardown()
    local got = load_text(written["runtime/defines.lua"])
    assert.are.same(want, got)
    assert.are.equal(0, got.events.on_tick)

    -- Per family, the prototypes in the order `prototypes.<family>` gives them.
    local protos = load_text(written["runtime/prototypes.lua"])
    fm.setup{ stage = "control", game_version = "2.0" }
    for _, family in ipairs{ "item", "recipe", "technology", "fluid", "item_subgroup" } do
      local want_list = {}
      for name, proto in pairs(prototypes[family]) do
        want_list[#want_list + 1] = { name = name, type = proto.type, order = proto.order }
      end
      assert.are.same(want_list, protos[family], family)
    end
    fm.teardown()
    local names = {}
    for _, entry in ipairs(protos.item) do names[entry.name] = entry end
    assert.are.same({ name = "iron-plate", type = "item", order = "a[smelting]-a[iron-plate]" }, names["iron-plate"])
    -- The generator's own mod-data is no part of the dataset.
    for _, entry in ipairs(protos.mod_data or {}) do assert.are_not.equal(MOD_DATA, entry.name) end
    assert.is_nil(source.raw["mod-data"] and source.raw["mod-data"][MOD_DATA])
    assert.is_nil(written["prototype/data-raw/mod-data.lua"])

    assert.are.same({ startup = {}, global = {}, player_default = {} }, load_text(written["runtime/settings.lua"]))
  end)

  it("writes the same files from the /factorio-mocks-generate command", function()
    local _, again = generate({ stage = "control", load_mods = { "generator" }, game_version = "2.0" }, "command")
    assert.are.same(sorted_keys(written), sorted_keys(again))
    assert.are.equal(written["prototype/data-raw/recipe.lua"], again["prototype/data-raw/recipe.lua"])
    assert.are.equal(written["metadata.lua"], again["metadata.lua"])
  end)
end)

describe("the generator mod on 2.1", function()
  it("writes 2.1.9's data.raw, defines and version", function()
    local source = data_stage{ stage = "data", game_version = "2.1" }
    local dir, written = generate{ stage = "control", load_mods = { "generator" }, game_version = "2.1" }
    local got = data_stage{ stage = "data", dataset = dir }
    assert.are.equal("2.1.9", load_text(written["metadata.lua"]).factorio_version)
    assert.are.same(sorted_keys(source.raw), sorted_keys(got.raw))
    assert.are.equal(count(source.raw), count(got.raw))
    assert.are.same(source.raw.recipe, got.raw.recipe)
    assert.are.same(source.raw.item, got.raw.item)
    fm.setup{ stage = "control", game_version = "2.1" }
    local want = {}
    for k, v in pairs(defines) do want[k] = v end
    fm.teardown()
    assert.are.same(want, load_text(written["runtime/defines.lua"]))
  end)
end)

describe("the generator mod with another mod", function()
  local extra

  setup(function()
    extra = support.mod_dir("gen-extra", {
      ["settings.lua"] = [[
data:extend{
  { type = "int-setting", name = "gen-extra-count", setting_type = "startup", default_value = 7, minimum_value = 1 },
  { type = "string-setting", name = "gen-extra-word", setting_type = "runtime-global", default_value = "hello" },
}
]],
      ["data.lua"] = [[
data:extend{
  { type = "item", name = "gen-extra-widget", stack_size = settings.startup["gen-extra-count"].value,
    icon = "__base__/graphics/icons/iron-plate.png", weight = 1/0, subgroup = "raw-material", order = "z" },
  { type = "mod-data", name = "gen-extra-table", data = { answer = 42, list = { "a", "b" } } },
}
data.raw.recipe["iron-gear-wheel"].energy_required = 2.25
]],
      -- (the control stage makes a mod's runtime settings when it loads its control.lua)
      ["control.lua"] = "script.on_init(function() end)\n",
    })
  end)

  it("puts the mod's prototype, its startup setting and its changes into the dataset", function()
    local opts = { stage = "data", load_mods = { extra, "generator" }, settings = { ["gen-extra-count"] = 9 }, game_version = "2.0" }
    local source = data_stage(opts)
    local dir, written = generate{ stage = "control", load_mods = { extra, "generator" }, settings = { ["gen-extra-count"] = 9 }, game_version = "2.0" }
    local got = data_stage{ stage = "data", dataset = dir }

    assert.are.same(source.raw.item["gen-extra-widget"], got.raw.item["gen-extra-widget"])
    assert.are.equal(9, got.raw.item["gen-extra-widget"].stack_size)
    assert.are.equal(math.huge, got.raw.item["gen-extra-widget"].weight)
    assert.are.equal(2.25, got.raw.recipe["iron-gear-wheel"].energy_required)
    assert.are.equal(9, got.startup["gen-extra-count"])
    assert.are.same(source.startup, got.startup)
    assert.are.equal("0.1.0", got.mods["gen-extra"])
    -- Other mods' mod-data stay; the generator's own is left out.
    assert.are.same({ answer = 42, list = { "a", "b" } }, got.raw["mod-data"]["gen-extra-table"].data)
    assert.is_nil(got.raw["mod-data"][MOD_DATA])
    assert.is_table(source.raw["mod-data"][MOD_DATA])
    source.raw["mod-data"][MOD_DATA] = nil
    assert.are.same(sorted_keys(source.raw), sorted_keys(got.raw))
    for type_name, protos in pairs(source.raw) do
      assert.are.same(sorted_keys(protos), sorted_keys(got.raw[type_name]), type_name)
    end

    local runtime = load_text(written["runtime/settings.lua"])
    assert.are.same({ value = 9 }, runtime.startup["gen-extra-count"])
    assert.are.same({ value = "hello" }, runtime.global["gen-extra-word"])
  end)
end)

describe("the generator's files", function()
  -- The mod's own modules, loaded as plain Lua with a `pairs` that honours __pairs (the game's
  -- Lua 5.2 does; 5.1 and LuaJIT do not).
  local function module(name)
    local env = setmetatable({
      pairs = function(t)
        local mt = getmetatable(t)
        if mt and mt.__pairs then return mt.__pairs(t) end
        return next, t, nil
      end,
    }, { __index = _G })
    local fn = assert(loadfile("generator/lib/" .. name .. ".lua"))
    if setfenv then setfenv(fn, env) else fn = assert(load(support.read("generator/lib/" .. name .. ".lua"), "@" .. name, "t", env)) end
    return fn()
  end

  -- A table whose pairs gives its keys in insertion order, as the game's Lua does.
  local function ordered(pairs_list)
    local keys, t = {}, {}
    for i = 1, #pairs_list, 2 do keys[#keys + 1] = pairs_list[i]; t[pairs_list[i]] = pairs_list[i + 1] end
    return setmetatable(t, { __pairs = function(self)
      local i = 0
      return function()
        i = i + 1
        if keys[i] ~= nil then return keys[i], self[keys[i]] end
      end, self, nil
    end })
  end

  it("writes keys in the order pairs gives them (the game's insertion order), unsorted", function()
    local serialize = module("serialize")
    local t = ordered{ "zebra", 1, "apple", 2, "mango", ordered{ "y", true, "b", false } }
    assert.are.equal('return {\n  zebra = 1,\n  apple = 2,\n  mango = {\n    y = true,\n    b = false\n  }\n}\n', serialize.file(t))
  end)

  it("writes serpent.block's form: arrays first, quoted keys, exact numbers, infinities, shared tables in full", function()
    local serialize = module("serialize")
    local shared = { 1, 2 }
    local text = serialize.block{ "a", "b", ["end"] = 0.1, ["x-y"] = 1 / 0, n = -1 / 0, s = "l1\nl2", p = shared, q = shared, [10] = 5 }
    local back = load_text("return " .. text)
    assert.are.same({ "a", "b", ["end"] = 0.1, ["x-y"] = math.huge, n = -math.huge, s = "l1\nl2", p = { 1, 2 }, q = { 1, 2 }, [10] = 5 }, back)
    assert.truthy(text:find('^{\n  "a",\n  "b",\n'))
    assert.truthy(text:find('["end"] = 0.10000000000000001', 1, true))
    assert.truthy(text:find('["x-y"] = math.huge', 1, true))
    assert.truthy(text:find('[10] = 5', 1, true))
    assert.is_falsy(text:find("ref", 1, true))
    local loop = {}
    loop.self = loop
    assert.has_error(function() serialize.block(loop, "data.raw.item") end,
      "factorio-mocks-generator: a table contains itself at data.raw.item.self")
  end)

  it("computes adler32 as zlib does", function()
    local adler32 = module("adler32")
    assert.are.equal("00000001", adler32(""))
    assert.are.equal("11e60398", adler32("Wikipedia"))
    -- Long input: many blocks, sums past the modulus (Python's zlib.adler32 of 100,000 × "\255").
    assert.are.equal("149a302c", adler32(("\255"):rep(100000)))
  end)

  it("splits a long text into pieces for the mod-data prototype and back", function()
    local shared = module("shared")
    local text = ("0123456789"):rep(250000)
    local pieces = shared.split(text)
    assert.are.equal(3, #pieces)
    assert.are.equal(text, table.concat(pieces))
    assert.are.same({ "" }, shared.split(""))
  end)
end)

describe("LuaModData (prototypes.mod_data, the generator's road to the runtime)", function()
  local mod

  setup(function()
    mod = support.mod_dir("moddata-user", {
      ["data.lua"] = [[
data:extend{
  { type = "mod-data", name = "moddata-user-table", data_type = "moddata-user.things",
    data = { answer = 42, list = { "a", "b" }, nested = { deep = { x = 1.5 } } } },
  { type = "mod-data", name = "moddata-user-plain", data = {} },
}
]],
    })
  end)
  teardown(function() fm.teardown() end)

  it("reads data, data_type and get(key) from the mod-data prototype, as copies", function()
    fm.setup{ stage = "control", load_mods = { mod }, game_version = "2.0" }
    local md = prototypes.mod_data["moddata-user-table"]
    assert.are.equal("moddata-user-table", md.name)
    assert.are.equal("mod-data", md.type)
    assert.are.equal("moddata-user.things", md.data_type)
    assert.are.same({ answer = 42, list = { "a", "b" }, nested = { deep = { x = 1.5 } } }, md.data)
    assert.are.equal(42, md.get("answer"))
    assert.are.same({ deep = { x = 1.5 } }, md.get("nested"))
    assert.is_nil(md.get("missing"))
    -- A copy each time: changing it changes nothing.
    md.data.answer = 0
    md.get("list")[1] = "z"
    assert.are.equal(42, md.data.answer)
    assert.are.same({ "a", "b" }, md.data.list)
    assert.are.equal("", prototypes.mod_data["moddata-user-plain"].data_type)
    assert.are.same({}, prototypes.mod_data["moddata-user-plain"].data)
    assert.is_nil(prototypes.mod_data["nothing"])
  end)
end)
