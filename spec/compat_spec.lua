-- The compatibility tier: published mods nobody here wrote (../shared/real-mods/, see its
-- README) through the settings and data stages over the built-in dataset, and through a fixed
-- control-stage session. Prints one table, mod × step; every step must pass. Skipped, saying so,
-- without ../shared.

local fm = require("factorio_mocks")

local ROOT = "../shared/real-mods"
local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local STEPS = { "settings", "data", "setup", "init", "player", "ticks", "build", "shortcuts", "config", "save/load", "ticks2" }

local function list_mods()
  local names = {}
  local readme = io.open(ROOT .. "/README.md", "rb")
  if not readme then return names end
  for line in readme:lines() do
    local name = line:match("^| `([^`]+)` |")
    if name and exists(ROOT .. "/" .. name .. "/info.json") then names[#names + 1] = name end
  end
  readme:close()
  return names
end

-- The mod and the mods of the folder it needs (required dependencies), dependencies first.
local function with_libraries(name, seen, out)
  seen, out = seen or {}, out or {}
  if seen[name] then return out end
  seen[name] = true
  local mod = fm.mods.load(ROOT .. "/" .. name)
  for _, dep in ipairs(mod.dependencies) do
    if dep.kind == "required" and exists(ROOT .. "/" .. dep.name .. "/info.json") then
      with_libraries(dep.name, seen, out)
    end
  end
  out[#out + 1] = ROOT .. "/" .. name
  return out
end

local function first_line(err)
  return (tostring(err):gsub("\n.*", ""):sub(1, 160))
end

-- The mod's own entity that has an item placing it, for the build step.
local function own_entity(mod_path)
  local mine = {}
  local raw = data.raw
  for _, kind in ipairs({ "item", "item-with-entity-data" }) do
    for name, item in pairs(raw[kind] or {}) do
      if item.place_result then mine[#mine + 1] = { item = name, entity = item.place_result } end
    end
  end
  -- By name: the same entity every run (pairs order differs between runs and Luas).
  table.sort(mine, function(a, b) return a.entity < b.entity or (a.entity == b.entity and a.item < b.item) end)
  return mine
end

local mods = list_mods()
local results = {}

describe("compatibility tier: published mods", function()
  if #mods == 0 then
    pending("skipped: " .. ROOT .. " not found (the tier needs ../shared beside the repository)")
    return
  end

  after_each(function() fm.teardown() end)

  for _, name in ipairs(mods) do
    it(name, function()
      local row = {}
      results[#results + 1] = { name = name, row = row }
      local paths = with_libraries(name)
      local failed
      local function step(label, f)
        if failed then row[label] = "-" return end
        local ok, err = pcall(f)
        if ok then row[label] = "ok" else row[label] = first_line(err); failed = label .. ": " .. tostring(err) end
      end
      local base_entities = {}
      step("settings", function() fm.setup{ stage = "settings", load_mods = paths } end)
      step("data", function()
        fm.setup{ stage = "data" }
        for _, e in pairs(data.raw["container"]) do base_entities[e.name] = true end
        fm.setup{ stage = "data", load_mods = paths }
      end)
      local candidates = not failed and own_entity() or {}
      local own
      for _, c in ipairs(candidates) do
        if not base_entities[c.entity] and data.raw.item[c.item] then
          for _, list in pairs(data.raw) do
            local proto = type(list) == "table" and list[c.entity]
            if proto and proto.minable and proto.collision_box and not base_entities[c.entity] then own = own or c.entity end
          end
        end
      end
      local shortcuts, inputs = {}, {}
      for sname, s in pairs(not failed and data.raw.shortcut or {}) do if s.action == "lua" then shortcuts[#shortcuts + 1] = sname end end
      -- The game raises a custom input's event only when its action is "lua" (the default) and
      -- it is enabled; one linked to a game control fires with that control.
      for iname, input in pairs(not failed and data.raw["custom-input"] or {}) do
        if (input.action or "lua") == "lua" and input.enabled ~= false then inputs[#inputs + 1] = iname end
      end
      table.sort(shortcuts); table.sort(inputs)
      local player
      step("setup", function() fm.setup{ stage = "control", load_mods = paths } end)
      step("init", function() fm.init() end)
      step("player", function() player = fm.create_player{ name = "tester" } end)
      step("ticks", function() fm.tick(600) end)
      step("build", function()
        local chest = fm.build{ name = "iron-chest", position = { 3, 3 }, player = player }
        fm.mine(chest, player)
        if own then
          local e = fm.build{ name = own, position = { 10, 10 }, player = player }
          if e.valid then fm.mine(e, player) end
        end
      end)
      step("shortcuts", function()
        for _, s in ipairs(shortcuts) do
          fm.raise(defines.events.on_lua_shortcut, { player_index = player.index, prototype_name = s })
        end
        for _, input in ipairs(inputs) do
          fm.raise(input, { player_index = player.index, input_name = input, cursor_position = { x = 0, y = 0 } })
        end
      end)
      step("config", function()
        fm.configuration_changed{ mod_changes = {}, mod_startup_settings_changed = false, migration_applied = false }
      end)
      step("save/load", function() fm.load() end)
      step("ticks2", function() fm.tick(600) end)
      -- Lua 5.1 has no goto (5.2 syntax, which these mods use); LuaJIT and 5.2+ have it.
      if failed and _VERSION == "Lua 5.1" and not jit and failed:find("'=' expected near", 1, true) then
        for label, v in pairs(row) do if v ~= "ok" and v ~= "-" then row[label] = "5.1" end end
        pending(name .. ": Lua 5.1 cannot compile it (goto); run the tier on LuaJIT or 5.2+")
        return
      end
      if failed then error(name .. " failed at " .. failed, 0) end
    end)
  end

  teardown(function()
    if #results == 0 then return end
    local header = { ("%-28s"):format("mod") }
    for _, s in ipairs(STEPS) do header[#header + 1] = s end
    print("\ncompatibility tier: mod × step (ok, the error, or - after an earlier failure)")
    print(table.concat(header, " | "))
    local passed = 0
    for _, r in ipairs(results) do
      local cells, all = { ("%-28s"):format(r.name) }, true
      for _, s in ipairs(STEPS) do
        local v = r.row[s] or "-"
        if v ~= "ok" then all = false end
        cells[#cells + 1] = (v == "ok" or v == "-" or v == "5.1") and v or "FAIL"
      end
      if all then passed = passed + 1 end
      print(table.concat(cells, " | "))
      for _, s in ipairs(STEPS) do
        local v = r.row[s]
        if v and v ~= "ok" and v ~= "-" then print(("    %s at %s: %s"):format(r.name, s, v)) end
      end
    end
    print(("%d of %d mods pass every step"):format(passed, #results))
  end)
end)
