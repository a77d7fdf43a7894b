-- Messages a new user met (issue 15): each says what was wrong in the user's terms, after the
-- game's own words where the game has some.
local fm = require("factorio_mocks")
local files = require("spec.support.files")

local LUA = jit and "luajit" or ("lua" .. _VERSION:match("%d+%.%d+"))

-- The error `f` raises, as text.
local function error_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return tostring(err)
end

local function contains(text, part)
  assert(text:find(part, 1, true), ("%q\nlacks\n%q"):format(text, part))
end

describe("messages a new user meets", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  it("fm.tick(\"10\") says it got a string", function()
    local err = error_of(fm.tick, "10")
    contains(err, "fm.tick: expected a number of ticks (a non-negative integer), got string \"10\"")
    contains(error_of(fm.tick, -1), "got -1")
    contains(error_of(fm.tick, {}), "got table")
  end)

  it("fm.raise with a misspelt defines event says the event id is nil", function()
    local err = error_of(function() fm.raise(defines.events.on_tick_x, { tick = 0 }) end)
    contains(err, "messages_spec.lua:")                       -- at the test's line
    contains(err, "fm.raise: the event id is nil: a defines.events name that does not exist reads as nil")
    assert.is_nil(err:find("on_event", 1, true))            -- not LuaBootstrap.on_event's words
  end)

  describe("global in a 2.0 mod", function()
    local function mod(control)
      return files.mod_dir("uses-global", { ["control.lua"] = control })
    end

    it("in a handler: the game's words, then the hint that 2.0 renamed it storage", function()
      fm.load_control(mod("script.on_init(function() global.players = {} end)\n"))
      local err = error_of(fm.init)
      contains(err, "Error while running event uses-global::on_init()")
      -- Lua's own message, the game's: 5.1, 5.2, LuaJIT / 5.3, 5.4
      assert(err:find("attempt to index global 'global' (a nil value)", 1, true)
        or err:find("attempt to index a nil value (global 'global')", 1, true), err)
      contains(err, "`global` was renamed `storage` in Factorio 2.0")
    end)

    it("in control.lua itself", function()
      local err = error_of(fm.load_control, mod("local x = global.x\n"))
      contains(err, "__uses-global__/control.lua:1:")
      contains(err, "`global` was renamed `storage` in Factorio 2.0")
    end)

    it("reading `global` is nil, as in the game: a mod may test for it", function()
      fm.load_control(mod("script.on_init(function() storage.old = global == nil end)\n"))
      fm.init()
      assert.is_true(fm.storage("uses-global").old)
    end)
  end)

  describe("a misspelt prototype name", function()
    it("is nil through prototypes, as in the game", function()
      assert.is_nil(prototypes.recipe["iron-gear-whel"])
      assert.is_nil(prototypes.entity["iron-chestt"])
    end)

    it("fm.build suggests the closest name", function()
      fm.init()
      local p = fm.create_player{}
      local err = error_of(function() fm.build{ name = "iron-chestt", position = { 0, 0 }, player = p } end)
      contains(err, "messages_spec.lua:")
      contains(err, "fm.build: no entity prototype named 'iron-chestt' (did you mean 'iron-chest'?)")
      err = error_of(fm.build, { name = "qqqqqqqqqqqqqqqqqqqq", position = { 0, 0 }, player = p })
      contains(err, "no entity prototype named 'qqqqqqqqqqqqqqqqqqqq'")
      assert.is_nil(err:find("did you mean", 1, true))
    end)
  end)

  describe("fm.click", function()
    local p, button, clicks
    before_each(function()
      fm.init()
      p = fm.create_player{}
      button = p.gui.screen.add{ type = "button", name = "b" }
      clicks = {}
      script.on_event(defines.events.on_gui_click, function(e) clicks[#clicks + 1] = e end)
    end)

    it("takes the element's player, as the README shows it", function()
      fm.click(button, p)
      assert.are.equal(1, #clicks)
      assert.are.equal(p.index, clicks[1].player_index)
      assert.are.equal(defines.mouse_button_type.left, clicks[1].button)
    end)

    it("takes options", function()
      fm.click(button)
      fm.click(button, { button = defines.mouse_button_type.right, shift = true })
      assert.are.equal(2, #clicks)
      assert.are.equal(defines.mouse_button_type.right, clicks[2].button)
      assert.is_true(clicks[2].shift)
    end)

    it("refuses another player, an unknown option and other values", function()
      local q = fm.create_player{}
      contains(error_of(fm.click, button, q), "fm.click: the element belongs to player 1; give that player")
      contains(error_of(fm.click, button, { buton = 1 }), "fm.click: unknown option 'buton' (button, alt, control, shift)")
      contains(error_of(fm.click, button, "right"), "fm.click: expected options")
      assert.are.equal(0, #clicks)
    end)
  end)
end)

describe("a dataset name that is not a folder", function()
  it("says it was looked up as a modpack name and where, before the network's error", function()
    -- A process of its own: the modpack source is a closed port on loopback (no DNS, no network).
    local cache = files.temp_dir("messages-cache")
    local script_file = files.temp_path()
    local f = assert(io.open(script_file, "w"))
    f:write(([[
package.cpath = %q
local fm = require("factorio_mocks")
local ok, err = pcall(fm.setup, { stage = "data", dataset = "no-such-pack" })
io.write(tostring(err))
]]):format(package.cpath))
    f:close()
    local pipe = io.popen(("FACTORIO_MOCKS_CACHE_DIR=%q FACTORIO_MOCKS_SOURCE=oci://127.0.0.1:9/datasets %s %q 2>&1")
      :format(cache, LUA, script_file))
    local out = pipe:read("*a")
    pipe:close()
    os.remove(script_file)
    os.execute(("rm -rf %q"):format(cache))
    local pwd = os.getenv("PWD")
    local first = ('dataset "no-such-pack": there is no folder or file %s/no-such-pack, so it was looked up as a '
      .. "modpack name in oci://127.0.0.1:9/datasets (FACTORIO_MOCKS_SOURCE), and that failed: "):format(pwd)
    local at = out:find(first, 1, true)
    assert(at, out)
    assert.is_nil(out:sub(1, at):find("127.0.0.1:9", 1, true), out)   -- nothing of the network before it
    contains(out, "For a dataset folder, give its path")
  end)
end)
