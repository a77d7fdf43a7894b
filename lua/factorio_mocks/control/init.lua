-- The control stage: the runtime API mocks and the test-side driver (fm.init, fm.tick, …).
--
-- All state of a session hangs off `session.control` (created by M.globals on setup and on every
-- reset), so a reset starts a fresh world: no module-level state here or in the world files.

local classes = require("factorio_mocks.control.classes")
local script = require("factorio_mocks.control.script")
local lifecycle = require("factorio_mocks.control.lifecycle")
local world = require("factorio_mocks.control.world")
local players = require("factorio_mocks.control.world.players")
local actions = require("factorio_mocks.control.world.actions")
local globals = require("factorio_mocks.control.globals")
local commands = require("factorio_mocks.control.commands")
local settings = require("factorio_mocks.control.settings")
local gui = require("factorio_mocks.control.gui")
local effects = require("factorio_mocks.control.effects")
local common_stage = require("factorio_mocks.stage.common")

local M = {}

--- The hand-written behaviour, one file per class or small family under control/classes/:
--- file → the classes whose members it registers (spec/control_layout_spec.lua holds every
--- registered member to this list).
M.class_files = {
  { "LuaCustomTable" },
  { "LuaBootstrap" },
  { "LuaPrototypes" }, { "LuaPrototypeBase" }, { "LuaItemPrototype" }, { "LuaEntityPrototype" },
  { "LuaRecipePrototype" }, { "LuaTechnologyPrototype" }, { "LuaGroup" }, { "LuaModData" },
  { "LuaGameScript" }, { "LuaRandomGenerator" },
  { "LuaForce" }, { "LuaRecipe" }, { "LuaTechnology" },
  { "LuaSurface" }, { "LuaTile" },
  { "LuaEntity" },
  { "LuaPlayer" },
  { "LuaPermissionGroup", "LuaPermissionGroups" },
  { "LuaInventory" }, { "LuaItemStack" },
  { "LuaGui", "LuaGuiElement" }, { "LuaStyle" },
  { "LuaRendering", "LuaRenderObject" },
  { "LuaCommandProcessor" }, { "LuaRemote" }, { "LuaRCON" }, { "LuaHelpers" }, { "LuaSettings" },
}
for _, family in ipairs(M.class_files) do require("factorio_mocks.control.classes." .. family[1]) end

-- Returns its arguments. `return keep_frame(f(…))` is not a tail call of f, so the driver
-- function's frame stays on the stack and f's error levels reach the test's own line.
local function keep_frame(...) return ... end

local function current_state(fm, what)
  local session = fm.current()
  if not session or session.stage ~= "control" or not session.control then
    error(("%s: the control stage is not set up; call fm.setup{stage = \"control\"} first"):format(what), 3)
  end
  return session.control
end

--- Adds the control-stage driver functions to the module table.
function M.attach(fm)
  function fm.load_control(path)
    return keep_frame(lifecycle.load_control(current_state(fm, "fm.load_control"), path))
  end

  --- Registers a mod folder or zip so `require("__name__/…")` finds it without running its
  --- control.lua; returns the mod's name.
  function fm.add_mod(path)
    return keep_frame(lifecycle.add_mod(current_state(fm, "fm.add_mod"), path))
  end

  function fm.init()
    lifecycle.init(current_state(fm, "fm.init"))
  end

  function fm.load()
    lifecycle.load(current_state(fm, "fm.load"))
  end

  function fm.configuration_changed(changes)
    lifecycle.configuration_changed(current_state(fm, "fm.configuration_changed"), changes)
  end

  function fm.tick(n)
    local state = current_state(fm, "fm.tick")
    if n == nil then n = 1 end
    if type(n) ~= "number" or n < 0 or n % 1 ~= 0 then
      local got = type(n) == "number" and tostring(n) or type(n) == "string" and ("string %q"):format(n) or type(n)
      error("fm.tick: expected a number of ticks (a non-negative integer), got " .. got, 2)
    end
    script.tick(state, n)
  end

  function fm.raise(event, payload)
    local state = current_state(fm, "fm.raise")
    if payload ~= nil and type(payload) ~= "table" then
      error("fm.raise: expected the event's data as a table, got " .. type(payload), 2)
    end
    if event == nil then
      error("fm.raise: the event id is nil: a defines.events name that does not exist reads as nil (a misspelt "
        .. "name, such as defines.events.on_tick_x?)", 2)
    end
    local ok, id = pcall(script.event_id, state, event, 1)
    if not ok then error("fm.raise: " .. tostring(id), 2) end
    local copy = {}
    for k, v in pairs(payload or {}) do copy[k] = v end
    script.check_payload(state, id, copy)
    script.raise(state, id, copy)
  end

  function fm.create_player(opts)
    return keep_frame(players.create_player(current_state(fm, "fm.create_player"), opts or {}))
  end

  function fm.join(player)
    players.join(current_state(fm, "fm.join"), player)
  end

  function fm.set_locale(player, lang)
    players.set_locale(current_state(fm, "fm.set_locale"), player, lang)
  end

  function fm.build(opts) return keep_frame(actions.build(current_state(fm, "fm.build"), opts)) end
  function fm.select(player, entity) players.select(current_state(fm, "fm.select"), player, entity) end
  function fm.sounds(player) return keep_frame(effects.sounds(current_state(fm, "fm.sounds"), player)) end
  function fm.flying_texts(player) return keep_frame(effects.flying_texts(current_state(fm, "fm.flying_texts"), player)) end
  function fm.mine(entity, player) return keep_frame(actions.mine(current_state(fm, "fm.mine"), entity, player)) end

  function fm.leave(player)
    players.leave(current_state(fm, "fm.leave"), player)
  end

  function fm.run_command(line, player)
    return keep_frame(commands.run_command(current_state(fm, "fm.run_command"), line, player))
  end

  function fm.rcon(line)
    return keep_frame(commands.run_command(current_state(fm, "fm.rcon"), line, nil, true))
  end

  --- What game.print, player.print, rcon.print, log and localised_print printed, in order;
  --- `source` ("game", "player", "force", "surface", "rcon", "log") keeps only one channel.
  --- fm.output(player) is that player's console: what reached them while connected (game,
  --- force, surface and player prints), in their locale, repeats within 60 ticks skipped.
  function fm.output(source)
    local state = current_state(fm, "fm.output")
    local pd = classes.data(source)
    if pd then
      if pd.class ~= "LuaPlayer" then error("fm.output: expected a channel name or a LuaPlayer, got " .. pd.class, 2) end
      local lines = {}
      for i, line in ipairs(state.consoles[pd.index] or {}) do lines[i] = line.text end
      return lines
    end
    local lines = {}
    for _, entry in ipairs(state.output) do
      if source == nil or entry.source == source then lines[#lines + 1] = entry.text end
    end
    return lines
  end

  function fm.set_setting(name, value, player)
    return keep_frame(settings.set_setting(current_state(fm, "fm.set_setting"), name, value, player))
  end

  --- The files helpers.write_file wrote: path → content.
  function fm.files()
    return current_state(fm, "fm.files").files
  end

  --- storage of a mod loaded with fm.load_control (the first mod's is the global `storage`).
  function fm.storage(mod_name)
    local state = current_state(fm, "fm.storage")
    local mod = state.mods_by_name[mod_name]
    if not mod then error("fm.storage: no mod '" .. tostring(mod_name) .. "' is loaded", 2) end
    return rawget(mod.env, "storage")
  end

  function fm.click(element, opts) return keep_frame(gui.event(current_state(fm, "fm.click"), "click", element, opts)) end
  function fm.gui_text(element, text) return keep_frame(gui.event(current_state(fm, "fm.gui_text"), "text", element, text)) end
  function fm.gui_check(element, state) return keep_frame(gui.event(current_state(fm, "fm.gui_check"), "check", element, state)) end

  --- Per class: how many members have behaviour (what `make coverage` prints).
  fm.coverage = classes.coverage
end

--- The control stage's globals for a fresh session (called on setup and on every reset).
function M.globals(session, fm, common)
  -- The version's API description shapes every object of the session.
  -- A new game: the objects of the last one are invalid, and this one's once its session ends.
  classes.use(session.game_version or require("factorio_mocks.game_version").VERSIONS[1],
    function() return fm.current() == session end)
  local defines = common.defines
  local state = {
    session = session, fm = fm, env = session.env, env_defines = defines,
    output = {}, consoles = {}, files = {},
    registrations = setmetatable({}, { __mode = "k" }), next_registration = 1, destroyed_queue = {},
    custom_events = {},
  }
  session.control = state
  script.init_state(state, defines)
  effects.init_state(state)
  state.active_mods = common_stage.mods(session)
  state.feature_flags = common_stage.feature_flags(session, state.active_mods)

  -- The test itself acts as a scenario ("level") until a mod is loaded.
  local primary = script.new_mod(state, "level")
  primary.env = session.env
  state.primary = primary
  state.mods[1] = primary
  state.mods_by_name.level = primary

  local g = globals.globals(state, common)
  g.script = primary.script
  g.storage = {}
  g.require = lifecycle.make_require(state, rawget(session.env, "require") or require)
  for name, value in pairs(world.globals(state)) do g[name] = value end
  return g
end

return M
