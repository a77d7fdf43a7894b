-- Throwaway files for specs: one place that makes temporary folders and writes trees of files.
local M = {}

--- A new empty folder under the system's temporary folder; `suffix` names it for readers.
function M.temp_dir(suffix)
  local dir = os.tmpname()
  os.remove(dir)
  if suffix then dir = dir .. "-" .. suffix end
  assert(os.execute(("mkdir -p %q"):format(dir)))
  return dir
end

--- A path for a file that does not exist yet (a test writes it).
function M.temp_path()
  local name = os.tmpname()
  os.remove(name)
  return name
end

--- True when a file (or folder) can be opened at `path`.
function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

--- The bytes of the file at `path`.
function M.read(path)
  local f = assert(io.open(path, "rb"))
  local bytes = f:read("*a")
  f:close()
  return bytes
end

--- Writes `files` ({relative path = text}) under `dir` (a new temporary folder when nil).
function M.write_tree(files, dir)
  dir = dir or M.temp_dir()
  for rel, text in pairs(files) do
    local path = dir .. "/" .. rel
    local parent = path:match("^(.*)/")
    assert(os.execute(("mkdir -p %q"):format(parent)))
    local f = assert(io.open(path, "wb"))
    f:write(text)
    f:close()
  end
  return dir
end

--- A mod folder with an info.json for `name` (version 0.1.0, depending on base) and `files`.
function M.mod_dir(name, files)
  local tree = { ["info.json"] = ('{"name": "%s", "version": "0.1.0", "title": "t", "author": "a", "factorio_version": "2.0"}'):format(name) }
  for rel, text in pairs(files) do tree[rel] = text end
  return M.write_tree(tree, M.temp_dir(name))
end

return M
