-- Coverage of a mod's own files with LuaCov (`busted --coverage`).
--
-- A mod's files run under the game's chunk names (`@__my-mod__/control.lua`), so errors read as
-- the game's do; LuaCov keys its counts by that name and its reporter cannot open it. Installed
-- into LuaCov's runner, this module renames each count to the file on disk when LuaCov saves
-- (`control.lua` from the mod's folder, relative to the current folder when it is under it) and
-- leaves out what is not the mod's: factorio_mocks' own embedded chunks (`factorio_mocks/…`,
-- `src/….rs:N`), the game's mods (`__core__/…`, `__base__/…`, from the dataset or a game
-- folder) and mods read from a zip. Chunk names, and so error messages, do not change.
--
-- factorio_mocks installs it by itself when LuaCov's runner is loaded before it (busted
-- --coverage, `lua -lluacov`); otherwise `require("factorio_mocks.luacov").install()` once
-- LuaCov runs.

local mod_loader = require("factorio_mocks.mod_loader")

local M = {}

local function current_dir()
  local dir = os.getenv("PWD")
  if not dir or dir == "" then
    local pipe = io.popen("pwd 2>/dev/null")
    dir = pipe and pipe:read("*l") or ""
    if pipe then pipe:close() end
  end
  return (dir:gsub("/+$", ""))
end

-- `a/./b/` → `a/b/`; `./x` → `x`; under `cwd` → relative to it.
local function tidy(path, cwd)
  path = path:gsub("\\", "/"):gsub("/%./", "/"):gsub("//+", "/"):gsub("^%./", "")
  if cwd ~= "" and path:sub(1, #cwd + 1) == cwd .. "/" then path = path:sub(#cwd + 2) end
  return path
end

--- The name LuaCov should report for `name` (a chunk name without its `@`, as LuaCov's hook
--- keys it): the path on disk of a mod file, false for a chunk that is not the mod's (left
--- out of the report), or nil for any other file (kept as it is).
function M.report_name(name, cwd)
  name = name:gsub("\\", "/"):gsub("^%./", "")
  if name:match("^__[^/]+__/") then
    local file = mod_loader.files_on_disk[name]
    return file and tidy(file, cwd or current_dir()) or false
  end
  if name:match("^factorio_mocks/") or name:match("%.rs:%d+$") then return false end
  return nil
end

--- Renames the counts in `data` (LuaCov's runner.data: name → line counts) in place, merging
--- counts that land on the same file (a file run both as `__my-mod__/data.lua` and through the
--- test's own `require("data")`).
function M.rename(data, update_stats)
  local cwd = current_dir()
  local moved = {}
  for name in pairs(data) do
    local new = M.report_name(name, cwd)
    if new ~= nil then moved[#moved + 1] = { name, new } end
  end
  for _, move in ipairs(moved) do
    local name, new = move[1], move[2]
    local stats = data[name]
    data[name] = nil
    if new then
      if data[new] then update_stats(data[new], stats) else data[new] = stats end
    end
  end
  return data
end

--- Installs the renaming into LuaCov's runner (default: the loaded `luacov.runner`); true when
--- it is installed, false when LuaCov is not loaded. Installing twice changes nothing.
function M.install(runner)
  runner = runner or package.loaded["luacov.runner"]
  if type(runner) ~= "table" or type(runner.save_stats) ~= "function" then return false end
  if runner.factorio_mocks_installed then return true end
  runner.factorio_mocks_installed = true

  -- LuaCov's include/exclude patterns see the name the report will show; ours never count.
  local file_included = runner.file_included
  runner.file_included = function(name)
    local new = M.report_name(name)
    if new == false then return false end
    return file_included(new or name)
  end

  local save_stats = runner.save_stats
  runner.save_stats = function(...)
    M.rename(runner.data, runner.update_stats)
    return save_stats(...)
  end
  return true
end

return M
