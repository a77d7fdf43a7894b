-- `prototypes` (2.0): read-only views of the dataset's data.raw, built lazily per family, with
-- runtime attributes mapped from the prototype fields.

local classes = require("factorio_mocks.control.classes")

local M = {}

local api = classes.api
-- Per prototype, the defaults the prototype API gives its properties (generated).
local defaults = require("factorio_mocks.control.prototype_defaults_" .. api.version:gsub("%.", "_"))
M.defaults = defaults

--- Whether data.raw type `typename` is `root` or descends from it (root: "TurretPrototype").
function M.descends(typename, root)
  local name = defaults.types[typename]
  while name do
    if name == root then return true end
    name = defaults.prototypes[name].parent
  end
  return false
end

--- The game's value of property `key` of a data.raw prototype: the property if set, else the
--- default the prototype API gives for the prototype's type (nil when it gives none).
function M.property(raw, key)
  local v = raw[key]
  if v ~= nil then return v end
  local name = defaults.types[raw.type]
  while name do
    local p = defaults.prototypes[name]
    local d = p.d[key]
    if d ~= nil then
      if type(d) ~= "table" then return d end
      if d.box then return d.box end
      if d.same_as == nil then return nil end
      return M.property(raw, d.same_as)
    end
    name = p.parent
  end
end

-- The one table of prototype families: LuaPrototypes attribute → data.raw types (nil: the
-- attribute's name with '-' for '_'). The control stage's `prototypes` and the locale's
-- __ITEM__/__ENTITY__/… tokens read it (M.family_types).
local FAMILY_TYPES = {
  item_group = { "item-group" }, item_subgroup = { "item-subgroup" },
  mod_data = { "mod-data" }, virtual_signal = { "virtual-signal" },
  -- Planets are space locations.
  space_location = { "space-location", "planet" },
  decorative = { "optimized-decorative" },
  mod_setting = { "bool-setting", "int-setting", "double-setting", "string-setting", "color-setting" },
}
local function split(list)
  local t = {}
  for v in list:gmatch("[^,]+") do t[#t + 1] = v end
  return t
end
FAMILY_TYPES.entity = split(api.prototype_types.entity)

FAMILY_TYPES.item = split(api.prototype_types.item)
FAMILY_TYPES.equipment = split(api.prototype_types.equipment)
FAMILY_TYPES.achievement = {}
for typename in pairs(defaults.types) do
  if M.descends(typename, "AchievementPrototype") then FAMILY_TYPES.achievement[#FAMILY_TYPES.achievement + 1] = typename end
end
table.sort(FAMILY_TYPES.achievement)

--- The data.raw types of prototype family `family` ("item", "entity", "space_location", …).
function M.family_types(family)
  return FAMILY_TYPES[family] or { (family:gsub("_", "-")) }
end

-- The locale section of a family's default localised_name ({"item-name.iron-plate"}).

M.split = split

local LOCALE_SECTION = {
  item = "item", entity = "entity", recipe = "recipe", technology = "technology", fluid = "fluid",
  tile = "tile", virtual_signal = "virtual-signal", quality = "quality", equipment = "equipment",
  space_location = "space-location", item_group = "item-group", achievement = "achievement",
}

M.LOCALE_SECTION = LOCALE_SECTION

-- Which data.raw type holds each prototype name, per dataset source and family (weak keys: a
-- dataset no session uses goes), learnt as a lookup builds the family's types one by one, so a
-- name read again in a later session builds only its own type. The dataset's data.raw never
-- changes, so what a source's index learnt stays true.
local indexes = setmetatable({}, { __mode = "k" })

local function family_index(source, family)
  local by_family = indexes[source]
  if not by_family then
    local present = {}
    for _, t in ipairs(source.types() or {}) do present[t] = true end
    by_family = { present = present }
    indexes[source] = by_family
  end
  local index = by_family[family]
  if not index then
    local types = {}
    for _, t in ipairs(M.family_types(family)) do
      if by_family.present[t] then types[#types + 1] = t end
    end
    index = { types = types, scanned = 0, type_of = {} }
    by_family[family] = index
  end
  return index
end

-- data.raw type `t` as this session's tables (built once per session).
local function built_type(state, t)
  local types = state.prototype_types
  if not types then types = {}; state.prototype_types = types end
  local built = types[t]
  if built == nil then
    built = state.session.dataset.source.build(t) or false
    types[t] = built
  end
  return built
end

-- Learns the names of the family's next unscanned type; returns its tables.
local function scan_next(state, index)
  local t = index.types[index.scanned + 1]
  local built = built_type(state, t)
  for name in pairs(built or {}) do
    if index.type_of[name] == nil then index.type_of[name] = t end
  end
  index.scanned = index.scanned + 1
  return built
end

--- The data.raw prototype `name` of `family`, or nil: builds only the type that holds it (and,
--- the first time a dataset is asked, the family's types before it).
local function raw_of(state, family, name)
  if name == nil then return nil end
  local index = family_index(state.session.dataset.source, family)
  local t = index.type_of[name]
  if t then
    local built = built_type(state, t)
    return built and built[name] or nil
  end
  while index.scanned < #index.types do
    local built = scan_next(state, index)
    if index.type_of[name] then return built[name] end
  end
  return nil
end
M.raw = raw_of

-- Every prototype of `family`: `by_name` (name → raw table) and the sorted `names`, built the
-- first time either is read (once per session). One prototype: raw_of, which builds one type.
local function complete_family(state, family, entry)
  local index = family_index(state.session.dataset.source, family)
  while index.scanned < #index.types do scan_next(state, index) end
  if not index.names then
    local names = {}
    for name in pairs(index.type_of) do names[#names + 1] = name end
    table.sort(names)
    index.names = names
  end
  local by_name, names = {}, {}
  for name, t in pairs(index.type_of) do by_name[name] = built_type(state, t)[name] end
  for i, name in ipairs(index.names) do names[i] = name end
  entry.by_name, entry.names = by_name, names
end

local function family_raw(state, family)
  -- Before prototypes.globals too (world's first surface asks for its planet).
  local cache = state.prototype_raw or {}
  state.prototype_raw = cache
  local entry = cache[family]
  if not entry then
    entry = setmetatable({}, { __index = function(e, key)
      if key ~= "by_name" and key ~= "names" then return nil end
      complete_family(state, family, e)
      return rawget(e, key)
    end })
    cache[family] = entry
  end
  return entry
end
M.family_raw = family_raw

--- The prototype object `name` of `family`, or nil.
function M.get(state, family, name)
  local objects = state.prototype_objects[family]
  if not objects then objects = {}; state.prototype_objects[family] = objects end
  local obj = objects[name]
  if obj then return obj end
  local raw = raw_of(state, family, name)
  if not raw then return nil end
  local attr = api.classes.LuaPrototypes.a[family]
  local class = attr and attr:match("LuaCustomTable<(.-)>") or "LuaPrototypeBase"
  if not api.classes[class] then class = "LuaPrototypeBase" end
  obj = classes.new(class, { state = state, family = family, raw = raw, name = name })
  objects[name] = obj
  return obj
end

local filters = require("factorio_mocks.control.prototype_filters")
filters.install(M)

--- them), else the items whose place_result it is (by name).
function M.items_to_place(state, raw)
  local list = {}
  local by = raw.placeable_by
  if by then
    if by.item then by = { by } end
    for i, v in ipairs(by) do list[i] = { name = v.item, count = v.count } end
    return list
  end
  for name, item_raw in pairs(family_raw(state, "item").by_name) do
    if item_raw.place_result == raw.name then list[#list + 1] = { name = name, count = 1 } end
  end
  table.sort(list, function(a, b) return a.name < b.name end)
  return list
end
-- The data.raw item that places entity prototype `raw` first, or nil.
local function placing_item(state, raw)
  local first = M.items_to_place(state, raw)[1]
  return first and raw_of(state, "item", first.name)
end

M.placing_item = placing_item

--- The subgroup name of a prototype as the game resolves it: its own, a recipe's main product's,
--- an entity's placing item's (as its order, EntityPrototype::order), "other" for items, fluids,
--- recipes and entities, else nil.
function M.subgroup_name(state, family, raw, d)
  if raw.subgroup then return raw.subgroup end
  if family == "entity" then
    local placing = placing_item(state, raw)
    return placing and M.subgroup_name(state, "item", placing) or "other"
  end
  if family == "recipe" then
    local main = classes.impl("LuaRecipePrototype").get.main_product(d or { state = state, raw = raw })
    local product_family = main and (main.type == "fluid" and "fluid" or main.type == "item" and "item")
    local product = product_family and raw_of(state, product_family, main.name)
    if product then return M.subgroup_name(state, product_family, product) end
  end
  return (family == "item" or family == "fluid" or family == "recipe") and "other" or nil
end

local function position(p) return { x = p.x or p[1], y = p.y or p[2] } end
function M.bounding_box(box)
  if box == nil then return nil end
  local out = { left_top = position(box.left_top or box[1]), right_bottom = position(box.right_bottom or box[2]) }
  local orientation = box.orientation or box[3]
  if orientation and orientation ~= 0 then out.orientation = orientation end
  return out
end

-- flags: "Active flags are in the dictionary as true"; has_flag tests one (entities and items).
local function flags(d)
  local set = {}
  for _, f in ipairs(d.raw.flags or {}) do set[f] = true end
  return set
end
local function has_flag(d, flag) return flags(d)[flag] == true end

M.flags, M.has_flag = flags, has_flag

-- Max health, of entities and their prototypes: EntityWithHealthPrototype's max_health (its
-- default from the prototype API); "0 if this is not an entity with health".
local function has_health(raw) return M.descends(raw.type, "EntityWithHealthPrototype") end
local function max_health(raw)
  if not has_health(raw) then return 0 end
  return M.property(raw, "max_health")
end

M.has_health, M.max_health = has_health, max_health

-- Inventories an entity type has, sized from the prototype's fields. A crafting machine's input
-- and output are 0 here: an entity's follow its recipe (LuaEntity's resize_crafter).
local MODULE_INVENTORY = {
  -- 2.0 also names the crafters' inventories furnace_*, assembling_machine_*, rocket_silo_* (the
  -- same values); 2.1 keeps only crafter_*, so these read the same in both versions.
  furnace = "crafter_modules", ["assembling-machine"] = "crafter_modules", lab = "lab_modules",
  ["mining-drill"] = "mining_drill_modules", beacon = "beacon_modules", ["rocket-silo"] = "crafter_modules",
}
--- The inventories an entity of data.raw prototype `raw` (type `t`) has: defines.inventory index →

M.MODULE_INVENTORY = MODULE_INVENTORY

--- size.
function M.inventory_sizes(state, raw, t)
  local inv = state.env_defines.inventory
  local out = {}
  if t == "container" or t == "logistic-container" or t == "infinity-container" then
    out[inv.chest] = raw.inventory_size or 16
  elseif t == "character" then
    out[inv.character_main], out[inv.character_guns], out[inv.character_ammo] = raw.inventory_size or 80, 3, 3
    out[inv.character_trash] = 0
  elseif t == "car" or t == "spider-vehicle" then
    out[inv.car_trunk] = raw.inventory_size or 80
  elseif t == "cargo-wagon" then
    out[inv.cargo_wagon] = raw.inventory_size or 40
  elseif t == "furnace" then
    out[inv.crafter_input], out[inv.crafter_output] = raw.source_inventory_size or 1, raw.result_inventory_size or 1
  elseif t == "assembling-machine" or t == "rocket-silo" then
    out[inv.crafter_input], out[inv.crafter_output] = 0, 0
  elseif t == "lab" then
    out[inv.lab_input] = #(raw.inputs or {})
  elseif t == "ammo-turret" then
    out[inv.turret_ammo] = raw.inventory_size or 1
  end
  local modules = MODULE_INVENTORY[t]
  if modules and (raw.module_slots or 0) > 0 then out[inv[modules]] = raw.module_slots end
  local energy = raw.energy_source
  if energy and energy.type == "burner" then
    out[inv.fuel] = energy.fuel_inventory_size or 1
    if (energy.burnt_inventory_size or 0) > 0 then out[inv.burnt_result] = energy.burnt_inventory_size end
  end
  return out
end

--- The tiles entity prototype `raw` covers, width and height (swapped when `sideways`, turned east
--- or west): tile_width and tile_height, else "calculated by the collision box width rounded up"
--- (EntityPrototype::tile_width); 0, 0 without a collision box.
function M.tile_size(raw, sideways)
  local box = raw.collision_box
  if not box then return 0, 0 end
  local lt, rb = box[1] or box.left_top, box[2] or box.right_bottom
  -- Map positions have 1/256 tile precision: a box a rounding error wider than a tile is one tile.
  local function round_up(size) return math.ceil(size - 1 / 512) end
  local w = raw.tile_width or round_up((rb[1] or rb.x) - (lt[1] or lt.x))
  local h = raw.tile_height or round_up((rb[2] or rb.y) - (lt[2] or lt.y))
  if sideways then w, h = h, w end
  return w, h
end

-- Ingredients, products and effects in the runtime's named shape.

local function copy_list(list, default_type)
  local out = {}
  for i, v in ipairs(list or {}) do
    local c = {}
    for k, x in pairs(v) do c[k] = x end
    -- Older list forms {"iron-plate", 2} become the runtime's named shape.
    if c.name == nil and c[1] then c.name, c.amount, c[1], c[2] = c[1], c[2] or 1, nil, nil end
    c.type = c.type or default_type
    out[i] = c
  end
  return out
end

M.copy_list = copy_list

function M.globals(state)
  state.prototype_raw = state.prototype_raw or {}
  state.prototype_types = state.prototype_types or {}
  state.prototype_objects, state.prototype_tables = {}, {}
  return classes.new("LuaPrototypes", { state = state })
end

return M
