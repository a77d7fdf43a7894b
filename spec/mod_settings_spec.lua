-- fm.mod_settings: read and write the game's mod-settings.dat.

local fm = require("factorio_mocks")

local FIXTURE = "fixtures/mod-settings/2.0-every-kind.dat"

local tmpname = require("spec.support.files").temp_path

local read_bytes = require("spec.support.files").read

describe("fm.mod_settings", function()
  describe("read", function()
    it("returns the game version and the three sections of {value = …} entries", function()
      local s = fm.mod_settings.read(FIXTURE)
      assert.are.equal("2.0.73.0", s.version)
      assert.are.same({ value = true }, s.startup["fm-bool"])
      assert.are.same({ value = "iron-plate" }, s.startup["fm-string"])
      assert.are.same({ value = 0.5 }, s.startup["fm-double"])
      assert.are.same({ value = "" }, s["runtime-global"]["fm-runtime"])
      assert.are.same({}, s["runtime-per-user"])
    end)

    it("gives dictionaries (a colour setting) as tables", function()
      local color = fm.mod_settings.read(FIXTURE).startup["fm-color"].value
      assert.are.same({ r = 1, g = 0, b = 0, a = 1 }, color)
    end)

    it("marks int64 and uint64 settings with their type and never rounds them", function()
      local s = fm.mod_settings.read(FIXTURE).startup
      assert.are.equal("int64", s["fm-int"].type)
      assert.are.equal(-42, s["fm-int"].value)
      -- 2^64 - 1 has no exact Lua number: it comes back as a decimal string.
      assert.are.equal("uint64", s["fm-big"].type)
      assert.are.equal("18446744073709551615", s["fm-big"].value)
    end)

    it("fails with the file name and the byte offset of a broken file", function()
      local path = tmpname()
      local f = assert(io.open(path, "wb"))
      f:write(read_bytes(FIXTURE):sub(1, 20))
      f:close()
      local ok, err = pcall(fm.mod_settings.read, path)
      os.remove(path)
      assert.is_false(ok)
      assert.matches("fm.mod_settings.read: " .. path:gsub("%p", "%%%0") .. ": offset 0x11: string bytes needs 7 bytes, 3 left", err)
    end)
  end)

  describe("write", function()
    it("writes what read gives back", function()
      local path = tmpname()
      fm.mod_settings.write(path, {
        version = "1.1.110.0",
        startup = {
          ["my-bool"] = { value = false },
          ["my-number"] = { value = 12.5 },
          ["my-int"] = { value = 7, type = "int64" },
          ["my-list"] = { value = { "a", "b" } },
        },
      })
      local s = fm.mod_settings.read(path)
      os.remove(path)
      assert.are.equal("1.1.110.0", s.version)
      assert.are.same({ value = false }, s.startup["my-bool"])
      assert.are.same({ value = 12.5 }, s.startup["my-number"])
      assert.are.same({ value = 7, type = "int64" }, s.startup["my-int"])
      assert.are.same({ value = { "a", "b" } }, s.startup["my-list"])
      assert.are.same({}, s["runtime-global"])
    end)

    it("takes int64 values beyond 2^53 as decimal strings", function()
      local path = tmpname()
      fm.mod_settings.write(path, { startup = { big = { value = "9007199254740993", type = "int64" } } })
      local big = fm.mod_settings.read(path).startup.big
      os.remove(path)
      assert.are.equal("int64", big.type)
      if math.type then
        assert.are.equal(9007199254740993, big.value) -- an integer on Lua 5.3+
      else
        assert.are.equal("9007199254740993", big.value)
      end
    end)

    it("round-trips the fixture's values", function()
      local path = tmpname()
      fm.mod_settings.write(path, fm.mod_settings.read(FIXTURE))
      assert.are.same(fm.mod_settings.read(FIXTURE), fm.mod_settings.read(path))
      os.remove(path)
    end)

    it("names the setting that cannot be written, and writes nothing", function()
      local path = tmpname()
      local ok, err = pcall(fm.mod_settings.write, path, { startup = { x = { value = print } } })
      assert.is_false(ok)
      assert.matches("fm.mod_settings.write: startup.x: a function cannot be stored in mod%-settings.dat", err)
      assert.is_nil(io.open(path, "rb"))
    end)
  end)
end)
