-- The runtime members published mods read first, on a character-controlled player, on GUI
-- elements and on script.on_event; and where a built entity stands.
local fm = require("factorio_mocks")
local files = require("spec.support.files")

describe("a character-controlled player", function()
  local p
  before_each(function()
    fm.setup{ stage = "control" }
    p = fm.create_player{ name = "alice" }
  end)
  after_each(function() fm.teardown() end)

  it("has nothing opened: opened_gui_type is none, and follows player.opened", function()
    assert.are.equal(defines.gui_type.none, p.opened_gui_type)
    local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 1, 1 }, force = "player" }
    p.opened = chest
    assert.are.equal(defines.gui_type.entity, p.opened_gui_type)
    local frame = p.gui.screen.add{ type = "frame" }
    p.opened = frame
    assert.are.equal(defines.gui_type.custom, p.opened_gui_type)
    frame.destroy()
    assert.are.equal(defines.gui_type.none, p.opened_gui_type)
    -- A GUI type written to opened reads back through opened_gui_type; opened itself reads nil.
    p.opened = defines.gui_type.production
    assert.are.equal(defines.gui_type.production, p.opened_gui_type)
    assert.is_nil(p.opened)
    p.opened = nil
    assert.are.equal(defines.gui_type.none, p.opened_gui_type)
  end)

  it("is controlled by its character, is not driving and sits in no vehicle", function()
    assert.are.equal(defines.controllers.character, p.controller_type)
    assert.are.equal(defines.controllers.character, p.physical_controller_type)
    assert.is_false(p.driving)
    assert.is_nil(p.vehicle)
    p.driving = false
    assert.has_error(function() p.driving = true end, "not mocked: LuaControl.driving = true (vehicles are not simulated)")
  end)

  it("is a ghost once its character is gone, and god when made without one", function()
    p.character.destroy()
    assert.are.equal(defines.controllers.ghost, p.controller_type)
    local bob = fm.create_player{ name = "bob", character = false }
    assert.are.equal(defines.controllers.god, bob.controller_type)
  end)

  it("reads force_index as its force's index", function()
    assert.are.equal(game.forces.player.index, p.force_index)
    p.force = game.forces.enemy
    assert.are.equal(game.forces.enemy.index, p.force_index)
  end)

  it("holds no cursor ghost until one is written; is_cursor_empty counts it and the cursor stack", function()
    assert.is_nil(p.cursor_ghost)
    assert.is_true(p.is_cursor_empty())
    p.cursor_ghost = "iron-chest"
    local ghost = p.cursor_ghost
    assert.are.equal("LuaItemPrototype", ghost.name.object_name)
    assert.are.equal("iron-chest", ghost.name.name)
    assert.are.equal("normal", ghost.quality.name)
    assert.is_false(p.is_cursor_empty())
    p.cursor_ghost = { name = prototypes.item["wooden-chest"], quality = "normal" }
    assert.are.equal("wooden-chest", p.cursor_ghost.name.name)
    p.cursor_ghost = nil
    assert.is_true(p.is_cursor_empty())
    p.cursor_stack.set_stack{ name = "iron-plate", count = 5 }
    assert.is_false(p.is_cursor_empty())
    assert.has_error(function() p.cursor_ghost = "no-such-item" end, "Unknown item name: no-such-item")
  end)

  it("has cheat mode off until a mod turns it on", function()
    assert.is_false(p.cheat_mode)
    p.cheat_mode = true
    assert.is_true(p.cheat_mode)
  end)

  it("is in the Default permission group (group_id 0), which allows every action", function()
    local group = p.permission_group
    assert.are.equal("LuaPermissionGroup", group.object_name)
    assert.are.equal("Default", group.name)
    assert.are.equal(0, group.group_id)
    assert.are.equal(group, game.permissions.get_group(0))
    assert.are.equal(group, game.permissions.get_group("Default"))
    assert.are.same({ p }, group.players)
    assert.is_true(group.allows_action(defines.input_action.start_walking))
    assert.is_true(group.set_allows_action(defines.input_action.start_walking, false))
    assert.is_false(group.allows_action(defines.input_action.start_walking))
  end)

  it("moves between permission groups a mod creates", function()
    local jail = game.permissions.create_group("jail")
    assert.are.equal(1, jail.group_id)
    assert.is_true(jail.add_player(p))
    assert.are.equal(jail, p.permission_group)
    assert.are.same({}, game.permissions.get_group(0).players)
    assert.is_true(jail.remove_player("alice"))
    assert.is_nil(p.permission_group)
    p.permission_group = jail
    assert.is_true(jail.destroy())
    assert.is_false(jail.valid)
    assert.is_nil(p.permission_group)
    assert.are.equal(1, #game.permissions.groups)
  end)

  it("reads the display the game reports during on_player_created: 1920x1080 at scale 1", function()
    assert.are.same({ width = 1920, height = 1080 }, p.display_resolution)
    assert.are.equal(1, p.display_scale)
  end)

  it("gets the test's display just after on_player_created, with the events the game raises", function()
    local dir = files.mod_dir("display-mod", {
      ["control.lua"] = [[
script.on_init(function() storage.seen = {} end)
script.on_event(defines.events.on_player_created, function(e)
  local r = game.get_player(e.player_index).display_resolution
  table.insert(storage.seen, "created " .. r.width .. "x" .. r.height)
end)
script.on_event({defines.events.on_player_display_resolution_changed, defines.events.on_player_display_scale_changed}, function(e)
  local player = game.get_player(e.player_index)
  if e.old_resolution then
    table.insert(storage.seen, "resolution " .. e.old_resolution.width .. " -> " .. player.display_resolution.width)
  else
    table.insert(storage.seen, "scale " .. e.old_scale .. " -> " .. player.display_scale)
  end
end)
]],
    })
    fm.load_control(dir)
    fm.init()
    local bob = fm.create_player{ name = "bob", display_resolution = { width = 2560, height = 1440 }, display_scale = 1.5 }
    os.execute("rm -rf '" .. dir .. "'")
    assert.are.same({ "created 1920x1080", "resolution 1920 -> 2560", "scale 1 -> 1.5" }, storage.seen)
    assert.are.same({ width = 2560, height = 1440 }, bob.display_resolution)
    assert.has_error(function() fm.create_player{ name = "carol", display_resolution = { 800 } } end,
      "fm.create_player: display_resolution must be {width = …, height = …}")
  end)

  it("is not walking, facing north, until a mod sets its walking state", function()
    assert.are.same({ walking = false, direction = defines.direction.north }, p.walking_state)
    p.walking_state = { walking = true, direction = defines.direction.east }
    assert.are.same({ walking = true, direction = defines.direction.east }, p.walking_state)
  end)

  it("reaches entities within the character prototype's reach_distance, bonuses added", function()
    local reach = 10   -- base's character prototype: reach_distance = 10
    assert.are.equal(reach, p.reach_distance)
    local surface = game.surfaces[1]
    -- An iron chest's collision box reaches 0.35 from its centre: centred on {9.5, 0.5}, its
    -- nearest point is 9.15 from the character at {0, 0}; on {11.5, 0.5}, 11.15.
    local near = surface.create_entity{ name = "iron-chest", position = { reach - 1, 0 }, force = "player" }
    local far = surface.create_entity{ name = "iron-chest", position = { reach + 1, 0 }, force = "player" }
    assert.is_true(p.can_reach_entity(near))
    assert.is_false(p.can_reach_entity(far))
    p.character_reach_distance_bonus = 2
    assert.are.equal(reach + 2, p.reach_distance)
    assert.is_true(p.can_reach_entity(far))
    local other = game.create_surface("other")
    assert.is_false(p.can_reach_entity(other.create_entity{ name = "iron-chest", position = { 0, 0 } }))
  end)
end)

describe("script.on_event", function()
  before_each(function() fm.setup{ stage = "control" } end)
  after_each(function() fm.teardown() end)

  it("takes a LuaCustomInputPrototype for the event of that custom input", function()
    local dir = files.mod_dir("input-mod", {
      ["control.lua"] = [[
script.on_event(prototypes.custom_input["give-blueprint"], function(e) storage.pressed = e.input_name end)
]],
    })
    fm.load_control(dir)
    os.execute("rm -rf '" .. dir .. "'")
    fm.init()
    local p = fm.create_player{ name = "alice" }
    fm.raise("give-blueprint", { player_index = p.index, input_name = "give-blueprint", cursor_position = { x = 0, y = 0 } })
    assert.are.equal("give-blueprint", storage.pressed)
    assert.are.equal(defines.events["give-blueprint"], script.get_event_id(prototypes.custom_input["give-blueprint"]))
  end)

  it("takes a LuaCustomEventPrototype, whose event script.raise_event may raise", function()
    local classes = require("factorio_mocks.control.classes")
    -- The built-in dataset has no custom-event prototype; this one stands for a mod's.
    local proto = classes.new("LuaCustomEventPrototype", { name = "my-custom-event" })
    local got
    script.on_event(proto, function(e) got = e.value end)
    assert.are.equal(script.get_event_id("my-custom-event"), script.get_event_id(proto))
    assert.is_function(script.get_event_handler(proto))
    script.raise_event(proto, { value = 5 })
    assert.are.equal(5, got)
  end)

  it("names the caller's line for a bad entry of the array form", function()
    local ok, err = pcall(function()
      script.on_event({ defines.events.on_tick, true }, function() end)   -- this line
    end)
    assert.is_false(ok)
    local line = debug.getinfo(1, "l").currentline - 3
    assert.matches("control_player_members_spec.lua:" .. line .. ": bad argument #1 to 'LuaBootstrap.on_event' (event id or name expected, got boolean)", err, 1, true)
    ok, err = pcall(function()
      script.on_event({ defines.events.on_tick, 99999 }, function() end)
    end)
    assert.matches("control_player_members_spec.lua:%d+: Unknown event id: 99999", err)
  end)

  it("refuses another prototype, naming its class", function()
    assert.has_error(function() script.on_event(prototypes.entity["iron-chest"], function() end) end)
    local ok, err = pcall(script.on_event, prototypes.item["iron-plate"], function() end)
    assert.is_false(ok)
    assert.matches("got LuaItemPrototype", err, 1, true)
  end)
end)

describe("GUI elements", function()
  local p
  before_each(function()
    fm.setup{ stage = "control" }
    p = fm.create_player{ name = "alice" }
  end)
  after_each(function() fm.teardown() end)

  it("in screen stand at {0, 0} until moved; elsewhere location is nil", function()
    local frame = p.gui.screen.add{ type = "frame" }
    assert.are.same({ x = 0, y = 0 }, frame.location)
    frame.location = { 100, 50 }
    assert.are.same({ x = 100, y = 50 }, frame.location)
    frame.location = { x = 7, y = 8 }
    assert.are.same({ x = 7, y = 8 }, frame.location)
    local inner = frame.add{ type = "flow" }
    assert.is_nil(inner.location)
    local top = p.gui.top.add{ type = "frame" }
    top.location = { 1, 2 }
    assert.is_nil(top.location)
  end)

  it("force_auto_center: on_gui_location_changed follows on the next tick, for screen frames", function()
    local dir = files.mod_dir("center-mod", {
      ["control.lua"] = [[
script.on_init(function() storage.moved = {} end)
script.on_event(defines.events.on_gui_location_changed, function(e)
  table.insert(storage.moved, e.element.name .. "@" .. e.tick)
end)
]],
    })
    fm.load_control(dir)
    os.execute("rm -rf '" .. dir .. "'")
    fm.init()
    local frame = p.gui.screen.add{ type = "frame", name = "main" }
    frame.force_auto_center()
    p.gui.left.add{ type = "frame", name = "side" }.force_auto_center()   -- not in screen: nothing
    assert.are.same({}, storage.moved)
    fm.tick(1)
    assert.are.same({ "main@1" }, storage.moved)
    assert.has_error(function() p.gui.screen.add{ type = "button" }.force_auto_center() end,
      "LuaGuiElement::force_auto_center can't be used on an element of type button (only frame)")
  end)

  it("focus, bring_to_front and select_all (text fields only) are accepted", function()
    local frame = p.gui.screen.add{ type = "frame" }
    local field = frame.add{ type = "textfield", text = "abc" }
    local box = frame.add{ type = "text-box" }
    field.focus()
    frame.bring_to_front()
    field.select_all()
    box.select_all()
    assert.are.equal("abc", field.text)
    local ok, err = pcall(function() frame.add{ type = "label" }.select_all() end)
    assert.is_false(ok)
    assert.matches("control_player_members_spec.lua:%d+: LuaGuiElement::select_all can't be used on an "
      .. "element of type label %(only textfield, text%-box%)", err)
  end)
end)

describe("a built entity", function()
  local p
  before_each(function()
    fm.setup{ stage = "control" }
    p = fm.create_player{ name = "alice" }
  end)
  after_each(function() fm.teardown() end)

  it("of odd tile size stands on a tile centre", function()
    local chest = game.surfaces[1].create_entity{ name = "iron-chest", position = { 0.3, 0.7 } }
    assert.are.same({ x = 0.5, y = 0.5 }, chest.position)
    local machine = fm.build{ name = "assembling-machine-1", position = { 0.2, 0.2 }, player = p }
    assert.are.same({ x = 0.5, y = 0.5 }, machine.position)
    local chest2 = game.surfaces[1].create_entity{ name = "iron-chest", position = { -0.3, -1.2 } }
    assert.are.same({ x = -0.5, y = -1.5 }, chest2.position)
  end)

  it("of even tile size stands on a tile corner", function()
    local furnace = fm.build{ name = "stone-furnace", position = { 0.7, 0.7 }, player = p }
    assert.are.same({ x = 1, y = 1 }, furnace.position)
    local other = game.surfaces[1].create_entity{ name = "stone-furnace", position = { -2.4, 5.49 } }
    assert.are.same({ x = -2, y = 5 }, other.position)
  end)

  it("turned east swaps its tile width and height (a 1x2 pump)", function()
    local north = game.surfaces[1].create_entity{ name = "pump", position = { 0.2, 0.2 } }
    assert.are.same({ x = 0.5, y = 0 }, north.position)
    local east = game.surfaces[1].create_entity{ name = "pump", position = { 0.2, 0.2 }, direction = defines.direction.east }
    assert.are.same({ x = 0, y = 0.5 }, east.position)
  end)

  it("placeable off grid stays where it is put (a character, a car)", function()
    local car = game.surfaces[1].create_entity{ name = "car", position = { 0.3, 0.7 } }
    assert.are.same({ x = 0.3, y = 0.7 }, car.position)
    local bob = fm.create_player{ name = "bob", position = { 1.25, 2.75 } }
    assert.are.same({ x = 1.25, y = 2.75 }, bob.position)
  end)
end)
