-- LuaItemPrototype.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")

local item = classes.impl("LuaItemPrototype")
function item.get.stack_size(d) return d.raw.stack_size end

function item.get.flags(d) return prototypes.flags(d) end

function item.call.has_flag(d, flag) return prototypes.has_flag(d, flag) end
