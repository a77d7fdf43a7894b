-- Prints, per runtime class, how many members of the API description have mock behaviour.
--   lua5.2 scripts/coverage.lua   (with build/lua52 on package.cpath; `make coverage` runs it)
local fm = require("factorio_mocks")
local rows = fm.coverage()
local done, total = 0, 0
for _, row in ipairs(rows) do
  done, total = done + row.done, total + row.total
  if row.done > 0 then print(("%-40s %4d / %4d"):format(row.class, row.done, row.total)) end
end
print(("%-40s %4d / %4d  (classes with none listed out; valid and object_name count)"):format("all classes", done, total))
