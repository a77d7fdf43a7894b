-- The runtime's part: writes the dataset into script-output/factorio-mocks-generator/.
--
-- The prototype/ files were serialized by data-final-fixes.lua and arrive in the hidden
-- mod-data prototype; the runtime adds what only it has (defines, `prototypes` in the game's
-- order, runtime settings, the game version) and metadata.lua with an Adler-32 checksum of every
-- file. Runs in on_init (a new game with the mod: `factorio --create`), and again on
-- /factorio-mocks-generate (an existing save, or after changing mods).

local shared = require("lib.shared")
local serialize = require("lib.serialize")
local adler32 = require("lib.adler32")

-- The LuaPrototypes families (LuaCustomTable attributes of 2.0 and 2.1; one a version lacks is
-- skipped).
local FAMILIES = {
  "achievement", "active_trigger", "airborne_pollutant", "ammo_category", "asteroid_chunk",
  "autoplace_control", "burner_usage", "collision_layer", "custom_event", "custom_input", "damage",
  "decorative", "entity", "equipment", "equipment_category", "equipment_grid", "fluid", "font",
  "fuel_category", "item", "item_group", "item_subgroup", "mod_data", "mod_setting",
  "module_category", "named_noise_expression", "named_noise_function", "particle", "procession",
  "procession_layer_inheritance_group", "quality", "recipe", "recipe_category",
  "resource_category", "shortcut", "space_connection", "space_location", "surface",
  "surface_property", "technology", "tile", "trivial_smoke", "virtual_signal",
}
-- Cheap attributes every prototype object has (a missing one is left out).
local ATTRIBUTES = { "type", "order" }

local function read(object, key)
  local ok, value = pcall(function() return object[key] end)
  if ok and (type(value) == "string" or type(value) == "number" or type(value) == "boolean") then return value end
end

-- runtime/prototypes.lua: per family, an array of {name, type, order} in the order the game
-- iterates prototypes.<family> (its internal order, which data.raw does not show).
local function runtime_prototypes()
  local out = {}
  for _, family in ipairs(FAMILIES) do
    local ok, list = pcall(function() return prototypes[family] end)
    if ok and list ~= nil then
      local entries = {}
      for name, object in pairs(list) do
        if not (family == "mod_data" and name == shared.MOD_DATA) then
          local entry = { name = name }
          for _, key in ipairs(ATTRIBUTES) do entry[key] = read(object, key) end
          entries[#entries + 1] = entry
        end
      end
      out[family] = entries
    end
  end
  return out
end

-- The values of one LuaSettings table: name → {value = …}.
local function values_of(custom_table)
  local out = {}
  if custom_table == nil then return out end
  for name, setting in pairs(custom_table) do out[name] = { value = setting.value } end
  return out
end

local function runtime_settings()
  return {
    startup = values_of(settings.startup),
    global = values_of(settings.global),
    player_default = values_of(settings.player_default),
  }
end

-- The files data-final-fixes.lua made, from the mod-data prototype: {path, text} in order.
local function data_stage_files()
  local mod_data = prototypes.mod_data[shared.MOD_DATA]
  if mod_data == nil then
    error("factorio-mocks-generator: the mod-data prototype " .. shared.MOD_DATA .. " is missing; "
      .. "was data-final-fixes.lua of the generator run (is the mod enabled)?", 0)
  end
  local payload = mod_data.data
  if payload.format ~= shared.PAYLOAD_FORMAT then
    error(("factorio-mocks-generator: mod-data format %s, expected %d"):format(tostring(payload.format), shared.PAYLOAD_FORMAT), 0)
  end
  local list = {}
  for _, path in ipairs(payload.order) do
    list[#list + 1] = { path, table.concat(payload.files[path]) }
  end
  return list, payload
end

--- Writes the whole dataset; returns the list of {path, text} written (metadata.lua last).
local function generate()
  local list, payload = data_stage_files()
  list[#list + 1] = { "runtime/defines.lua", serialize.file(defines, "defines") }
  list[#list + 1] = { "runtime/prototypes.lua", serialize.file(runtime_prototypes(), "prototypes") }
  list[#list + 1] = { "runtime/settings.lua", serialize.file(runtime_settings(), "settings") }

  local checksums, sums_text = {}, {}
  for _, file in ipairs(list) do
    checksums[file[1]] = adler32(file[2])
    sums_text[#sums_text + 1] = ("    [%q] = %q,\n"):format(file[1], checksums[file[1]])
  end
  local metadata = table.concat({
    "return {\n",
    ("  factorio_version = %q,\n"):format(helpers.game_version),
    ("  generator_version = %q,\n"):format(script.active_mods[shared.MOD_NAME] or "unknown"),
    "  generator = \"factorio-mocks-generator (in game)\",\n",
    "  key_order = \"game\",\n",
    ("  prototype_count = %d,\n"):format(payload.prototype_count or 0),
    "  hash_algorithm = \"adler32\",\n",
    "  checksums = {\n", table.concat(sums_text), "  }\n",
    "}\n",
  })
  list[#list + 1] = { "metadata.lua", metadata }

  helpers.remove_path(shared.OUTPUT)
  for _, file in ipairs(list) do
    helpers.write_file(shared.OUTPUT .. "/" .. file[1], file[2])
  end
  log(("factorio-mocks-generator: wrote %d files (%d prototypes) to script-output/%s/")
    :format(#list, payload.prototype_count or 0, shared.OUTPUT))
  return list
end

script.on_init(function() generate() end)

commands.add_command("factorio-mocks-generate",
  "Writes the factorio-mocks dataset into script-output/" .. shared.OUTPUT .. "/.",
  function(command)
    local list = generate()
    local text = ("factorio-mocks-generator: wrote %d files to script-output/%s/"):format(#list, shared.OUTPUT)
    local player = command.player_index and game.get_player(command.player_index)
    if player then player.print(text) else print(text) end
  end)

remote.add_interface(shared.MOD_NAME, { generate = function() return #generate() end })
