-- What the control stage mocks, by name: per game version and runtime class, every member of the
-- API description, mocked ([x]) or not ([ ]), with the class's page of the game's API docs
-- (`LuaPlayer < LuaControl`: a member LuaPlayer inherits is marked with the class declaring it;
-- the total sums each class's own members, so a member counts once).
--
--   lua5.2 scripts/coverage.lua [--version 2.1.9] [--class LuaPlayer] [--summary] [--markdown]
--
-- (with build/lua52 on package.cpath; `make coverage` runs it, `make coverage COVERAGE_ARGS=…`
-- passes options). --summary prints only the per-class counts; --markdown the README's table
-- of the classes with behaviour beyond valid and object_name; --version and --class keep one version or class.
-- `valid` and `object_name` count as mocked: every object answers them.
local fm = require("factorio_mocks")

local opts = { versions = nil, class = nil, summary = false, markdown = false }
local i = 1
while arg[i] do
  local a = arg[i]
  if a == "--version" then
    i = i + 1; opts.versions = { arg[i] }
  elseif a == "--class" then
    i = i + 1; opts.class = arg[i]
  elseif a == "--summary" then
    opts.summary = true
  elseif a == "--markdown" then
    opts.markdown = true
  else
    io.stderr:write("coverage.lua: unknown option " .. a .. " (--version V, --class LuaX, --summary, --markdown)\n")
    os.exit(2)
  end
  i = i + 1
end
opts.versions = opts.versions or fm.builtin_versions()

-- The rows of each version, from a control-stage session of that version.
local by_version = {}
for n, version in ipairs(opts.versions) do
  fm.setup{ stage = "control", game_version = version }
  opts.versions[n] = fm.game_version()        -- "2.0" is 2.0.77
  by_version[opts.versions[n]] = fm.coverage()
  fm.teardown()
end

if opts.markdown then
  -- One row per class with behaviour in any version; each count links that version's page.
  local classes, counts = {}, {}
  for _, version in ipairs(opts.versions) do
    for _, row in ipairs(by_version[version]) do
      counts[row.class] = counts[row.class] or {}
      counts[row.class][version] = row
      local behaviour = false
      for _, m in ipairs(row.members) do
        if m.mocked and m.name ~= "valid" and m.name ~= "object_name" then behaviour = true end
      end
      if behaviour and not classes[row.class] then
        classes[row.class] = true
        classes[#classes + 1] = row.class
      end
    end
  end
  table.sort(classes)
  local head, rule = { "| class |" }, { "|---|" }
  for _, version in ipairs(opts.versions) do
    head[#head + 1] = " " .. version .. " |"
    rule[#rule + 1] = "---:|"
  end
  print(table.concat(head)); print(table.concat(rule))
  for _, class in ipairs(classes) do
    local line = { "| `" .. class .. "` |" }
    for _, version in ipairs(opts.versions) do
      local row = counts[class][version]
      line[#line + 1] = row and (" [%d / %d](%s) |"):format(row.done, row.total, row.url) or " (none) |"
    end
    print(table.concat(line))
  end
  return
end

for _, version in ipairs(opts.versions) do
  local done, total = 0, 0
  print("== game version " .. version)
  for _, row in ipairs(by_version[version]) do
    if not opts.class or row.class == opts.class then
      for _, m in ipairs(row.members) do
        if not m.from then
          total = total + 1
          if m.mocked then done = done + 1 end
        end
      end
      local name = row.parent and row.class .. " < " .. row.parent or row.class
      print(("%-40s %4d / %4d  %s"):format(name, row.done, row.total, row.url))
      if not opts.summary then
        for _, m in ipairs(row.members) do
          local label = m.kind == "method" and m.name .. "()" or ("%s  (%s)"):format(m.name, m.mode)
          if m.from then label = label .. "  from " .. m.from end
          print(("  [%s] %s"):format(m.mocked and "x" or " ", label))
        end
      end
    end
  end
  print(("%-40s %4d / %4d  (game version %s; own members, valid and object_name count)"):format("all classes", done, total, version))
end
