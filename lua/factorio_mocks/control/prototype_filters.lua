-- LuaPrototypes.get_*_filtered: the prototype filters (EntityPrototypeFilter …) over data.raw.
--
-- Each filter kind is a test of one data.raw prototype; the kinds whose meaning the API
-- description leaves open, or whose data the dataset lacks, raise `not mocked: Concept.kind`.
-- Filters combine as the API says: `mode = "or"` (default) or `"and"` with the previous filter,
-- "and" binding tighter than "or"; `invert` negates one filter.

local M = {}

local COMPARE = {
  ["="] = function(a, b) return a == b end, [">"] = function(a, b) return a > b end,
  ["<"] = function(a, b) return a < b end, [">="] = function(a, b) return a >= b end,
  ["≥"] = function(a, b) return a >= b end, ["<="] = function(a, b) return a <= b end,
  ["≤"] = function(a, b) return a <= b end, ["!="] = function(a, b) return a ~= b end,
  ["≠"] = function(a, b) return a ~= b end,
}

local SI = { k = 1e3, M = 1e6, G = 1e9, T = 1e12, P = 1e15, E = 1e18, Z = 1e21, Y = 1e24, R = 1e27, Q = 1e30 }
--- Joules (or watts) of an Energy string ("4MJ"); nil for anything else.
local function energy(s)
  if type(s) ~= "string" then return nil end
  local n, prefix = s:match("^([%d%.eE+-]+)([kMGTPEZYRQ]?)[JW]$")
  n = tonumber(n)
  return n and n * (SI[prefix] or 1) or nil
end

local function one_of(value, wanted)
  if type(wanted) ~= "table" then return value == wanted end
  for _, w in ipairs(wanted) do if w == value then return true end end
  return false
end

local function contains(list, value)
  for _, v in ipairs(type(list) == "table" and list or {}) do if v == value then return true end end
  return false
end

local function compare(concept, f, value)
  local op = COMPARE[f.comparison]
  if not op then
    error(("%s: unknown comparison %q"):format(concept, tostring(f.comparison)), 0)
  end
  if type(f.value) ~= "number" then error(concept .. ": value: number expected, got " .. type(f.value), 0) end
  return value ~= nil and op(value, f.value)
end

--- Builds the kinds; P is the prototypes module (defaults, property, descends, family_raw, subgroup_name).
function M.install(P)
  local property, descends = P.property, P.descends
  local evaluate

  local function by_name(state, family, name)
    return name and name ~= "" and P.family_raw(state, family).by_name[name] or nil
  end
  -- A prototype that names another (place_result …), tested against nested filters if given.
  local function nested(concept, family, field)
    return function(raw, f, state)
      local target = by_name(state, family, field(raw))
      if not target then return false end
      return f.elem_filters == nil or evaluate(concept, f.elem_filters, target, state)
    end
  end
  local function flag(raw, f) return contains(raw.flags, f.flag) end
  local function class(root) return function(raw) return descends(raw.type, root) end end
  local function is(key) return function(raw) return property(raw, key) == true end end
  local function number(key) return function(raw, f, _, concept) return compare(concept, f, property(raw, key)) end end
  local function joules(key) return function(raw, f, _, concept) return compare(concept, f, energy(property(raw, key))) end end
  local function has(key) return function(raw) return raw[key] ~= nil end end
  local function of_type(raw, f) return one_of(raw.type, f.type) end
  local function named(raw, f) return one_of(raw.name, f.name) end
  local function subgroup(family)
    return function(raw, f, state) return P.subgroup_name(state, family, raw) == f.subgroup end
  end
  -- Items that place this (as an entity, tile or equipment), as items_to_place_this lists them.
  local function placed_by_item(field)
    return function(raw, _, state)
      if raw.placeable_by then return true end
      for _, item in pairs(P.family_raw(state, "item").by_name) do
        if field(item) == raw.name then return true end
      end
      return false
    end
  end
  local function recipe_list(key, item_type)
    return function(raw, f, state)
      local list = key == "ingredients" and (raw.ingredients or {}) or (raw.results or {})
      for _, entry in ipairs(list) do
        local t = entry.type or "item"
        if item_type == nil then return true end
        if t == item_type then
          local concept = t == "fluid" and "FluidPrototypeFilter" or "ItemPrototypeFilter"
          local target = by_name(state, t, entry.name or entry[1])
          if target and (f.elem_filters == nil or evaluate(concept, f.elem_filters, target, state)) then return true end
        end
      end
      return false
    end
  end
  local function unlocks(raw, f)
    for _, e in ipairs(raw.effects or {}) do
      if e.type == "unlock-recipe" and e.recipe == f.recipe then return true end
    end
    return false
  end
  local function research_ingredient(raw, f)
    for _, i in ipairs(raw.unit and raw.unit.ingredients or {}) do
      if (i.name or i[1]) == f.ingredient then return true end
    end
    return false
  end
  local CRAFTING = "CraftingMachinePrototype"

  M.kinds = {
    EntityPrototypeFilter = {
      type = of_type, name = named, flag = flag, hidden = is("hidden"),
      ["flying-robot"] = class("FlyingRobotPrototype"),
      ["robot-with-logistics-interface"] = class("RobotWithLogisticInterfacePrototype"),
      rail = class("RailPrototype"), explosion = class("ExplosionPrototype"), vehicle = class("VehiclePrototype"),
      ["crafting-machine"] = class(CRAFTING), ["rolling-stock"] = class("RollingStockPrototype"),
      turret = class("TurretPrototype"), ["entity-with-health"] = class("EntityWithHealthPrototype"),
      ["transport-belt-connectable"] = class("TransportBeltConnectablePrototype"),
      ghost = function(raw) return raw.type == "entity-ghost" or raw.type == "tile-ghost" end,
      minable = has("minable"), autoplace = has("autoplace"),
      ["item-to-place"] = placed_by_item(function(item) return item.place_result end),
      ["crafting-category"] = function(raw, f)
        return descends(raw.type, CRAFTING) and contains(raw.crafting_categories, f.crafting_category)
      end,
      ["build-base-evolution-requirement"] = number("build_base_evolution_requirement"),
      ["selection-priority"] = number("selection_priority"),
    },
    ItemPrototypeFilter = {
      type = of_type, name = named, flag = flag, hidden = is("hidden"),
      ["hidden-in-factoriopedia"] = is("hidden_in_factoriopedia"), ["is-parameter"] = is("parameter"),
      tool = class("ToolPrototype"), ["item-with-inventory"] = class("ItemWithInventoryPrototype"),
      ["selection-tool"] = class("SelectionToolPrototype"), ["item-with-label"] = class("ItemWithLabelPrototype"),
      ["has-rocket-launch-products"] = function(raw) return type(raw.rocket_launch_products) == "table" and #raw.rocket_launch_products > 0 end,
      fuel = function(raw) return (energy(property(raw, "fuel_value")) or 0) > 0 end,
      ["place-result"] = nested("EntityPrototypeFilter", "entity", function(raw) return raw.place_result end),
      ["burnt-result"] = nested("ItemPrototypeFilter", "item", function(raw) return raw.burnt_result end),
      ["place-as-tile"] = nested("TilePrototypeFilter", "tile", function(raw) return raw.place_as_tile and raw.place_as_tile.result end),
      ["placed-as-equipment-result"] = nested("EquipmentPrototypeFilter", "equipment", function(raw) return raw.place_as_equipment_result end),
      ["plant-result"] = nested("EntityPrototypeFilter", "entity", function(raw) return raw.plant_result end),
      ["spoil-result"] = nested("ItemPrototypeFilter", "item", function(raw) return raw.spoil_result end),
      subgroup = subgroup("item"),
      ["fuel-category"] = function(raw, f) return raw.fuel_category ~= nil and raw.fuel_category == f["fuel-category"] end,
      ["stack-size"] = number("stack_size"), ["fuel-value"] = joules("fuel_value"),
      ["fuel-acceleration-multiplier"] = number("fuel_acceleration_multiplier"),
      ["fuel-top-speed-multiplier"] = number("fuel_top_speed_multiplier"),
      ["fuel-emissions-multiplier"] = number("fuel_emissions_multiplier"),
    },
    RecipePrototypeFilter = {
      enabled = is("enabled"), hidden = is("hidden"), ["hidden-from-flow-stats"] = is("hide_from_stats"),
      ["hidden-from-player-crafting"] = is("hide_from_player_crafting"),
      ["allow-as-intermediate"] = is("allow_as_intermediate"), ["allow-intermediates"] = is("allow_intermediates"),
      ["allow-decomposition"] = is("allow_decomposition"), ["always-show-made-in"] = is("always_show_made_in"),
      ["always-show-products"] = is("always_show_products"), ["show-amount-in-title"] = is("show_amount_in_title"),
      ["has-ingredients"] = recipe_list("ingredients"), ["has-products"] = recipe_list("results"),
      ["has-ingredient-item"] = recipe_list("ingredients", "item"), ["has-ingredient-fluid"] = recipe_list("ingredients", "fluid"),
      ["has-product-item"] = recipe_list("results", "item"), ["has-product-fluid"] = recipe_list("results", "fluid"),
      subgroup = subgroup("recipe"),
      category = function(raw, f) return property(raw, "category") == f.category end,
      energy = number("energy_required"), ["emissions-multiplier"] = number("emissions_multiplier"),
      ["request-paste-multiplier"] = number("requester_paste_multiplier"),
      ["overload-multiplier"] = number("overload_multiplier"),
    },
    FluidPrototypeFilter = {
      hidden = is("hidden"), name = named, subgroup = subgroup("fluid"),
      ["default-temperature"] = number("default_temperature"), ["max-temperature"] = number("max_temperature"),
      ["heat-capacity"] = joules("heat_capacity"), ["fuel-value"] = joules("fuel_value"),
      ["emissions-multiplier"] = number("emissions_multiplier"),
      -- Default: "max value of float".
      ["gas-temperature"] = function(raw, f, _, concept) return compare(concept, f, raw.gas_temperature or 3.4028234663852886e38) end,
    },
    TechnologyPrototypeFilter = {
      enabled = is("enabled"), hidden = is("hidden"), upgrade = is("upgrade"),
      ["visible-when-disabled"] = is("visible_when_disabled"),
      ["has-effects"] = function(raw) return type(raw.effects) == "table" and #raw.effects > 0 end,
      ["has-prerequisites"] = function(raw) return type(raw.prerequisites) == "table" and #raw.prerequisites > 0 end,
      ["research-unit-ingredient"] = research_ingredient, ["unlocks-recipe"] = unlocks,
    },
    TilePrototypeFilter = {
      minable = has("minable"), autoplace = has("autoplace"),
      ["item-to-place"] = placed_by_item(function(item) return item.place_as_tile and item.place_as_tile.result end),
      ["walking-speed-modifier"] = number("walking_speed_modifier"),
      ["vehicle-friction-modifier"] = number("vehicle_friction_modifier"),
      ["decorative-removal-probability"] = number("decorative_removal_probability"),
    },
    DecorativePrototypeFilter = { autoplace = has("autoplace") },
    AchievementPrototypeFilter = { type = of_type, ["allowed-without-fight"] = is("allowed_without_fight") },
    EquipmentPrototypeFilter = {
      type = of_type,
      ["item-to-place"] = placed_by_item(function(item) return item.place_as_equipment_result end),
    },
    ModSettingPrototypeFilter = {
      type = of_type, ["setting-type"] = function(raw, f) return raw.setting_type == f.type end,
    },
  }

  -- The concept of each kind's elem_filters.
  local NESTED = {
    ItemPrototypeFilter = { ["place-result"] = "EntityPrototypeFilter", ["burnt-result"] = "ItemPrototypeFilter",
      ["place-as-tile"] = "TilePrototypeFilter", ["placed-as-equipment-result"] = "EquipmentPrototypeFilter",
      ["plant-result"] = "EntityPrototypeFilter", ["spoil-result"] = "ItemPrototypeFilter" },
    RecipePrototypeFilter = { ["has-ingredient-item"] = "ItemPrototypeFilter", ["has-ingredient-fluid"] = "FluidPrototypeFilter",
      ["has-product-item"] = "ItemPrototypeFilter", ["has-product-fluid"] = "FluidPrototypeFilter" },
  }
  local known = {}
  for concept, list in pairs(P.defaults.filters) do
    known[concept] = {}
    for kind in list:gmatch("[^,]+") do known[concept][kind] = true end
  end

  --- Checks `filters` before any prototype is tested, nested ones too (errors carry no place).
  local function check(concept, filters)
    if type(filters) ~= "table" then error(concept .. ": array expected, got " .. type(filters), 0) end
    for i, f in ipairs(filters) do
      if type(f) ~= "table" then error(("%s: table expected at index %d, got %s"):format(concept, i, type(f)), 0) end
      -- The game's words for a missing required field.
      if f.filter == nil then error("value for required field 'filter' is missing", 0) end
      -- Our words, as for script.on_event's filters: the game's were not found.
      if not known[concept][f.filter] then error(("%s: unknown filter %q at index %d"):format(concept, tostring(f.filter), i), 0) end
      if not M.kinds[concept][f.filter] then error("not mocked: " .. concept .. "." .. f.filter, 0) end
      if f.mode ~= nil and f.mode ~= "or" and f.mode ~= "and" then
        error(("%s: mode must be \"or\" or \"and\", got %q"):format(concept, tostring(f.mode)), 0)
      end
      local inner = NESTED[concept] and NESTED[concept][f.filter]
      if inner and f.elem_filters ~= nil then check(inner, f.elem_filters) end
    end
  end
  M.check = check

  -- Whether `raw` passes checked `filters`: an OR of AND-groups.
  evaluate = function(concept, filters, raw, state)
    local kinds = M.kinds[concept]
    local result, group = false, nil
    for i, f in ipairs(filters) do
      local pass = kinds[f.filter](raw, f, state, concept) and true or false
      if f.invert then pass = not pass end
      if i == 1 or (f.mode or "or") == "or" then
        result = result or (group == true)
        group = pass
      else
        group = group and pass
      end
    end
    return result or group == true
  end
  M.evaluate = evaluate
end

return M
