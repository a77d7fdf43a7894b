-- What players hear and see that leaves nothing in the world: sounds and local flying text.
-- The game plays and draws them and nothing reads them back, so they are kept per player for
-- the test: fm.sounds(player) and fm.flying_texts(player).
--
-- Not modelled: "The sound is not played if its location is not charted" (every location
-- counts as charted) and the longer life the game gives flying text over 25 characters.

local classes = require("factorio_mocks.control.classes")

local resolve = require("factorio_mocks.control.world.resolve")

local M = {}

local data = classes.data

local function heard_by(state, p)
  local pd = data(p)
  local list = state.sounds[pd.index]
  if not list then list = {}; state.sounds[pd.index] = list end
  return list
end

-- PlaySoundSpecification, checked as the API description states it (our words: the game's
-- messages for these were not found).
local function play(state, spec, listeners, where)
  if type(spec) ~= "table" or classes.is_object(spec) then
    error(where .. ": expected a sound specification such as {path = \"utility/console_message\"}, got " .. type(spec), 3)
  end
  if type(spec.path) ~= "string" or spec.path == "" then
    error(where .. ": the sound specification needs a path (a SoundPath string)", 3)
  end
  local volume = spec.volume_modifier
  if volume ~= nil and (type(volume) ~= "number" or volume < 0 or volume > 1) then
    error(where .. ": volume_modifier must be between 0 and 1 inclusive, got " .. tostring(volume), 3)
  end
  local position = spec.position and resolve.position_of(spec.position, where, 3)
  state.sound_log[#state.sound_log + 1] = spec.path
  for _, p in ipairs(listeners) do
    local list = heard_by(state, p)
    list[#list + 1] = { path = spec.path, position = position, volume_modifier = volume or 1,
      override_sound_type = spec.override_sound_type, tick = state.tick }
  end
end

M.play = play

-- Sounds reach the players prints reach: connected ones, of the game, the surface or the one
-- (LuaGameScript.play_sound, LuaSurface.play_sound, LuaPlayer.play_sound and
-- LuaPlayer.create_local_flying_text are in control/classes/).

function M.init_state(state)
  state.sounds, state.sound_log, state.flying_texts = {}, {}, {}
end

--- fm.sounds(): the path of every sound played; fm.sounds(player): what that player heard, as
--- {path, position, volume_modifier, override_sound_type, tick} entries.
function M.sounds(state, p)
  if p == nil then
    local out = {}
    for i, path in ipairs(state.sound_log) do out[i] = path end
    return out
  end
  local pd = data(resolve.player_of(state, p, 3))
  local out = {}
  for i, entry in ipairs(state.sounds[pd.index] or {}) do out[i] = entry end
  return out
end

--- fm.flying_texts(player): the player's local flying texts, each with `text` in the player's
--- locale, the `localised_string` given, and position, surface, color, time_to_live, speed.
function M.flying_texts(state, p)
  local pd = data(resolve.player_of(state, p, 3))
  local out = {}
  for i, entry in ipairs(state.flying_texts[pd.index] or {}) do out[i] = entry end
  return out
end

return M
