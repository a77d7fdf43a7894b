-- The data stage's part: data.raw, mods, startup settings and feature flags as the dataset's
-- prototype/ files, serialized here (the only place data.raw exists) and handed to the runtime
-- in a hidden mod-data prototype, whose `data` the runtime reads as
-- prototypes.mod_data[name].data and writes to script-output (control.lua).
--
-- data-final-fixes runs after every mod's data.lua and data-updates.lua, but before the
-- data-final-fixes of the mods loaded after this one: info.json depends (optionally) on the
-- game's expansions so it loads after them; list other mods of the pack the same way.

local shared = require("lib.shared")
local serialize = require("lib.serialize")

local order, files = {}, {}
local function add(path, text)
  order[#order + 1] = path
  files[path] = shared.split(text)
end

-- One file per prototype type, in data.raw's own order, and the index that requires them.
local index = { "--- @type data.raw\nreturn {\n" }
local types = {}
for type_name in pairs(data.raw) do types[#types + 1] = type_name end
for _, type_name in ipairs(types) do
  add("prototype/data-raw/" .. type_name .. ".lua", serialize.file(data.raw[type_name], type_name))
  index[#index + 1] = ("  [%q] = require(%q),\n"):format(type_name, shared.PREFIX .. ".prototype.data-raw." .. type_name)
end
index[#index + 1] = "}\n"
local prototype_count = 0
for _, type_name in ipairs(types) do
  for _ in pairs(data.raw[type_name]) do prototype_count = prototype_count + 1 end
end
add("prototype/data-raw/init.lua", table.concat(index))

add("prototype/mods.lua", serialize.file(mods, "mods"))

local startup = {}
for name, setting in pairs(settings.startup) do startup[name] = { value = setting.value } end
add("prototype/settings.lua", serialize.file({ startup = startup }, "settings"))

add("prototype/feature-flags.lua", serialize.file(feature_flags, "feature_flags"))

data:extend{ {
  type = "mod-data",
  name = shared.MOD_DATA,
  data_type = shared.DATA_TYPE,
  data = {
    format = shared.PAYLOAD_FORMAT,
    -- The files in the order they were made (a dictionary's order is not kept).
    order = order,
    files = files,
    prototype_count = prototype_count,
  },
} }
