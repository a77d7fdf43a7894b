-- Plain file questions the shims ask (Lua has no stat): one place for them.

local M = {}

--- Whether `path` names a file that can be opened for reading.
function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

--- `path` with a leading `~/` read as the home folder, as a shell would.
function M.expand(path)
  local home = os.getenv("HOME")
  if type(path) == "string" and home and path:sub(1, 2) == "~/" then return home .. path:sub(2) end
  return path
end

return M
