-- string.pack, string.unpack and string.packsize exist on every Lua, as in the game's Lua 5.2
-- (which has them from Lua 5.3). On 5.3 and 5.4 these specs run the native functions, so every
-- expected value here is Lua's own; on 5.1, 5.2 and LuaJIT they run the module's.
local fm = require("factorio_mocks")
local files = require("spec.support.files")

local unpack = table.unpack or unpack
local NATIVE = _VERSION == "Lua 5.3" or _VERSION == "Lua 5.4"

--- The message of the error `f` raises, without its `file:line: ` prefix. The calls in `f`s
--- are not tail calls: LuaJIT's tail calls to C functions leave no caller to name (see below).
local function error_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok)
  return (tostring(err):gsub("^[^:]*:%d+: ", ""))
end

describe("string.pack", function()
  it("exists on every Lua, and stays native where Lua has it", function()
    for _, name in ipairs({ "pack", "unpack", "packsize" }) do
      assert.is_function(string[name])
      -- Both are C functions; the module's carries its Rust half as an upvalue.
      assert.are.equal(NATIVE and 0 or 1, debug.getinfo(string[name], "u").nups)
    end
  end)

  it("makes the bytes Lua 5.3 makes", function()
    local cases = {
      { "\1\0\0\0", "<i4", 1 },
      { "\1\2", ">I2", 258 },
      { "\254\255", "<i2", -2 },
      { "\128", "b", -128 },
      { "\255", "B", 255 },
      { "\0\0\0\0\0\0\0\1", ">j", 1 },
      { "\255\255\255\255\255\255\255\255", "<J", -1 },
      { ("\255"):rep(16), "<i16", -1 },
      { "\0\0\0\0\0\0\0\0\1", ">I9", 1 },
      { "\3\2\1", "<I3", 0x010203 },
      { "ab\0", "z", "ab" },
      { "\2hi", "s1", "hi" },
      { "\2\0hi", "<s2", "hi" },
      { "\2\0\0\0\0\0\0\0hi", "<s", "hi" },
      { "ab\0", "c3", "ab" },
      { "", "c0", "" },
      { "\0\0\0\0\0\0\240\63", "<d", 1 },
      { "\192\4\0\0\0\0\0\0", ">d", -2.5 },
      { "\0\0\0\63", "<f", 0.5 },
      { "\63\240\0\0\0\0\0\0", ">n", 1 },
      { "\0", "x" },
      { "\1\0\2", "b x b", 1, 2 },
      { "\1\2\0\0\0", "<b i4", 1, 2 },                  -- no alignment without '!'
      { "\1\0\0\0\2\0\0\0", "!<b i4", 1, 2 },           -- '!' aligns i4 to 4
      { "\1\0\2\0\0\0\0\0\0\0", "!2<b i8", 1, 2 },      -- '!2' caps alignment at 2
      { "\1\0\0\0\2", "!<b Xi4 b", 1, 2 },              -- 'Xi4' pads like i4 and packs nothing
      { "\1ab", "!<b c2", 1, "ab" },                    -- c never aligns
      { "\1\0\0\0", "<i4", "1" },                       -- numeric strings are numbers
    }
    for _, case in ipairs(cases) do
      assert.are.equal(case[1], string.pack(select(2, unpack(case))), case[2])
    end
  end)

  it("reads back what it packs, for every option", function()
    local cases = {
      { "<i4 >I2 b B h H l L j J T", -5, 258, -1, 200, -300, 60000, -7, 7, -9, 9, 3 },
      { "i1 i2 i3 i5 i7 I1 I3 I6 I8 i9 i16", -1, 1, -70000, 1e10, -1e15, 255, 1, 2, 3, -4, 5 },
      { "=i4 <i4 >i4 !4 i4", 1, 2, 3, 4 },
      { "f d n", 0.25, 1e300, -1.5 },
      { "z s1 s c5", "hello", "x", "", "abcde" },
      { "!8 b d b j x Xi2 i2", 1, 2.5, 3, 4, 5 },
    }
    for _, case in ipairs(cases) do
      local fmt = case[1]
      local packed = string.pack(unpack(case))
      local back = { string.unpack(fmt, packed) }
      assert.are.equal(#packed + 1, table.remove(back), fmt)
      assert.are.same({ select(2, unpack(case)) }, back, fmt)
    end
  end)

  it("unpacks integers to numbers that equal the integers", function()
    assert.are.equal(-1, (string.unpack("<J", ("\255"):rep(8))))   -- wraps as Lua 5.3's integers do
    assert.are.equal(-1, (string.unpack("<i9", ("\255"):rep(9))))   -- sign extension fits
    assert.are.equal(2 ^ 53, (string.unpack("<j", string.pack("<j", 2 ^ 53))))
    assert.are.equal(0.1, (string.unpack("d", string.pack("d", 0.1))))
    assert.are_not.equal(0.1, (string.unpack("f", string.pack("f", 0.1))))   -- f is single precision
  end)
end)

describe("string.unpack", function()
  it("starts at init, counting negatives from the end, and returns the next position", function()
    assert.are.same({ 2, 3 }, { string.unpack("b", "\1\2\3", 2) })
    assert.are.same({ 3, 4 }, { string.unpack("b", "\1\2\3", -1) })
    assert.are.same({ 1, 2 }, { string.unpack("b", "\1\2\3", -3) })
    assert.are.same({ 4 }, { string.unpack("", "abc", 4) })
    assert.are.same({ "ab", "c", 6 }, { string.unpack("zz", "ab\0c\0") })
    assert.are.same({ "hi", 4 }, { string.unpack("s1", "\2hi") })
    -- Alignment counts from the start of the data, not from init.
    assert.are.same({ 5, 5 }, { string.unpack("!<i2", "\0\0\5\0\0", 2) })
  end)

  it("walks a record stream with the returned position", function()
    local stream = string.pack("<s1 i4", "a", 1) .. string.pack("<s1 i4", "bc", 2)
    local seen, pos = {}, 1
    while pos <= #stream do
      local name, value
      name, value, pos = string.unpack("<s1 i4", stream, pos)
      seen[#seen + 1] = name .. "=" .. value
    end
    assert.are.same({ "a=1", "bc=2" }, seen)
  end)
end)

describe("string.packsize", function()
  it("adds sizes and alignment", function()
    assert.are.equal(0, string.packsize(""))
    assert.are.equal(4, string.packsize("i"))
    assert.are.equal(1 + 2 + 4 + 8 + 8 + 8 + 4 + 8 + 8, string.packsize("b h i l j T f d n"))
    assert.are.equal(27, string.packsize("i16 c10 x"))
    assert.are.equal(16, string.packsize("!b d"))
    assert.are.equal(12, string.packsize("!4 b d"))
    assert.are.equal(8, string.packsize("!b Xd"))
    assert.are.equal(#string.pack("!<b h b i4 d", 1, 2, 3, 4, 5), string.packsize("!<b h b i4 d"))
  end)
end)

describe("string.pack errors", function()
  it("are Lua 5.3's words for bad formats", function()
    local cases = {
      { "invalid format option 'y'", "y" },
      { "integral size (17) out of limits [1,16]", "i17" },
      { "integral size (0) out of limits [1,16]", "I0" },
      { "integral size (17) out of limits [1,16]", "!17" },
      { "missing size for format option 'c'", "c" },
      { "bad argument #1 to 'pack' (invalid next option for option 'X')", "X" },
      { "bad argument #1 to 'pack' (invalid next option for option 'X')", "Xc1" },
      { "bad argument #1 to 'pack' (format asks for alignment not power of 2)", "!3 i4" },
    }
    for _, case in ipairs(cases) do
      assert.are.equal(case[1], error_of(function() local _ = string.pack(case[2], 1, 1) end), case[2])
    end
  end)

  it("are Lua 5.3's words for bad values, naming the argument", function()
    local cases = {
      { "bad argument #2 to 'pack' (integer overflow)", "i1", 200 },
      { "bad argument #3 to 'pack' (integer overflow)", "b b", 1, 128 },
      { "bad argument #2 to 'pack' (integer overflow)", "x b", -129 },
      { "bad argument #2 to 'pack' (unsigned overflow)", "I2", -1 },
      { "bad argument #2 to 'pack' (number has no integer representation)", "i4", 1.5 },
      { "bad argument #2 to 'pack' (number expected, got nil)", "i4" },
      { "bad argument #2 to 'pack' (number expected, got table)", "d", {} },
      { "bad argument #2 to 'pack' (string expected, got boolean)", "z", true },
      { "bad argument #2 to 'pack' (string longer than given size)", "c2", "abc" },
      { "bad argument #2 to 'pack' (string contains zeros)", "z", "a\0b" },
      { "bad argument #2 to 'pack' (string length does not fit in given size)", "s1", ("x"):rep(256) },
    }
    for _, case in ipairs(cases) do
      assert.are.equal(case[1], error_of(function() local _ = string.pack(select(2, unpack(case))) end), case[2])
    end
  end)

  it("are Lua 5.3's words in unpack and packsize", function()
    local cases = {
      { "bad argument #2 to 'unpack' (data string too short)", "unpack", "i4", "abc" },
      { "bad argument #2 to 'unpack' (data string too short)", "unpack", "s1", "\5abc" },
      { "bad argument #3 to 'unpack' (initial position out of string)", "unpack", "i4", "abcd", 6 },
      { "bad argument #2 to 'unpack' (string expected, got nil)", "unpack", "i4", nil },
      { "9-byte integer does not fit into Lua Integer", "unpack", "<i9", "\255\255\255\255\255\255\255\255\1" },
      { "bad argument #1 to 'packsize' (variable-length format)", "packsize", "s4" },
      { "bad argument #1 to 'packsize' (variable-length format)", "packsize", "z" },
      { "bad argument #1 to 'packsize' (format result too large)", "packsize", ("c1000000000"):rep(3) },
    }
    for _, case in ipairs(cases) do
      -- Called by name: Lua names the function in the message as the call site spells it.
      local call = case[2] == "unpack" and function() local _ = string.unpack(case[3], case[4], case[5]) end
        or function() local _ = string.packsize(case[3]) end
      assert.are.equal(case[1], error_of(call), case[2] .. " " .. case[3])
    end
  end)

  it("blame the caller's line, as Lua's own errors do", function()
    local line = debug.getinfo(1, "l").currentline
    local _, err = pcall(function() string.pack("i1", 300) end)
    assert.matches("string_pack_spec.lua:" .. line + 1 .. ": bad argument #2 to 'pack' (integer overflow)", err, 1, true)
  end)

  it("read in a tail call as a native function's do", function()
    -- Lua 5.1-5.4 still name the caller's line and the function; LuaJIT names neither ('?').
    local line = debug.getinfo(1, "l").currentline
    local _, ours = pcall(function() return string.unpack("i4", "") end)
    local _, native = pcall(function() return string.rep() end)
    if native:find("^bad argument #1 to '%?'") then
      assert.are.equal("bad argument #2 to '?' (data string too short)", ours)
    else
      assert.matches("string_pack_spec.lua:" .. line + 1 .. ": bad argument #2 to 'unpack' (data string too short)", ours, 1, true)
    end
  end)

  it("start 5.3's way at a negative init before the data (5.4 clips it to 1)", function()
    if _VERSION == "Lua 5.4" then return end
    assert.are.equal("bad argument #3 to 'unpack' (initial position out of string)",
      error_of(function() local _ = string.unpack("i4", "abcd", -5) end))
  end)

  it("name the function and count arguments as it was called", function()
    local p = string.pack
    assert.are.equal("bad argument #2 to 'p' (integer overflow)", error_of(function() p("i1", 300) end))
    assert.are.equal("bad argument #1 to 'pack' (integer overflow)", error_of(function() local _ = ("i1"):pack(300) end))
  end)
end)

describe("string.pack in mods", function()
  after_each(function() fm.teardown() end)

  it("works at file scope in the settings and data stages of fm.run_stage", function()
    local dir = files.mod_dir("packer", {
      ["settings.lua"] = '_G.packed_in_settings = string.pack(">I2", 258)',
      ["data.lua"] = [[
        local header = string.pack("<i4 z", 7, "gear")
        local count, name = string.unpack("<i4 z", header)
        _G.packed_in_data = { count = count, name = name, size = string.packsize("<i4 d") }
      ]],
    })
    fm.setup{ stage = "data" }
    fm.run_stage{ stage = "data", mods = { dir } }
    assert.are.equal("\1\2", _G.packed_in_settings)
    assert.are.same({ count = 7, name = "gear", size = 12 }, _G.packed_in_data)
    _G.packed_in_settings, _G.packed_in_data = nil, nil
  end)

  it("fails at the mod's line", function()
    local dir = files.mod_dir("packer", { ["data.lua"] = 'local ok = true\nlocal header = string.pack("i1", 300)' })
    fm.setup{ stage = "data" }
    local ok, err = pcall(fm.run_stage, { stage = "data", mods = { dir } })
    assert.is_false(ok)
    assert.matches("__packer__/data.lua:2: bad argument #2 to 'pack' (integer overflow)", err, 1, true)
  end)

  it("stays after fm.teardown, as it does not belong to a stage", function()
    fm.setup{ stage = "control" }
    fm.teardown()
    assert.are.equal("\2hi", string.pack("s1", "hi"))
  end)
end)
