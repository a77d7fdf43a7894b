-- Finding entities on a surface: find_entities_filtered's filter, and an entity's collision box.

local classes = require("factorio_mocks.control.classes")
local resolve = require("factorio_mocks.control.world.resolve")

local M = {}

local data = classes.data

local position_of, area_of, force_of = resolve.position_of, resolve.area_of, resolve.force_of

local function entity_box(ed)
  local box = ed.raw and ed.raw.collision_box
  local p = ed.position
  if not box then return p, p end
  local lt, rb = box[1] or box.left_top, box[2] or box.right_bottom
  return { x = p.x + (lt[1] or lt.x), y = p.y + (lt[2] or lt.y) }, { x = p.x + (rb[1] or rb.x), y = p.y + (rb[2] or rb.y) }
end

M.entity_box = entity_box

local function one_of(value, wanted)
  if wanted == nil then return true end
  if type(wanted) ~= "table" or data(wanted) then return value == wanted end
  for _, w in ipairs(wanted) do if value == w then return true end end
  return false
end

-- find_entities_filtered's filter: name, type, force, position (+radius), area, limit, invert.
local function matching(d, filter)
  filter = filter or {}
  local state = d.state
  local forces
  if filter.force ~= nil then
    local list = (type(filter.force) == "table" and not data(filter.force)) and filter.force or { filter.force }
    forces = {}
    for i, f in ipairs(list) do forces[i] = force_of(state, f, 4) end
  end
  local area_lt, area_rb
  if filter.area then area_lt, area_rb = area_of(filter.area) end
  local pos = filter.position and position_of(filter.position, "position", 4)
  local result = {}
  for _, e in ipairs(d.entities) do
    local ed = data(e)
    -- The API description: area and position are the search area (an entity colliding with the
    -- area, or with the position; with a radius, its centre within it); name, type and force
    -- are the filters, and only they are inverted by `invert`.
    local inside = true
    if area_lt then
      local lt, rb = entity_box(ed)
      inside = lt.x <= area_rb.x and rb.x >= area_lt.x and lt.y <= area_rb.y and rb.y >= area_lt.y
    end
    if inside and pos then
      if filter.radius then
        local dx, dy = ed.position.x - pos.x, ed.position.y - pos.y
        inside = dx * dx + dy * dy <= filter.radius * filter.radius
      else
        local lt, rb = entity_box(ed)
        inside = pos.x >= lt.x and pos.x <= rb.x and pos.y >= lt.y and pos.y <= rb.y
      end
    end
    local matches = one_of(ed.name, filter.name) and one_of(ed.type, filter.type) and (not forces or one_of(ed.force, forces))
    if filter.invert then matches = not matches end
    if inside and matches then
      result[#result + 1] = e
      if filter.limit and #result >= filter.limit then break end
    end
  end
  return result
end

M.matching = matching

return M
