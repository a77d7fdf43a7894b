-- Which game version a stage mocks, and what each version brings: its runtime API description
-- and its `defines`. A new game version is one run of scripts/gen-runtime-api.py and
-- scripts/gen-defines.lua, a line here, and the behaviour that changed.
--
-- The version of a setup: fm.setup's `game_version`, else the dataset's factorio_version, else
-- the load_mods' info.json factorio_version, else the newest built in (or the one
-- FACTORIO_MOCKS_GAME_VERSION names). Without a dataset, the built-in dataset of that version.

local M = {}

--- The versions with a runtime API description and defines, newest first.
M.VERSIONS = {
  { version = "2.1.9", api = "factorio_mocks.control.api_2_1_9", defines = "factorio_mocks.defines_2_1_9" },
  { version = "2.0.77", api = "factorio_mocks.control.api_2_0_77", defines = "factorio_mocks.defines" },
}

local function split(v)
  local parts = {}
  for n in tostring(v):gmatch("%d+") do parts[#parts + 1] = tonumber(n) end
  return parts
end

local function names()
  local list = {}
  for _, entry in ipairs(M.VERSIONS) do list[#list + 1] = entry.version end
  return table.concat(list, ", ")
end
M.names = names

--- The entry of `version` ("2.1", "2.1.9", "2.0", …): the exact one, or for "major.minor" the
--- newest of that line; nil when none matches.
function M.find(version)
  if version == nil then return nil end
  local want = split(version)
  if #want < 2 then return nil end
  for _, entry in ipairs(M.VERSIONS) do
    local have = split(entry.version)
    if have[1] == want[1] and have[2] == want[2] and (want[3] == nil or want[3] == have[3]) then return entry end
  end
  return nil
end

--- The entry whose API describes `version` best: the same major.minor line (another patch
--- release of it is close enough), else nil.
function M.for_game(version)
  local exact = M.find(version)
  if exact then return exact end
  local want = split(version)
  return M.find(want[1] and want[2] and (want[1] .. "." .. want[2]) or nil)
end

--- The version a setup mocks when nothing names one: FACTORIO_MOCKS_GAME_VERSION ("2.0" runs a
--- suite against 2.0 without editing it), else the newest built in.
function M.default()
  local from_env = os.getenv("FACTORIO_MOCKS_GAME_VERSION")
  if from_env and from_env ~= "" then
    local entry = M.find(from_env)
    if not entry then
      error(("FACTORIO_MOCKS_GAME_VERSION=%s is not a built-in version; the built-in versions are %s"):format(from_env, names()), 0)
    end
    return entry
  end
  return M.VERSIONS[1]
end

--- fm.setup's game_version checked: the entry, or an error listing the built-in versions.
function M.requested(value)
  if value == nil then return nil end
  if type(value) ~= "string" then
    error(("fm.setup: game_version must be a version string such as \"2.1\" or \"2.0.77\", got %s"):format(type(value)), 0)
  end
  local entry = M.find(value)
  if not entry then
    error(("fm.setup: unknown game_version %q; the built-in versions are %s (\"2.1\" and \"2.0\" name the newest of each)")
      :format(value, names()), 0)
  end
  return entry
end

--- The factorio_version ("2.0") the mods of `load_mods` declare (`mods`: their tables; the first
--- that declares one: the mod under test comes first, its libraries may declare older ones), or nil.
function M.of_mods(mods)
  for _, mod in ipairs(mods or {}) do
    if type(mod.factorio_version) == "string" then return mod.factorio_version end
  end
  return nil
end

--- A one-line warning when a mod declares another version than the one it is tested against.
function M.warn_mismatch(mods_version, entry)
  if not mods_version or not entry then return end
  local want, have = split(mods_version), split(entry.version)
  if want[1] ~= have[1] or want[2] ~= have[2] then
    io.stderr:write(("factorio-mocks: warning: the mod declares factorio_version %s but is tested against %s\n")
      :format(mods_version, entry.version))
  end
end

return M
