-- The mocks' surface against each version's runtime API description: behaviour registered for a
-- member no version has is never reached (a mod reading it gets "doesn't contain key"), and an
-- event a version's description has must have a defines.events id there for a mod to subscribe.
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

  local VERSIONS = require("factorio_mocks.game_version").VERSIONS

  it("registers behaviour only for members of some version's description, of the right kind there", function()
    -- A member may exist, or be writable, in one version only (LuaEntity.minable is read only
    -- in 2.1): it is right when one version has it as registered.
    local fits, why = {}, {}
    for _, entry in ipairs(VERSIONS) do
      fm.setup{ stage = "control", game_version = entry.version }
      for _, r in ipairs(classes.registered()) do
        local kind, mode = classes.member(r.class, r.key)
        local id = ("%s.%s %s"):format(r.class, r.key, r.kind)
        local problem
        if kind == "unknown" then problem = "no such member"
        elseif r.kind == "call" and kind ~= "method" then problem = "an attribute, registered as a method"
        elseif r.kind ~= "call" and kind ~= "attribute" then problem = "a method, registered as an attribute"
        elseif r.kind == "set" and not mode:find("w") then problem = "read only"
        elseif r.kind == "get" and not mode:find("r") then problem = "write only"
        end
        if problem then
          why[id] = (why[id] and why[id] .. "; " or "") .. entry.version .. ": " .. problem
        else
          fits[id] = true
        end
      end
    end
    fm.setup{ stage = "control" }
    local wrong = {}
    for id, reason in pairs(why) do
      if not fits[id] then wrong[#wrong + 1] = id .. ": " .. reason end
    end
    table.sort(wrong)
    assert.are.same({}, wrong)
  end)

  it("gives every event of each version's description a defines.events id", function()
    local missing = {}
    for _, entry in ipairs(VERSIONS) do
      fm.setup{ stage = "control", game_version = entry.version }
      for name in pairs(classes.api.events) do
        -- CustomInputEvent is the payload of custom inputs, whose ids are their names' events.
        if name ~= "CustomInputEvent" and defines.events[name] == nil then missing[#missing + 1] = entry.version .. " " .. name end
      end
    end
    fm.setup{ stage = "control" }
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
