-- LuaTile: a tile of a surface's grid.

local classes = require("factorio_mocks.control.classes")
local prototypes = require("factorio_mocks.control.prototypes")
local world = require("factorio_mocks.control.world")

local tile_key = world.tile_key

local tile = classes.impl("LuaTile")
-- Tiles no mod has set read as the default ground of a fresh map.
function tile.get.name(d) return d.tiles[tile_key(d.x, d.y)] or "grass-1" end
function tile.get.position(d) return { x = d.x, y = d.y } end
function tile.get.surface(d) return d.surface end
function tile.get.prototype(d) return prototypes.get(d.state, "tile", tile.get.name(d)) end
