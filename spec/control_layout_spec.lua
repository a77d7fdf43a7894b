-- One place per class (issue 12): the hand-written behaviour of a runtime class is written in
-- lua/factorio_mocks/control/classes/<Class>.lua, or in the file of the small family
-- control/init.lua's class_files lists it in, so a newcomer finds LuaPlayer.teleport in
-- classes/LuaPlayer.lua. Checked on the functions themselves: where each registered get, set,
-- call and operator was defined.
local fm = require("factorio_mocks")

describe("the control stage's layout", function()
  local classes, class_files

  setup(function()
    -- control/init.lua requires every class file (not every factorio_mocks.control.* module: a
    -- module built into an older library may be gone from lua/).
    fm.setup{ stage = "control" }
    classes = require("factorio_mocks.control.classes")
    class_files = require("factorio_mocks.control").class_files
  end)
  teardown(function() fm.teardown() end)

  it("writes each class's behaviour in control/classes/<the class or its family>.lua", function()
    local file_of = {}
    for _, family in ipairs(class_files) do
      for _, class in ipairs(family) do
        assert.is_nil(file_of[class], class .. " is listed in two families")
        file_of[class] = family[1]
      end
    end
    local wrong = {}
    for class, impl in pairs(classes.impls()) do
      local want = "@factorio_mocks/control/classes/" .. (file_of[class] or class) .. ".lua"
      local function check(what, fn)
        if type(fn) ~= "function" then return end
        local source = debug.getinfo(fn, "S").source
        if source ~= want then wrong[#wrong + 1] = ("%s %s: in %s, not %s"):format(class, what, source, want) end
      end
      for key, value in pairs(impl) do
        if key == "get" or key == "set" or key == "call" then
          for member, fn in pairs(value) do check(key .. " " .. member, fn) end
        else
          check(key, value)   -- operators: index, newindex, len, pairs, attribute, callable
        end
      end
    end
    table.sort(wrong)
    assert.are.same({}, wrong)
  end)

  it("lists only classes that have behaviour", function()
    local impls, empty = classes.impls(), {}
    for _, family in ipairs(class_files) do
      for _, class in ipairs(family) do
        local impl, any = impls[class], false
        for key, value in pairs(impl or {}) do
          if type(value) == "function" or next(value) then any = true end
        end
        if not any then empty[#empty + 1] = class end
      end
    end
    assert.are.same({}, empty)
  end)
end)
