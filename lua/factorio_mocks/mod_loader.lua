-- Running a mod's files as the game does: `require` resolved from the mod, never from the
-- test's package.path.
--
-- Resolution of require(name) for a file of mod M (the game's rules, as documented in the
-- README): `__other-mod__/path` or `__other-mod__.path` reaches another mod's root (the game's
-- own mods core, base, … included: their Lua comes from the dataset or the game folder);
-- otherwise the path is tried next to the requiring file, then at M's root, then in core/lualib.
-- Dots and slashes both separate folders; `..` and absolute paths are refused. The module name
-- reaches the file as `...`, as the game passes it. Each loader caches a file per name it was
-- required by (so flib's `if ... ~= "__flib__.gui"` guards work), and a file required again
-- while it is still loading is a cycle, an error naming the files in it.
--
-- One loader is one Lua state of the game: the data stage shares one among all mods; the
-- control stage makes one per mod (each mod has its own state there), with `opts.outside`
-- set, since the game allows require only while control.lua is being parsed.

local chunk = require("factorio_mocks.chunk")
local data_stage = require("factorio_mocks.stage.data")
local serpent = require("factorio_mocks.serpent")

local M = {}

--- The file on disk behind each mod file that ran ("__name__/rel" → "<mod folder>/rel"), for
--- coverage tools (factorio_mocks.luacov); a game mod's files and a zip's have none.
M.files_on_disk = {}

local function split_path(name)
  local rel = name:gsub("%.lua$", ""):gsub("%.", "/")
  return rel
end

local function load_text(text, chunkname, env)
  local fn, err = chunk.load(text, chunkname, env)
  if not fn then error(err, 0) end
  return fn
end

--- A loader over `mods` (name → mod table from fm.mods.load, or a game mod) that runs files in
--- `env`. `read(mod, rel)` returns a file's text or nil.
--- `opts.outside`: the error for a require made while none of this loader's files runs (a
--- `require` kept in a local and called from an event handler).
function M.new(env, mods, read, opts)
  opts = opts or {}
  local loader = { loaded = {} }
  local current -- {mod = …, dir = …, file = …} of the file running now
  local loading = {} -- key → true while that file runs; `stack` names them for the cycle error
  local stack = {}

  -- Level 4: blame the mod's line that called require (refuse < find < loader.require < mod).
  local function refuse(name, why)
    error(("require(%q): %s"):format(name, why), 4)
  end

  local function find(name)
    if type(name) ~= "string" then refuse(tostring(name), "expected a module name string") end
    if name:find("%.%.") then refuse(name, "'..' is not allowed; a mod may only require its own files or __mod__/ paths") end
    local target, rel = current.mod
    local other, rest = name:match("^__([^/]+)__[/.](.+)$")
    if other then
      target = mods[other]
      if not target then refuse(name, ("mod %q is not loaded; add it to the mods being loaded"):format(other)) end
      rel = split_path(rest)
    else
      rel = split_path(name)
    end
    if rel:find("^/") or rel:find("^%a:") then refuse(name, "absolute paths are not allowed; require from the mod's root") end
    local candidates = {}
    if not other and current.dir ~= "" then candidates[#candidates + 1] = { target, current.dir .. rel .. ".lua" } end
    candidates[#candidates + 1] = { target, rel .. ".lua" }
    -- core/lualib is on every mod's path, as in the game (`require("util")`).
    if not other and mods.core then candidates[#candidates + 1] = { mods.core, "lualib/" .. rel .. ".lua" } end
    for _, c in ipairs(candidates) do
      local text = read(c[1], c[2])
      if text then return c[1], c[2], text end
    end
    local tried = {}
    for _, c in ipairs(candidates) do tried[#tried + 1] = "__" .. c[1].name .. "__/" .. c[2] end
    refuse(name, "module not found; tried " .. table.concat(tried, ", "))
  end

  --- Runs `rel` of `mod` (or its preloaded `text`) with `require` bound to that mod; `...` is
  --- `name`, the module name it was required by (nil for the stage files).
  local function run(mod, rel, text, name)
    -- Compiled before `require` is swapped, so a syntax error leaves the environment as it was.
    local fn = load_text(text, "@__" .. mod.name .. "__/" .. rel, env)
    if mod.path and not mod.zip and not mod.game then M.files_on_disk["__" .. mod.name .. "__/" .. rel] = mod.path .. "/" .. rel end
    local previous, previous_require = current, rawget(env, "require")
    current = { mod = mod, dir = rel:match("^(.*/)") or "" }
    rawset(env, "require", loader.require)
    local ok, result = pcall(fn, name)
    current = previous
    rawset(env, "require", previous_require)
    if not ok then error(result, 0) end
    return result
  end

  function loader.require(name)
    if not current then
      error(opts.outside or ("require(%q): no mod file is running; require works only while a mod's files load"):format(tostring(name)), 2)
    end
    local mod, file, text = find(name)
    local cache = loader.loaded[mod.name]
    if not cache then
      cache = {}
      loader.loaded[mod.name] = cache
    end
    local key = file .. "\0" .. name
    if cache[key] == nil then
      local path = "__" .. mod.name .. "__/" .. file
      if loading[path .. "\0" .. name] then
        local cycle = {}
        for i = #stack, 1, -1 do
          table.insert(cycle, 1, stack[i])
          if stack[i] == path then break end
        end
        cycle[#cycle + 1] = path
        error(("require(%q): require cycle: %s; break it by moving what both files need into a third"):format(name, table.concat(cycle, " -> ")), 2)
      end
      loading[path .. "\0" .. name] = true
      stack[#stack + 1] = path
      local ok, result = pcall(run, mod, file, text, name)
      stack[#stack] = nil
      loading[path .. "\0" .. name] = nil
      if not ok then error(result, 0) end
      if cache[key] == nil then cache[key] = result == nil and true or result end
    end
    return cache[key]
  end

  --- require(name) as if from a file at the root of `mod`, for code outside the mods (the
  --- test's own require of the game's Lua; see M.install_searcher).
  function loader.require_at(mod, name)
    local previous = current
    current = { mod = mod, dir = "" }
    local ok, result = pcall(loader.require, name)
    current = previous
    if not ok then error(result, 0) end
    return result
  end

  --- Runs a stage file (data.lua, …) of `mod` if the mod has it; true when it ran.
  function loader.run_file(mod, rel)
    local text = read(mod, rel)
    if not text then return false end
    local path = "__" .. mod.name .. "__/" .. rel
    stack[#stack + 1] = path
    local ok, result = pcall(run, mod, rel, text)
    stack[#stack] = nil
    if not ok then error(result, 0) end
    return true
  end

  return loader
end

--- The stage files, each run for every mod before the next, as the game runs them.
M.STEPS = {
  settings = { "settings.lua", "settings-updates.lua", "settings-final-fixes.lua" },
  data = { "data.lua", "data-updates.lua", "data-final-fixes.lua" },
}

local exists = require("factorio_mocks.files").exists
M.exists = exists

--- `read(mod, rel)` for M.new: mod files through fm.mods.read_file, so a zip reads like a folder;
--- a game mod reads through its own `read` (the dataset's copy, or the game folder).
function M.reader(fm)
  return function(mod, rel)
    if mod.read then return mod.read(rel) end
    if not mod.path then return nil end
    return fm.mods.read_file(mod, rel)
  end
end

--- The game's own mods in a game data folder, in the order they load.
M.GAME_MODS = { "core", "base", "elevated-rails", "quality", "space-age", "recycler" }

--- The game mods whose Lua `dataset` (an opened dataset, see factorio_mocks.dataset) carries, as
--- mod tables whose files come from the dataset: `require("util")` and `__base__/…` need no
--- game folder.
local game_mods_of = setmetatable({}, { __mode = "k" }) -- opened dataset → its game mods' names and dependencies

function M.dataset_game_mods(dataset)
  local list, native = {}, dataset.native
  local known = game_mods_of[native]
  if not known then
    known = {}
    for _, name in ipairs(native:game_mods()) do
      -- Dependencies as info.json writes them (the game's own mods use plain names and
      -- prefixes, no escapes), for their load order; core has none.
      local dependencies = {}
      local info = native:game_file(name, "info.json")
      local listed = info and info:match('"dependencies"%s*:%s*(%b[])')
      for text in (listed or ""):gmatch('"([^"\\]*)"') do dependencies[#dependencies + 1] = text end
      known[#known + 1] = { name = name, dependencies = dependencies }
    end
    game_mods_of[native] = known
  end
  for _, mod in ipairs(known) do
    local name = mod.name
    local dependencies = {}
    for i, text in ipairs(mod.dependencies) do dependencies[i] = text end
    list[#list + 1] = {
      name = name, version = dataset.factorio_version or "0.0.0", dependencies = dependencies, game = true,
      read = function(rel) return native:game_file(name, rel) end,
    }
  end
  return list
end

--- Folders of a game mod whose modules the game generates at build time; the game's public copy
--- of its Lua (wube/factorio-data) lacks them.
M.GENERATED = { "^graphics/", "^sound/", "^menu%-simulations/" }

local SPRITE_PLACEHOLDER = "-- Placeholder made by factorio-mocks (scripts/pack-game-lua.py): the game generates this\n"
  .. "-- module at build time and its public copy lacks it.\n"
  .. "return {width = 1, height = 1, shift = {0, 0}, line_length = 1, frames = 1}\n"

--- The placeholder for module `rel` (a path ending in .lua) of game mod `mod_name`, or nil when
--- `rel` is not a generated module: a 1x1 single-frame sprite table (what the built-in dataset's
--- copy of core and base holds, scripts/pack-game-lua.py), and under sound/ambient/ an
--- ambient-sound prototype named after the module (`space-age`'s ambient-sounds.lua lists one
--- per track), as ../shared/data/data-raw/space-age-2.0.77.json.gz was made.
function M.placeholder(mod_name, rel)
  if not rel:find("%.lua$") then return nil end
  for _, pattern in ipairs(M.GENERATED) do
    if rel:find(pattern) then
      if rel:find("^sound/ambient/") then
        local name = "__" .. mod_name .. "__/" .. rel:gsub("%.lua$", "")
        return ("-- Placeholder made by factorio-mocks: the game generates this module at build time.\n"
          .. "return {type = \"ambient-sound\", name = %q, track_type = \"main-track\", sound = {filename = \"x.ogg\"}}\n"):format(name)
      end
      return SPRITE_PLACEHOLDER
    end
  end
  return nil
end

--- The mod tables of the game's mods present in `data_dir`, in the game's order. core is the
--- root of everything: no dependencies, and its info.json has no version (it takes the game's,
--- from base). A game mod that cannot load is an error naming it. Files the game's public copy
--- lacks (engine-generated sprite tables, ambient music lists, menu simulations) come from
--- `dataset` when it has them (the built-in one has core's and base's of 2.0.77), else from
--- M.placeholder: a folder of any version, with or without the expansions, runs as shipped.
function M.game_mods(fm, data_dir, dataset)
  local list, base_version = {}, nil
  local fallback = dataset and dataset.native
  if exists(data_dir .. "/base/info.json") then
    local ok, base = pcall(fm.mods.load, data_dir .. "/base")
    if ok then base_version = base.version end
  end
  for _, name in ipairs(M.GAME_MODS) do
    local dir = data_dir .. "/" .. name
    local mod
    if name == "core" then
      if exists(dir .. "/info.json") or exists(dir .. "/data.lua") or exists(dir .. "/lualib/util.lua") then
        mod = { name = "core", version = base_version or (dataset and dataset.factorio_version) or "0.0.0", dependencies = {}, path = dir, game = true }
      end
    elseif exists(dir .. "/info.json") then
      local ok, loaded = pcall(fm.mods.load, dir)
      if not ok then
        error(("factorio_data: the game's mod %s (%s) cannot load: %s"):format(name, dir, tostring(loaded):gsub("^fm%.mods%.load: ", "")), 0)
      end
      mod = loaded
      mod.game = true
    end
    if mod then
      local disk = mod
      mod.read = function(rel)
        local text = fm.mods.read_file(disk, rel)
        if text then return text end
        -- Only a generated module comes from elsewhere: the folder's own files are its version's.
        local placeholder = M.placeholder(name, rel)
        if not placeholder then return nil end
        return fallback and fallback:game_file(name, rel) or placeholder
      end
      list[#list + 1] = mod
    end
  end
  if #list == 0 or list[1].name ~= "core" then
    error(("factorio_data: %s has no core mod (core/lualib/util.lua); pass the game's data folder, the one holding core and base"):format(data_dir), 0)
  end
  return list
end

local searchers = package.searchers or package.loaders

--- Lets the test's own `require` (and the mod files it requires through package.path) reach the
--- game's Lua of the current session, as a mod's require would: `util`, `mod-gui` and the rest of
--- core/lualib, and `__core__/…`, `__base__/…`. It is the last searcher, so the test's package.path
--- still wins, as a mod's own files win over core/lualib in the game. `session_of()` gives the
--- session's {loader =, mods =} or nil.
function M.install_searcher(session_of)
  for _, s in ipairs(searchers) do
    if s == M.searcher then return end
  end
  M.searcher = function(name)
    local game = session_of()
    if not game or type(name) ~= "string" then return nil end
    local other = name:match("^__([^/]+)__[/.]")
    local full = other and name or ("__core__/lualib/" .. name)
    local mod = game.mods[other or "core"]
    if not mod or name:find("%.%.") then return nil end
    local rel = split_path(full:gsub("^__[^/]+__[/.]", "")) .. ".lua"
    if not mod.read(rel) then
      return ("\n\tno file '__%s__/%s' in the game's Lua of the dataset"):format(mod.name, rel)
    end
    return function() return game.loader.require_at(mod, full) end
  end
  searchers[#searchers + 1] = M.searcher
end

function M.remove_searcher()
  for i = #searchers, 1, -1 do
    if searchers[i] == M.searcher then table.remove(searchers, i) end
  end
end

--- Runs `stage`'s steps for the `ordered` mods with `loader`.
function M.run_steps(loader, ordered, stage)
  for _, step in ipairs(M.STEPS[stage]) do
    for _, mod in ipairs(ordered) do loader.run_file(mod, step) end
  end
end

--- The settings stage of the `ordered` mods, apart from `env` (the game runs it in its own Lua
--- state): returns its data.raw, the setting prototypes.
function M.settings_stage(env, mods, ordered, read, active_mods)
  local settings_env = setmetatable({ mods = {} }, { __index = env })
  for name, version in pairs(active_mods or {}) do settings_env.mods[name] = version end
  settings_env.data = data_stage.new_data({}, rawget(env, "serpent") or serpent)
  M.run_steps(M.new(settings_env, mods, read), ordered, "settings")
  return settings_env.data.raw
end

return M
