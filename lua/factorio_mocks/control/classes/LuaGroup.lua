-- LuaGroup: item groups and subgroups.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")

local group = classes.impl("LuaGroup")
function group.get.name(d) return d.name end
function group.get.type(d) return d.raw.type end
function group.get.order(d) return d.raw.order or "" end
function group.get.group(d)
  if d.family == "item_subgroup" then return prototypes.get(d.state, "item_group", d.raw.group) end
end
function group.get.localised_name(d) return d.raw.localised_name or { "item-group-name." .. d.name } end
