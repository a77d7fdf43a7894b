-- Issue 13: the user's files are written with care, big inputs stay linear, and errors name the
-- option or argument at the caller's line, never our own files.

local fm = require("factorio_mocks")
local files = require("spec.support.files")

local SPEC = "spec/robustness_spec.lua"

local function error_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return tostring(err)
end

local function sh(command)
  local ok = os.execute(command)
  assert.is_truthy(ok == true or ok == 0, command)
end

local function capture(command)
  local p = assert(io.popen(command))
  local out = p:read("*a")
  p:close()
  return (out:gsub("%s+$", ""))
end

local function mode_of(path) return capture(("stat -c %%a %q"):format(path)) end

local function is_link(path) return capture(("test -L %q && echo link || echo file"):format(path)) == "link" end

local function temporaries(dir)
  return capture(("ls -A %q | grep '\\.tmp' || true"):format(dir))
end

describe("fm.setup's options", function()
  after_each(function() fm.teardown() end)

  it("names a misspelt option and the closest known one, at the caller's line", function()
    local err = error_of(function() fm.setup{ datset = "x" } end)
    assert.matches("^" .. SPEC .. ":%d+: fm%.setup: unknown option \"datset\"; did you mean \"dataset\"%?$", err)
    assert.matches("did you mean \"stage\"", error_of(function() fm.setup{ stgae = "data" } end), 1, true)
    assert.matches("did you mean \"load_mods\"", error_of(function() fm.setup{ loadmods = {} } end), 1, true)
    assert.matches("did you mean \"game_version\"", error_of(function() fm.setup{ gameversion = "2.0" } end), 1, true)
  end)

  it("lists the options when none is close, and refuses positional ones", function()
    local err = error_of(function() fm.setup{ colour = "red" } end)
    assert.matches("unknown option \"colour\"; the options are stage, dataset, into, mods, settings, locale, factorio_data, load_mods, mod_settings, game_version", err, 1, true)
    assert.matches("^" .. SPEC .. ":%d+: fm%.setup: options are named, not listed", error_of(function() fm.setup{ "data" } end))
  end)

  it("checks each option's type with a message naming it", function()
    local cases = {
      { "stage", 5, "option stage must be \"settings\", \"data\" or \"control\", got 5" },
      { "dataset", {}, "option dataset must be a dataset folder" },
      { "into", "x", "option into must be the table the globals go into (default _G), got \"x\"" },
      { "mods", "base", "option mods must be a table of active mods" },
      { "settings", 3, "option settings must be a table of startup setting values" },
      { "locale", "en", "option locale must be a list of language codes" },
      { "factorio_data", true, "option factorio_data must be the path of the game's data folder, got a boolean" },
      { "load_mods", ".", "option load_mods must be a list of mod folders or zips" },
      { "mod_settings", {}, "option mod_settings must be the path of a mod-settings.dat, got a table" },
      { "game_version", 2.1, "option game_version must be a game version such as \"2.0\" or \"2.1.9\", got 2.1" },
    }
    for _, case in ipairs(cases) do
      local name, value, says = case[1], case[2], case[3]
      local err = error_of(function() fm.setup{ [name] = value } end)
      assert.matches("^" .. SPEC .. ":%d+: fm%.setup: ", err)
      assert.matches(says, err, 1, true)
      assert.is_nil(err:find("factorio_mocks/", 1, true), err)
    end
    assert.matches("option locale[2] must be a language code", error_of(function() fm.setup{ locale = { "en", 5 } } end), 1, true)
    assert.matches("option mod_settings: /no/such/mod-settings.dat does not exist",
      error_of(function() fm.setup{ mod_settings = "/no/such/mod-settings.dat" } end), 1, true)
  end)

  it("keeps a NUL byte of a path in the message, escaped", function()
    for _, opts in ipairs({ { dataset = "/no/such\0dir" }, { load_mods = { "/no/such\0dir" } }, { mod_settings = "/no/such\0dir" } }) do
      local err = error_of(function() fm.setup(opts) end)
      assert.matches("/no/such\\0dir", err, 1, true)
      assert.matches("holds a NUL byte", err, 1, true)
    end
  end)

  it("gives setup errors without mlua's prefix or a traceback", function()
    local dir = files.write_tree({ ["prototype/data-raw.json"] = "{" })
    local err = error_of(function() fm.setup{ dataset = dir } end)
    assert.matches("^" .. SPEC .. ":%d+: ", err)
    assert.matches("data-raw.json:1:2: expected a string key", err, 1, true)
    assert.is_nil(err:find("runtime error", 1, true), err)
    assert.is_nil(err:find("stack traceback", 1, true), err)
  end)

  it("unwraps an error raised inside a Rust callback to its cause", function()
    local errors = require("factorio_mocks.errors")
    local wrapped = "callback error\nstack traceback:\n\t[C]: in ?\ncaused by: runtime error: mod-list.json:3:5: bad\0name"
    assert.are.equal("mod-list.json:3:5: bad\0name", errors.message(wrapped))
    assert.are.equal("plain", errors.message("runtime error: plain\nstack traceback:\n\t[C]: in ?"))
  end)
end)

describe("big inputs", function()
  it("fm.mods.load_order orders 8,000 mods (5.1 and LuaJIT ran out of Lua stack)", function()
    local mods = {}
    for i = 8000, 1, -1 do
      mods[#mods + 1] = { name = "mod-" .. i, version = "1.0.0", dependencies = { "base" } }
    end
    mods[#mods + 1] = { name = "base", version = "2.0.77", dependencies = {} }
    local order = fm.mods.load_order(mods)
    assert.are.equal(8001, #order)
    assert.are.equal("base", order[1].name)
    assert.are.equal("mod-1", order[2].name)
    assert.are.equal("mod-8000", order[8001].name)
    -- The very tables given come back.
    assert.are.equal(mods[#mods], order[1])
  end)

  it("fm.locale.parse reads 100,000 sections in linear time (it was quadratic: 9 s)", function()
    local function text_of(n)
      local parts = {}
      for i = 1, n do parts[i] = ("[section-%d]\nkey=value %d\n"):format(i, i) end
      return table.concat(parts) .. "[section-7]\nlater=again\n"
    end
    local function cpu(text)
      local started = os.clock()
      local parsed = fm.locale.parse(text, "big.cfg")
      return os.clock() - started, parsed
    end
    local small, big = text_of(10000), text_of(100000)
    cpu(small) -- warm
    local took_small = cpu(small)
    local took_big, parsed = cpu(big)
    -- Ten times the sections: linear is about 10x the time, quadratic 100x. A ratio in the same
    -- run, so a busy machine slows both alike.
    assert.is_true(took_big < 40 * math.max(took_small, 0.001),
      ("10x the sections took %.1fx the time (%.3f s against %.3f s)"):format(took_big / math.max(took_small, 1e-6), took_big, took_small))
    assert.are.equal("value 99999", parsed["section-99999"].key)
    assert.are.equal("again", parsed["section-7"].later)
  end)
end)

-- The two writers of files the game reads, with the same checks.
local writers = {
  ["fm.mod_settings.write"] = {
    name = "mod-settings.dat",
    write = function(path) fm.mod_settings.write(path, { startup = { ["fm-x"] = { value = true } } }) end,
    written = function(path) return fm.mod_settings.read(path).startup["fm-x"] ~= nil end,
  },
  ["ModList:save"] = {
    name = "mod-list.json",
    write = function(path)
      local list = fm.mod_list.load("fixtures/mod-list/mod-list.json")
      list:add("fm-x", { enabled = true })
      list:save(path)
    end,
    written = function(path) return fm.mod_list.load(path):exists("fm-x") end,
  },
}

for label, w in pairs(writers) do
  describe(label, function()
    local dir, path
    before_each(function()
      dir = files.temp_dir("user-files")
      path = dir .. "/" .. w.name
    end)
    after_each(function() sh(("chmod -R u+w %q && rm -rf %q"):format(dir, dir)) end)

    it("writes through a symbolic link to its target, which stays linked", function()
      sh(("mkdir -p %q/real && cp fixtures/mod-list/mod-list.json %q/real/%s && ln -s real/%s %q"):format(dir, dir, w.name, w.name, path))
      w.write(path)
      assert.is_true(is_link(path))
      assert.is_true(w.written(dir .. "/real/" .. w.name))
      assert.are.equal("", temporaries(dir) .. temporaries(dir .. "/real"))
    end)

    it("keeps the file's mode", function()
      w.write(path)
      sh(("chmod 640 %q"):format(path))
      w.write(path)
      assert.are.equal("640", mode_of(path))
    end)

    it("refuses a read-only file, saying so, and leaves it as it was", function()
      sh(("printf old > %q && chmod 444 %q"):format(path, path))
      local err = error_of(w.write, path)
      assert.matches(w.name, err, 1, true)
      assert.matches("read-only", err, 1, true)
      assert.are.equal("old", files.read(path))
      assert.are.equal("444", mode_of(path))
    end)

    it("removes the temporary files of a killed write", function()
      -- pid 2147483632 runs nowhere: a write killed before its rename left these.
      for _, stale in ipairs({ "." .. w.name .. ".tmp2147483632", "." .. w.name .. ".tmp2147483632-0" }) do
        local f = assert(io.open(dir .. "/" .. stale, "wb"))
        f:write("half")
        f:close()
      end
      w.write(path)
      assert.are.equal("", temporaries(dir))
      assert.is_true(w.written(path))
    end)
  end)
end
