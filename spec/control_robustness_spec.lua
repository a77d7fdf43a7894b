-- Issue 13, the control stage: objects of an ended session are invalid, fm.load stays linear in
-- storage's depth, numbers are checked against the integer types the API names, and errors
-- never name our own files.

local fm = require("factorio_mocks")

local SPEC = "spec/control_robustness_spec.lua"

local function error_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return tostring(err)
end

-- The largest heap (KB) seen while `f` runs, above the heap before it, sampled every 1,000
-- instructions.
local function peak_heap_of(f)
  collectgarbage("collect")
  local base = collectgarbage("count")
  local peak = base
  debug.sethook(function()
    local now = collectgarbage("count")
    if now > peak then peak = now end
  end, "", 1000)
  local ok, err = pcall(f)
  debug.sethook()
  assert(ok, err)
  return peak - base
end

local function deep_list(depth)
  local root = {}
  local t = root
  for _ = 1, depth do
    local inner = {}
    t[1] = inner
    t = inner
  end
  t[1] = "bottom"
  return root
end

local function depth_of(t)
  local n = 0
  while type(t) == "table" do t, n = t[1], n + 1 end
  return n - 1, t
end

describe("objects of an ended session", function()
  after_each(function() fm.teardown() end)

  it("are invalid after fm.teardown and a new fm.setup, as after the game's own reload", function()
    fm.setup{ stage = "control" }
    local p = fm.create_player{ name = "alice" }
    local surface = p.surface
    fm.teardown()
    fm.setup{ stage = "control" }
    assert.is_false(p.valid)
    assert.are.equal("LuaPlayer", p.object_name)
    assert.matches("^" .. SPEC .. ":%d+: LuaPlayer API call when LuaPlayer was invalid%.$",
      error_of(function() return p.name end))
    assert.matches("^" .. SPEC .. ":%d+: LuaSurface API call when LuaSurface was invalid%.$",
      error_of(function() return surface.create_entity{ name = "wooden-chest", position = { 0, 0 } } end))
    assert.are.equal(0, #game.surfaces[1].find_entities_filtered{ name = "wooden-chest" })
    -- The new session's own objects are fine.
    assert.is_true(fm.create_player{ name = "bob" }.valid)
    assert.is_true(game.surfaces[1].valid)
  end)

  it("are invalid after fm.teardown alone", function()
    fm.setup{ stage = "control" }
    local p = fm.create_player{ name = "alice" }
    fm.teardown()
    assert.is_false(p.valid)
    assert.matches("LuaPlayer API call when LuaPlayer was invalid%.$", error_of(function() p.teleport({ 1, 1 }) end))
  end)

  it("are invalid after fm.reset (a new game), and after a setup with the same options", function()
    fm.setup{ stage = "control" }
    local p = fm.create_player{ name = "alice" }
    local force = game.forces.player
    fm.reset()
    assert.is_false(p.valid)
    assert.is_false(force.valid)
    assert.is_true(game.forces.player.valid)
    local q = fm.create_player{ name = "carol" }
    fm.setup{ stage = "control" }
    assert.is_false(q.valid)
    assert.matches("LuaForce API call when LuaForce was invalid%.$", error_of(function() force.print("hi") end))
    assert.matches("LuaPlayer API call when LuaPlayer was invalid%.$", error_of(function() q.name = "x" end))
  end)

  it("stay valid across fm.load (a save and load of the same game)", function()
    fm.setup{ stage = "control" }
    local p = fm.create_player{ name = "alice" }
    storage.player = p
    fm.load()
    assert.is_true(storage.player.valid)
    assert.are.equal("alice", storage.player.name)
    assert.is_true(p.valid)
  end)
end)

describe("fm.load with a deep storage", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  it("round-trips a 20,000-deep list in linear memory, on_load included", function()
    storage.deep = deep_list(20000)
    local ran = false
    script.on_load(function() ran = true end)
    local kb = peak_heap_of(function() fm.load() end)
    assert.is_true(ran)
    local depth, bottom = depth_of(storage.deep)
    assert.are.equal(20000, depth)
    assert.are.equal("bottom", bottom)
    assert.is_true(kb < 50 * 1024, ("fm.load peaked at %.1f MB above its start"):format(kb / 1024))
  end)

  it("still names the path of a function deep in storage, and of a change in on_load", function()
    storage.a = { b = { c = function() end } }
    assert.has_error(function() fm.load() end,
      "fm.load: storage[\"a\"][\"b\"][\"c\"] is a function; functions can't be saved in storage")
    storage.a = { b = { 1, 2 } }
    script.on_load(function() storage.a.b[2] = 3 end)
    assert.has_error(function() fm.load() end,
      "Error while running event level::on_load()\nDetected modifications to the 'storage' table: storage[\"a\"][\"b\"][2] changed during on_load")
  end)

  it("names a function 20,000 levels down", function()
    local list = deep_list(20000)
    local t = list
    for _ = 1, 20000 do t = t[1] end
    t[1] = print
    storage.deep = list
    local err = error_of(function() fm.load() end)
    assert.are.equal("fm.load: storage[\"deep\"]" .. ("[1]"):rep(20001) .. " is a function; functions can't be saved in storage", err)
  end)
end)

describe("numbers the API describes as integers", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  it("refuse a size beyond create_inventory's uint16, in the game's words", function()
    assert.matches("^" .. SPEC .. ":%d+: Given size value %(100000000%) is too big, allowed values are from 0 to 65535$",
      error_of(function() game.create_inventory(1e8) end))
    assert.matches("Given size value %(65536%) is too big, allowed values are from 0 to 65535$",
      error_of(function() game.create_inventory(65536) end))
    assert.matches("Given size value %(%-1%) is too small, allowed values are from 0 to 65535$",
      error_of(function() game.create_inventory(-1) end))
    assert.matches("Given size value %(inf%) is too big, allowed values are from 0 to 65535$",
      error_of(function() game.create_inventory(math.huge) end))
    assert.are.equal(65535, #game.create_inventory(65535))
    assert.are.equal(0, #game.create_inventory(0))
  end)

  it("refuse NaN and fractions", function()
    assert.matches("^" .. SPEC .. ":%d+: 'size': real number expected got nan%.$",
      error_of(function() game.create_inventory(0 / 0) end))
    assert.matches("^" .. SPEC .. ":%d+: bad argument #1 %(size%) to 'LuaGameScript%.create_inventory' %(number has no integer representation%)$",
      error_of(function() game.create_inventory(1.5) end))
    assert.are.equal(3, #game.create_inventory(3.0))
  end)

  it("check a table parameter's integer fields, a written attribute and a double", function()
    local p = fm.create_player{ name = "alice" }
    assert.matches("^" .. SPEC .. ":%d+: Given time_to_live value %(%-1%) is too small, allowed values are from 0 to 4294967295$",
      error_of(function() p.create_local_flying_text{ text = "x", position = { 0, 0 }, time_to_live = -1 } end))
    assert.matches("^" .. SPEC .. ":%d+: LuaPlayer%.create_local_flying_text: bad parameter 'time_to_live': number has no integer representation$",
      error_of(function() p.create_local_flying_text{ text = "x", position = { 0, 0 }, time_to_live = 2.5 } end))
    assert.matches("^" .. SPEC .. ":%d+: Given seed value %(4294967296%) is too big, allowed values are from 0 to 4294967295$",
      error_of(function() game.create_random_generator(2 ^ 32) end))
    p.cursor_stack.set_stack{ name = "iron-plate", count = 5 }
    assert.matches("^" .. SPEC .. ":%d+: Given count value %(%-1%) is too small, allowed values are from 0 to 4294967295$",
      error_of(function() p.cursor_stack.count = -1 end))
    assert.matches("^" .. SPEC .. ":%d+: real number expected got nan%.$",
      error_of(function() game.speed = 0 / 0 end))
    game.speed = 2.5
    assert.are.equal(2.5, game.speed)
  end)

  it("take math.huge as the largest MapTick (a uint64: Friday Facts #388)", function()
    assert.is_nil(require("factorio_mocks.control.classes").check_type(math.huge, "MapTick"))
    assert.is_nil(require("factorio_mocks.control.classes").check_type(2 ^ 53, "uint64"))
    assert.is_not_nil(require("factorio_mocks.control.classes").check_type(-1, "MapTick"))
  end)
end)

describe("indexing an API object with a key that is no name", function()
  local entity
  before_each(function()
    fm.setup{ stage = "control" }
    entity = game.surfaces[1].create_entity{ name = "wooden-chest", position = { 0, 0 } }
  end)
  after_each(function() fm.teardown() end)

  it("says the object doesn't contain it, at the caller's line", function()
    assert.matches("^" .. SPEC .. ":%d+: LuaEntity doesn't contain key nil%.$", error_of(function() return entity[nil] end))
    assert.matches("^" .. SPEC .. ":%d+: LuaEntity doesn't contain key nan%.$", error_of(function() return entity[0 / 0] end))
    assert.matches("^" .. SPEC .. ":%d+: LuaEntity doesn't contain key table%.$", error_of(function() return entity[{}] end))
    assert.matches("^" .. SPEC .. ":%d+: LuaEntity doesn't contain key true%.$", error_of(function() return entity[true] end))
    assert.matches("^" .. SPEC .. ":%d+: LuaEntity doesn't contain key nil%.$", error_of(function() entity[nil] = 1 end))
    assert.matches("^" .. SPEC .. ":%d+: LuaEntity doesn't contain key nan%.$", error_of(function() entity[0 / 0] = 1 end))
  end)

  it("in classes with an index operator too", function()
    local inventory = game.create_inventory(2)
    assert.matches("^" .. SPEC .. ":%d+: LuaInventory doesn't contain key nil%.$", error_of(function() return inventory[nil] end))
    assert.matches("^" .. SPEC .. ":%d+: LuaInventory doesn't contain key nan%.$", error_of(function() return inventory[0 / 0] end))
    assert.matches("^" .. SPEC .. ":%d+: LuaCustomTable doesn't contain key nil%.$", error_of(function() return game.players[nil] end))
    assert.matches("^" .. SPEC .. ":%d+: LuaCustomTable doesn't contain key nan%.$", error_of(function() return game.players[0 / 0] end))
    assert.is_not_nil(game.create_inventory(2)[1])
  end)

  it("keeps a NUL byte in the key and in a handler's error, on every Lua", function()
    local err = error_of(function() return entity["a\0b"] end)
    assert.are.equal("LuaEntity doesn't contain key a\0b.", err:match("LuaEntity.*$"))
    script.on_event(defines.events.on_tick, function() error("bad\0tail", 0) end)
    err = error_of(function() fm.tick() end)
    assert.are.equal("Error while running event level::on_tick (ID 0)\nbad\0tail", err)
  end)
end)

describe("deep tables given to the control stage's serialisers", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  it("helpers.table_to_json refuses a table nested deeper than json_to_table reads (200 levels), naming no file of ours", function()
    local err = error_of(function() helpers.table_to_json(deep_list(20000)) end)
    assert.matches("LuaHelpers%.table_to_json: the table is nested deeper than 200 levels$", err)
    assert.is_nil(err:find("factorio_mocks/", 1, true))
    assert.matches("nested deeper than 200 levels$", error_of(function() helpers.table_to_json(deep_list(200)) end))
    local text = helpers.table_to_json(deep_list(199))
    assert.are.same(deep_list(199), helpers.json_to_table(text))
    local cycle = {}
    cycle.self = cycle
    assert.matches("contains itself", error_of(function() helpers.table_to_json(cycle) end))
    local shared = deep_list(150)
    assert.are.equal(2 * #helpers.table_to_json(shared) + #'{"a":,"b":}', #helpers.table_to_json{ a = shared, b = shared })
  end)

  it("serpent writes a 20,000-deep list in linear memory, and any depth without a stack overflow", function()
    local text
    local kb = peak_heap_of(function() text = serpent.line(deep_list(20000)) end)
    assert.are.equal(("{"):rep(20001) .. '"bottom"' .. ("}"):rep(20001), text)
    assert.is_true(kb < 50 * 1024, ("serpent.line peaked at %.1f MB above its start"):format(kb / 1024))
    -- block's indentation makes its text quadratic in depth, as serpent's own.
    local block = serpent.block(deep_list(2000))
    local _, opened = block:gsub("{", "")
    assert.are.equal(2001, opened)
    assert.are.equal(serpent.line(deep_list(50)), serpent.line(select(2, serpent.load(serpent.dump(deep_list(50))))))
  end)
end)
