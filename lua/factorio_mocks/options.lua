-- The options fm.setup takes, checked before anything runs: each one's type, with a message
-- naming the option at the caller's line; an unknown option names the closest known one
-- (`datset` → `dataset`), since a misspelt option would otherwise be ignored silently.

local files = require("factorio_mocks.files")

local M = {}

-- name = {types accepted, what to give}; the order is the one messages list them in.
local KNOWN = {
  { "stage", { string = true }, '"settings", "data" or "control"' },
  { "dataset", { string = true }, "a dataset folder, a data-raw-dump.json, an oci:// or https:// reference, or a modpack name (nil: the built-in one)" },
  { "into", { table = true }, "the table the globals go into (default _G)" },
  { "mods", { table = true }, 'a table of active mods, {["my-mod"] = "1.0.0"} (false removes one)' },
  { "settings", { table = true }, 'a table of startup setting values, {["my-setting"] = 5}' },
  { "locale", { table = true }, 'a list of language codes, such as {"en", "de"}' },
  { "factorio_data", { string = true }, "the path of the game's data folder" },
  { "load_mods", { table = true }, 'a list of mod folders or zips, such as {"."}' },
  { "mod_settings", { string = true }, "the path of a mod-settings.dat" },
  { "game_version", { string = true }, 'a game version such as "2.0" or "2.1.9"' },
}

local BY_NAME = {}
for _, option in ipairs(KNOWN) do BY_NAME[option[1]] = option end

-- Options holding a path: a NUL byte in one would cut the name short in the C library (a
-- different file opened), so it is refused, and shown escaped.
local PATHS = { dataset = true, factorio_data = true, mod_settings = true }

--- `s` for a message: control bytes (NUL included) escaped, so nothing cuts or hides the text.
function M.show(s)
  s = tostring(s)
  return (s:gsub("[%z\1-\31\127]", function(c)
    local b = c:byte()
    if b == 0 then return "\\0" end
    if c == "\n" then return "\\n" end
    if c == "\t" then return "\\t" end
    return ("\\%d"):format(b)
  end))
end

-- The edit distance of `a` and `b` (insertions, deletions, substitutions, and swaps of two
-- neighbours: `stgae` is one step from `stage`).
local function quote(s) return '"' .. M.show(s) .. '"' end

local function distance(a, b)
  local previous, before_previous = {}, {}
  for j = 0, #b do previous[j] = j end
  for i = 1, #a do
    local current = { [0] = i }
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local d = math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        d = math.min(d, before_previous[j - 2] + 1)
      end
      current[j] = d
    end
    before_previous, previous = previous, current
  end
  return previous[#b]
end

--- The known option closest to `name`, if one is close enough to be a likely misspelling.
function M.closest(name)
  local best, best_distance
  local lower = name:lower()
  for _, option in ipairs(KNOWN) do
    local d = distance(lower, option[1])
    if not best_distance or d < best_distance then best, best_distance = option[1], d end
  end
  if best_distance <= math.max(2, math.floor(#best / 3)) then return best end
  return nil
end

local function names()
  local list = {}
  for _, option in ipairs(KNOWN) do list[#list + 1] = option[1] end
  return table.concat(list, ", ")
end

--- Checks fm.setup's options; errors blame the caller of fm.setup (`level` is fm.setup's own
--- level for `error`, normally 2).
function M.check(opts, level)
  -- +2: `fail` and this function stand between `error` and fm.setup.
  level = (level or 2) + 2
  local function fail(message) error("fm.setup: " .. message, level) end
  -- Sorted, so the message of a table with several unknown options is always the same.
  local unknown = {}
  for key in pairs(opts) do
    if type(key) ~= "string" then
      fail(("options are named, not listed: got the %s key %s; write {stage = \"data\", dataset = …}")
        :format(type(key), M.show(key)))
    end
    if not BY_NAME[key] then unknown[#unknown + 1] = key end
  end
  table.sort(unknown)
  for _, key in ipairs(unknown) do
    local near = M.closest(key)
    if near then
      fail(("unknown option %s; did you mean %q?"):format(quote(key), near))
    end
    fail(("unknown option %s; the options are %s"):format(quote(key), names()))
  end
  for _, option in ipairs(KNOWN) do
    local name, types, what = option[1], option[2], option[3]
    local value = opts[name]
    if value ~= nil and not types[type(value)] then
      local shown = type(value) == "string" and quote(value) or type(value) == "number" and tostring(value) or "a " .. type(value)
      fail(("option %s must be %s, got %s"):format(name, what, shown))
    end
    if PATHS[name] and type(value) == "string" and value:find("%z") then
      fail(("option %s: the path %s holds a NUL byte, which no file name can; check how it was built"):format(name, quote(value)))
    end
  end
  for i, lang in ipairs(opts.locale or {}) do
    if type(lang) ~= "string" then
      fail(("option locale[%d] must be a language code such as \"en\", got %s"):format(i, type(lang)))
    end
  end
  for i, path in ipairs(opts.load_mods or {}) do
    if type(path) == "string" and path:find("%z") then
      fail(("option load_mods[%d]: the path %s holds a NUL byte, which no file name can; check how it was built"):format(i, M.show(path)))
    end
  end
  if opts.mod_settings then
    local file = io.open(files.expand(opts.mod_settings), "rb")
    if not file then
      fail(("option mod_settings: %s does not exist or cannot be read; give the path of a mod-settings.dat (the game keeps it in its mods folder)")
        :format(opts.mod_settings))
    end
    file:close()
  end
end

return M
