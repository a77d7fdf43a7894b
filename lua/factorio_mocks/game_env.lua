-- The globals the game's own data stage leaves for later mods.
--
-- In the game, core's and base's data.lua run before any other mod, in the same Lua state, and
-- leave some 400 globals behind: style helpers (`default_glow`, `offset_by_2_rounded_corners_glow`),
-- graphics helpers (`pipecoverspictures`, `make_4way_animation_from_spritesheet`), constants
-- (`default_circuit_wire_max_distance`), builders that extend data (`create_spidertron`). The
-- built-in data.raw is that stage's result already, so here the game's mods of the dataset run
-- once per process, over a throwaway data.raw, in a sandbox whose own globals are kept; a data
-- stage then reads them through its environment's __index, a table value copied per session, so
-- a test changing one cannot leak into the next. Globals the sandbox does not define (`data`,
-- `require`, `defines`, …) resolve to the live session's, so a helper that extends data extends
-- the test's data.raw.

-- Required here, not where used: while a mod file runs, the global `require` is that mod's.
local mod_loader = require("factorio_mocks.mod_loader")
local data_stage = require("factorio_mocks.stage.data")
local common = require("factorio_mocks.stage.common")

local M = {}

local sandboxes = {} -- dataset key → sandbox table of the game's globals
local live = {}      -- the session env the sandboxes' missing globals resolve to

local deep_copy = common.deep_copy
M.deep_copy = deep_copy

-- The game mods whose Lua the dataset carries tell a built-in set from another (a dataset the
-- mods under test derived from it shares its key).
local function key_of(dataset)
  return (dataset.native:dir() or "<built-in>") .. "|" .. tostring(dataset.factorio_version)
    .. "|" .. table.concat(dataset.native:game_mods(), ",")
end

-- Runs the data stage of the dataset's game mods in a fresh sandbox; returns its globals.
local function run_game_data_stage(fm, session, game_mods)
  local env = session.env
  local running = {
    data = data_stage.new_data({}, rawget(env, "serpent") or require("factorio_mocks.serpent")),
  }
  local sandbox = setmetatable({}, { __index = function(_, k)
    local v = running[k]
    if v ~= nil then return v end
    return live.env and live.env[k]
  end })
  local by_name, selected = {}, {}
  for _, mod in ipairs(game_mods) do by_name[mod.name] = mod end
  -- The game's mods the dataset holds (core always), in the game's load order.
  local active = common.mods(session)
  for _, name in ipairs(mod_loader.GAME_MODS) do
    if by_name[name] and (active[name] ~= nil or name == "core") then
      selected[#selected + 1] = by_name[name]
    end
  end
  local ordered = fm.mods.load_order(selected)
  local loader = mod_loader.new(sandbox, by_name, mod_loader.reader(fm))
  local steps = mod_loader.STEPS.data
  local function run_step(i)
    for _, mod in ipairs(ordered) do loader.run_file(mod, steps[i]) end
  end
  local ok, err = true, nil
  for i = 1, #steps do
    ok, err = pcall(run_step, i)
    if not ok then break end
  end
  -- On the game's Lua 5.2 a failure is an error. A host Lua that differs from it may fail where
  -- the game does not (LuaJIT's pairs order, which space-age's asteroid definitions rely on;
  -- 5.3+'s integer `% 0` in 2.1.9's recycling): the globals made until then are kept, as they
  -- are all this sandbox is for (data.raw comes from the dataset).
  if not ok and _VERSION ~= "Lua 5.2" then ok = true end
  running.data = nil -- from now on `data` is the live session's
  if not ok then
    error("the game's own data stage (" .. key_of(session.dataset) .. ") failed: " .. tostring(err), 0)
  end
  return sandbox
end

--- The sandbox of the game's data-stage globals for `session`'s dataset (made once per process).
function M.globals(fm, session)
  live.env = session.env
  local key = key_of(session.dataset)
  local sandbox = sandboxes[key]
  if sandbox == nil then
    -- While the game's stage runs, its own lookups of missing globals must not start it again.
    sandboxes[key] = false
    local game_mods = mod_loader.dataset_game_mods(session.dataset)
    local ok, result = pcall(function() return #game_mods > 0 and run_game_data_stage(fm, session, game_mods) end)
    if not ok then sandboxes[key] = nil; error(result, 0) end
    sandbox = result or false
    sandboxes[key] = sandbox
  end
  return sandbox or nil
end

--- Lets `env` (a data stage's globals) read the game's globals on first use, while `session` is
--- the current one (or always, for a private session). An env that has a metatable of its own
--- keeps it; its __index is consulted first.
function M.attach(fm, session, always)
  local env = session.env
  local previous = getmetatable(env)
  local previous_index = previous and previous.__index
  local mt = {}
  if previous then for k, v in pairs(previous) do mt[k] = v end end
  mt.__index = function(t, k)
    if previous_index then
      local v
      if type(previous_index) == "function" then v = previous_index(t, k) else v = previous_index[k] end
      if v ~= nil then return v end
    end
    if not always and fm.current() ~= session or type(k) ~= "string" or session.game_globals_off then return nil end
    local sandbox = M.globals(fm, session)
    local v = sandbox and rawget(sandbox, k)
    if v == nil then return nil end
    v = deep_copy(v)
    rawset(t, k, v)
    return v
  end
  setmetatable(env, mt)
  return previous
end

return M
