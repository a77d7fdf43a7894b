-- element.style is a LuaStyle, as in the game: writable fields read back what was written,
-- the rest reads from the style prototypes of the dataset (data.raw["gui-style"]).
local fm = require("factorio_mocks")

describe("LuaGuiElement.style", function()
  local frame
  before_each(function()
    fm.setup{ stage = "control" }
    frame = fm.create_player{ name = "alice" }.gui.screen.add{ type = "frame", name = "main" }
  end)
  after_each(function() fm.teardown() end)

  it("is a LuaStyle named after the element's style", function()
    assert.are.equal("LuaStyle", frame.style.object_name)
    assert.are.equal("frame", frame.style.name)
    assert.are.equal("button", frame.add{ type = "button" }.style.name)
    assert.are.equal("frame_title", frame.add{ type = "label", style = "frame_title" }.style.name)
  end)

  it("reads back what a mod wrote", function()
    local style = frame.style
    style.minimal_width = 300
    style.horizontally_stretchable = true
    style.font = "default-bold"
    assert.are.equal(300, style.minimal_width)
    assert.is_true(style.horizontally_stretchable)
    assert.are.equal("default-bold", frame.style.font)   -- a second read sees the same style
  end)

  it("reads colors back as {r, g, b, a}, 0–255 values scaled to 0–1", function()
    frame.style.font_color = { 1, 0.5, 0 }
    assert.are.same({ r = 1, g = 0.5, b = 0, a = 1 }, frame.style.font_color)
    frame.style.font_color = { r = 255, g = 0, b = 0 }
    assert.are.same({ r = 1, g = 0, b = 0, a = 1 }, frame.style.font_color)
  end)

  it("sets several fields from width, height, size, padding and margin, which are write-only", function()
    local style = frame.style
    style.width = 200
    assert.are.same({ 200, 200 }, { style.minimal_width, style.maximal_width })
    style.size = { 40, 24 }
    assert.are.same({ 40, 40, 24, 24 }, { style.minimal_width, style.maximal_width, style.minimal_height, style.maximal_height })
    style.padding = { 4, 8 }   -- top/bottom, left/right
    assert.are.same({ 4, 8, 4, 8 }, { style.top_padding, style.right_padding, style.bottom_padding, style.left_padding })
    style.margin = { 1, 2, 3, 4 }   -- top, right, bottom, left
    assert.are.same({ 1, 2, 3, 4 }, { style.top_margin, style.right_margin, style.bottom_margin, style.left_margin })
    assert.has_error(function() return style.width end, "LuaStyle::width is write only.")
  end)

  it("reads what nothing wrote from the style prototype and its parents", function()
    assert.are.equal(8, frame.style.left_padding)            -- frame
    assert.are.equal(28, frame.add{ type = "button" }.style.minimal_height)   -- button
    local title = frame.add{ type = "label", style = "frame_title" }
    assert.are.equal("heading-1", title.style.font)           -- frame_title
    assert.is_true(title.style.single_line)                   -- from its parent, label
  end)

  it("fails for a field no style in the chain sets: the engine's defaults are not mocked", function()
    assert.has_error(function() return frame.style.badge_font end,
      "not mocked: LuaStyle.badge_font (style frame and its parents in data.raw don't set it)")
  end)

  it("fails like the game for unknown keys, wrong types and unknown styles", function()
    assert.has_error(function() return frame.style.colour end, "LuaStyle doesn't contain key colour.")
    assert.has_error(function() frame.style.colour = 1 end, "LuaStyle doesn't contain key colour.")
    -- LuaStyle::name is read only in 2.0; 2.1's description makes it writable.
    if fm.game_version():match("^2%.0") then
      assert.has_error(function() frame.style.name = "x" end, "LuaStyle::name is read only.")
    end
    assert.has_error(function() frame.style.minimal_width = "wide" end, "number expected, got string")
    assert.has_error(function() frame.add{ type = "label", style = "no_such_style" } end, "Unknown style no_such_style")
    assert.has_error(function() frame.style = "no_such_style" end, "Unknown style no_such_style")
  end)

  it("starts over when the element gets another style", function()
    local label = frame.add{ type = "label" }
    local style = label.style
    style.font = "default-bold"
    label.style = "frame_title"
    assert.are.equal("frame_title", style.name)   -- the LuaStyle follows its element
    assert.are.equal("heading-1", style.font)     -- what was written is gone
  end)
end)
