-- What the game prints and who reads it: the capture behind fm.output (game, player, force,
-- surface and rcon prints, log, localised_print) and the audiences prints and sounds reach.

local classes = require("factorio_mocks.control.classes")

local M = {}

local data = classes.data

local echo = os.getenv("FACTORIO_MOCKS_LOG") == "1"

--- The text a LocalisedString shows in `lang` (default "en"), through fm.locale. An invalid
--- LocalisedString fails here, as printing one fails in the game; `where` names the API call.
function M.text(state, message, lang, where)
  local t = type(message)
  if t == "string" then return message end
  -- Numbers, booleans and nil as text; an object as its class ("[LuaPlayer]").
  if t ~= "table" or classes.is_object(message) then return tostring(message) end
  local ok, text = pcall(state.fm.locale.translate, message, lang or "en")
  if not ok then error((where and (where .. ": ") or "") .. tostring(text), 0) end
  return text
end

--- Records what `source` printed (game, player, force, surface, rcon, log, print) as the
--- text a player with locale `lang` reads.
function M.capture(state, source, message, lang, where)
  local text = M.text(state, message, lang, where)
  state.output[#state.output + 1] = { source = source, text = text }
  if echo then io.stderr:write("[" .. source .. "] ", text, "\n") end
  return text
end

-- How long a console remembers a line for print_settings.skip (the API description's ticks).
local SKIP_TICKS = { if_redundant = 60, if_visible = 1152 }

--- game/force/surface/player.print: captured once for fm.output (in `lang`), and once per
--- recipient in that player's locale for fm.output(player). By default a console skips a line
--- it showed in the last 60 ticks, as the game does (print_settings.skip).
function M.print_to(state, source, message, lang, recipients, print_settings, where)
  local text = M.capture(state, source, message, lang, where)
  local skip_ticks = SKIP_TICKS.if_redundant
  if type(print_settings) == "table" and print_settings.skip ~= nil then
    skip_ticks = nil
    for name, value in pairs(state.env_defines.print_skip) do
      if value == print_settings.skip then skip_ticks = SKIP_TICKS[name] end
    end
  end
  for _, p in ipairs(recipients) do
    local pd = classes.data(p)
    local console = state.consoles[pd.index]
    if not console then console = {}; state.consoles[pd.index] = console end
    local line = pd.locale == lang and text or M.text(state, message, pd.locale, where)
    local shown = false
    if skip_ticks then
      for i = #console, 1, -1 do
        local old = console[i]
        if state.tick - old.tick > skip_ticks then break end
        if old.text == line then shown = true; break end
      end
    end
    if not shown then console[#console + 1] = { text = line, tick = state.tick, source = source } end
  end
  return text
end

-- Connected players only: a print reaches the consoles of players in the game.
local function connected(list, keep)
  local out = {}
  for _, p in ipairs(list) do
    local pd = data(p)
    if pd.connected and (keep == nil or keep(pd)) then out[#out + 1] = p end
  end
  return out
end
M.connected = connected

-- The connected players on surface `s`: who a surface-wide print or sound reaches.
local function surface_audience(state, s)
  return connected(state.world.player_list, function(pd)
    return (pd.character and data(pd.character).valid ~= false and data(pd.character).surface or pd.surface) == s
  end)
end
M.surface_audience = surface_audience

return M
