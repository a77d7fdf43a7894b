-- The mocks' surface against the 2.0.77 runtime API description: behaviour registered for a
-- member the description lacks is never reached (a mod reading it gets "doesn't contain key"),
-- and an event the description has must have a defines.events id for a mod to subscribe to it.
local fm = require("factorio_mocks")

describe("the control stage's API surface", function()
  local classes

  setup(function()
    fm.setup{ stage = "control" }
    -- Every control module registers its behaviour when required; some are required lazily.
    for name in pairs(package.preload) do
      if name:find("^factorio_mocks%.control%.") then require(name) end
    end
    classes = require("factorio_mocks.control.classes")
  end)
  teardown(function() fm.teardown() end)

  it("registers behaviour only for members of the API description, of the right kind", function()
    local wrong = {}
    for _, r in ipairs(classes.registered()) do
      local kind, mode = classes.member(r.class, r.key)
      local where = ("%s.%s %s"):format(r.class, r.key, r.kind)
      if kind == "unknown" then
        wrong[#wrong + 1] = where .. ": no such member in 2.0.77"
      elseif r.kind == "call" and kind ~= "method" then
        wrong[#wrong + 1] = where .. ": an attribute, registered as a method"
      elseif r.kind ~= "call" and kind ~= "attribute" then
        wrong[#wrong + 1] = where .. ": a method, registered as an attribute"
      elseif r.kind == "set" and not mode:find("w") then
        wrong[#wrong + 1] = where .. ": read only"
      elseif r.kind == "get" and not mode:find("r") then
        wrong[#wrong + 1] = where .. ": write only"
      end
    end
    assert.are.same({}, wrong)
  end)

  it("gives every event of the API description a defines.events id", function()
    local missing = {}
    for name in pairs(classes.api.events) do
      -- CustomInputEvent is the payload of custom inputs, whose ids are their names' events.
      if name ~= "CustomInputEvent" and defines.events[name] == nil then missing[#missing + 1] = name end
    end
    table.sort(missing)
    assert.are.same({}, missing)
  end)

  it("keeps the dump's ids and gives the events it lacks new ones after them", function()
    assert.are.equal(0, defines.events.on_tick)
    assert.are.equal(221, defines.events.on_cargo_pod_started_ascending)
    assert.are.equal(230, defines.events.on_tower_planted_seed)
    local seen = {}
    for name, id in pairs(defines.events) do
      assert.is_nil(seen[id], ("%s and %s share id %d"):format(tostring(seen[id]), name, id))
      seen[id] = name
    end
  end)

  describe("members that were registered under the wrong kind or name", function()
    before_each(function() fm.reset() end)

    it("game.is_multiplayer() is a method: false in a test", function()
      assert.is_false(game.is_multiplayer())
    end)

    it("LuaTechnology.saved_progress reads 0 and keeps what is written in [0, 1)", function()
      local tech = game.forces.player.technologies["automation"]
      assert.are.equal(0, tech.saved_progress)
      tech.saved_progress = 0.25
      assert.are.equal(0.25, tech.saved_progress)
      assert.has_error(function() tech.saved_progress = 1 end)
      assert.has_error(function() return tech.research_progress end, "LuaTechnology doesn't contain key research_progress.")
    end)

    it("LuaEntityPrototype.get_max_health() is a method; 0 for entities without health", function()
      assert.are.equal(200, prototypes.entity["iron-chest"].get_max_health())
      assert.are.equal(200, prototypes.entity["iron-chest"].get_max_health("normal"))
      assert.are.equal(0, prototypes.entity["iron-ore"].get_max_health())
      assert.has_error(function() return prototypes.entity["iron-chest"].max_health end,
        "LuaEntityPrototype doesn't contain key max_health.")
    end)

    it("an entity without health reads max_health 0 and health nil, as the API says", function()
      local ore = game.surfaces[1].create_entity{ name = "iron-ore", position = { 3, 3 }, amount = 10 }
      assert.are.equal(0, ore.max_health)
      assert.is_nil(ore.health)
      assert.is_nil(ore.get_health_ratio())
    end)
  end)
end)
