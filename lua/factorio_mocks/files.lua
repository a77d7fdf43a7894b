-- Plain file questions the shims ask (Lua has no stat): one place for them.

local M = {}

--- Whether `path` names a file that can be opened for reading.
function M.exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

return M
