local fm = require("factorio_mocks")

describe("serpent", function()
  local serpent
  setup(function() fm.setup{ stage = "data" }; serpent = _G.serpent end)
  teardown(function() fm.teardown() end)

  local sample = { 1, 2, "three", name = "x", ["with-dash"] = true, nested = { a = 0.5, b = { -3 } }, [10] = "ten" }

  it("writes block with sorted keys, two-space indent and no comments, as the game does", function()
    assert.are.equal('{\n  a = 1,\n  b = {\n    "x"\n  }\n}', serpent.block({ b = { "x" }, a = 1 }))
    assert.are.equal("{}", serpent.block({}))
  end)

  it("writes line on one line", function()
    assert.are.equal('{1, 2, ["end"] = true, x = "y"}', serpent.line({ 1, 2, x = "y", ["end"] = true }))
  end)

  it("writes dump as a chunk that rebuilds the value", function()
    assert.are.equal('do local _={1,a={b="x\\ny"}};return _;end', serpent.dump({ 1, a = { b = "x\ny" } }))
  end)

  it("round-trips what it writes through load", function()
    for _, write in ipairs({ serpent.block, serpent.line, serpent.dump }) do
      local ok, copy = serpent.load(write(sample))
      assert.is_true(ok)
      assert.are.same(sample, copy)
    end
    local ok, copy = serpent.load(serpent.block(data.raw.recipe["iron-gear-wheel"]))
    assert.is_true(ok)
    assert.are.same(data.raw.recipe["iron-gear-wheel"], copy)
  end)

  it("keeps infinities and awkward strings", function()
    local value = { math.huge, -math.huge, "quote \" and \\ and \n newline", 0.1 }
    local ok, copy = serpent.load(serpent.line(value))
    assert.is_true(ok)
    assert.are.same(value, copy)
  end)

  it("stops at maxlevel", function()
    assert.are.equal("{a = {}}", serpent.line({ a = { b = 1 } }, { maxlevel = 1 }))
  end)

  it("refuses to call functions while loading", function()
    local ok, err = serpent.load("{os.exit()}")
    assert.is_false(ok)
    assert.matches("cannot call functions", err)
  end)
end)
