-- Running a mod's files as the game does: `require` resolved from the mod, never from the
-- test's package.path.
--
-- Resolution of require(name) for a file of mod M (the game's rules, as documented in the
-- README): `__other-mod__/path` or `__other-mod__.path` reaches another mod's root; otherwise
-- the path is tried next to the requiring file, then at M's root, then in core/lualib when a
-- game data folder is given. Dots and slashes both separate folders; `..` and absolute paths
-- are refused. Each mod has its own cache of loaded files, keyed by the resolved file.
--
-- One loader is one Lua state of the game: the data stage shares one among all mods; the
-- control stage makes one per mod (each mod has its own state there), with `opts.outside`
-- set, since the game allows require only while control.lua is being parsed.

local chunk = require("factorio_mocks.chunk")

local M = {}

local function split_path(name)
  local rel = name:gsub("%.lua$", ""):gsub("%.", "/")
  return rel
end

local function load_text(text, chunkname, env)
  local fn, err = chunk.load(text, chunkname, env)
  if not fn then error(err, 0) end
  return fn
end

--- A loader over `mods` (name → mod table from fm.mods.load) that runs files in `env`.
--- `read(mod, rel)` returns a file's text or nil; `lualib` is core/lualib's folder or nil.
--- `opts.outside`: the error for a require made while none of this loader's files runs (a
--- `require` kept in a local and called from an event handler).
function M.new(env, mods, read, lualib, opts)
  opts = opts or {}
  local loader = { loaded = {} }
  local current -- {mod = …, dir = …} of the file running now

  -- Level 4: blame the mod's line that called require (refuse < find < loader.require < mod).
  local function refuse(name, why)
    error(("require(%q): %s"):format(name, why), 4)
  end

  local function find(name)
    if type(name) ~= "string" then refuse(tostring(name), "expected a module name string") end
    if name:find("%.%.") then refuse(name, "'..' is not allowed; a mod may only require its own files or __mod__/ paths") end
    local target, rel = current.mod, nil
    local other, rest = name:match("^__([^/]+)__[/.](.+)$")
    if other then
      target = mods[other]
      if not target then refuse(name, ("mod %q is not loaded; add it to run_stage's mods"):format(other)) end
      rel = split_path(rest)
    else
      rel = split_path(name)
    end
    if rel:find("^/") or rel:find("^%a:") then refuse(name, "absolute paths are not allowed; require from the mod's root") end
    local candidates = {}
    if not other and current.dir ~= "" then candidates[#candidates + 1] = current.dir .. rel .. ".lua" end
    candidates[#candidates + 1] = rel .. ".lua"
    for _, file in ipairs(candidates) do
      local text = read(target, file)
      if text then return target, file, text end
    end
    if not other and lualib then
      local f = io.open(lualib .. "/" .. rel .. ".lua", "rb")
      if f then
        local text = f:read("*a")
        f:close()
        return mods.core or { name = "core" }, "lualib/" .. rel .. ".lua", text
      end
    end
    local tried = {}
    for _, file in ipairs(candidates) do tried[#tried + 1] = "__" .. target.name .. "__/" .. file end
    if not other and lualib then tried[#tried + 1] = "__core__/lualib/" .. rel .. ".lua" end
    refuse(name, "module not found; tried " .. table.concat(tried, ", "))
  end

  --- Runs `rel` of `mod` (or its preloaded `text`) with `require` bound to that mod.
  local function run(mod, rel, text)
    -- Compiled before `require` is swapped, so a syntax error leaves the environment as it was.
    local chunk = load_text(text, "@__" .. mod.name .. "__/" .. rel, env)
    local previous, previous_require = current, rawget(env, "require")
    current = { mod = mod, dir = rel:match("^(.*/)") or "" }
    rawset(env, "require", loader.require)
    local ok, result = pcall(chunk)
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
    if cache[file] == nil then
      local result = run(mod, file, text)
      if cache[file] == nil then cache[file] = result == nil and true or result end
    end
    return cache[file]
  end

  --- Runs a stage file (data.lua, …) of `mod` if the mod has it; true when it ran.
  function loader.run_file(mod, rel)
    local text = read(mod, rel)
    if not text then return false end
    local cache = loader.loaded[mod.name] or {}
    loader.loaded[mod.name] = cache
    cache[rel] = run(mod, rel, text) or true
    return true
  end

  return loader
end

--- The stage files, each run for every mod before the next, as the game runs them.
M.STEPS = {
  settings = { "settings.lua", "settings-updates.lua", "settings-final-fixes.lua" },
  data = { "data.lua", "data-updates.lua", "data-final-fixes.lua" },
}

--- The game's own mods in a game data folder, in the order they load.
M.GAME_MODS = { "core", "base", "elevated-rails", "quality", "space-age" }

local exists = require("factorio_mocks.files").exists
M.exists = exists

--- `read(mod, rel)` for M.new: mod files through fm.mods.read_file, so a zip reads like a folder.
function M.reader(fm)
  return function(mod, rel)
    if not mod.path then return nil end
    return fm.mods.read_file(mod, rel)
  end
end

--- The mod tables of the game's mods present in `data_dir`. core is the root of everything
--- (no dependencies), and some game versions ship it without an info.json.
function M.game_mods(fm, data_dir)
  local list = {}
  for _, name in ipairs(M.GAME_MODS) do
    local dir = data_dir .. "/" .. name
    local mod
    if exists(dir .. "/info.json") then
      local ok, loaded = pcall(fm.mods.load, dir)
      if ok then mod = loaded end
    elseif name == "core" and (exists(dir .. "/data.lua") or exists(dir .. "/lualib/util.lua")) then
      mod = { name = "core", version = "0.0.0", dependencies = {}, path = dir }
    end
    if mod then
      if name == "core" then mod.dependencies = {} end
      list[#list + 1] = mod
    end
  end
  return list
end

--- Runs `stage`'s steps for the `ordered` mods with `loader`.
function M.run_steps(loader, ordered, stage)
  for _, step in ipairs(M.STEPS[stage]) do
    for _, mod in ipairs(ordered) do loader.run_file(mod, step) end
  end
end

--- The settings stage of the `ordered` mods, apart from `env` (the game runs it in its own Lua
--- state): returns its data.raw, the setting prototypes.
function M.settings_stage(env, mods, ordered, read, lualib, active_mods)
  local data_stage = require("factorio_mocks.stage.data")
  local settings_env = setmetatable({ mods = {} }, { __index = env })
  for name, version in pairs(active_mods or {}) do settings_env.mods[name] = version end
  settings_env.data = data_stage.new_data({}, rawget(env, "serpent") or require("factorio_mocks.serpent"))
  M.run_steps(M.new(settings_env, mods, read, lualib), ordered, "settings")
  return settings_env.data.raw
end

return M
