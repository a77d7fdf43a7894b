-- LuaPrototypes (prototypes): a LuaCustomTable per family, get_*_filtered.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")
local api = classes.api

local defaults = prototypes.defaults

local filters = require("factorio_mocks.control.prototype_filters")

local protos = classes.impl("LuaPrototypes")
for family, attr in pairs(api.classes.LuaPrototypes.a) do
  if attr:find("LuaCustomTable<", 1, true) and attr ~= "r:LuaCustomTable<MapGenPreset>" then
    protos.get[family] = function(d)
      local state = d.state
      local tables = state.prototype_tables
      if not tables[family] then
        tables[family] = classes.custom_table(
          function(name) return prototypes.get(state, family, name) end,
          function() return prototypes.family_raw(state, family).names end)
      end
      return tables[family]
    end
  end
end

-- get_entity_filtered and the other get_*_filtered: a custom table of the prototypes that pass.

for method in pairs(api.classes.LuaPrototypes.m) do
  local family = method:match("^get_(.+)_filtered$")
  if family then
    local concept   -- get_mod_setting_filtered takes ModSettingPrototypeFilter …
    for name in pairs(defaults.filters) do
      if name:lower() == (family:gsub("_", "") .. "prototypefilter") then concept = name end
    end
    protos.call[method] = function(d, list)
      local state = d.state
      local ok, err = pcall(filters.check, concept, list)
      if not ok then error(err, 2) end
      local names = {}
      local all = prototypes.family_raw(state, family)
      for _, name in ipairs(all.names) do
        ok, err = pcall(filters.evaluate, concept, list, all.by_name[name], state)
        if not ok then error(err, 2) end
        if err then names[#names + 1] = name end
      end
      local set = {}
      for _, name in ipairs(names) do set[name] = true end
      return classes.custom_table(
        function(name) return set[name] and prototypes.get(state, family, name) or nil end,
        function() return names end)
    end
  end
end

--- The items that place entity prototype `raw`: its placeable_by ({item, count} or a list of
