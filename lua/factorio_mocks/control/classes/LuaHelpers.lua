-- LuaHelpers (helpers): JSON, files, encode/decode strings, versions, sprite paths.

local classes = require("factorio_mocks.control.classes")
local output = require("factorio_mocks.control.output")
local json = require("factorio_mocks.control.json")

-- LuaHelpers ------------------------------------------------------------------------------------

local helpers = classes.impl("LuaHelpers")

function helpers.get.game_version(d) return d.state.session.dataset.factorio_version or "2.0.77" end

-- How deep table_to_json nests: the JSON reader's limit (json_to_table, src/dataset/tree.rs
-- MAX_DEPTH), so what is written reads back (the game's own limit is not documented). Deeper, the
-- encoder would recurse past what the stack takes on Lua 5.1 and LuaJIT.
local JSON_MAX_DEPTH = 200

-- The nesting of `value` (a table directly inside the root is level 2), stopping once past
-- `limit`; nil when a table contains itself (the encoder says so). Walked with its own stack.
local function nesting(value, limit)
  if type(value) ~= "table" then return 0 end
  local height, open = {}, {}
  local stack = { value }
  while #stack > 0 do
    local t = stack[#stack]
    if height[t] then
      stack[#stack] = nil
    elseif open[t] then
      local h = 0
      for _, v in pairs(t) do
        if type(v) == "table" and height[v] > h then h = height[v] end
      end
      height[t], open[t] = h + 1, nil
      stack[#stack] = nil
      if h + 1 > limit then return h + 1 end
    else
      open[t] = true
      for _, v in pairs(t) do
        if type(v) == "table" and not height[v] then
          if open[v] then return nil end
          stack[#stack + 1] = v
        end
      end
    end
  end
  return height[value]
end

function helpers.call.table_to_json(d, data)
  local depth = nesting(data, JSON_MAX_DEPTH)
  if depth and depth > JSON_MAX_DEPTH then
    error(("LuaHelpers.table_to_json: the table is nested deeper than %d levels"):format(JSON_MAX_DEPTH), 2)
  end
  return json.encode(data)
end

-- The JSON parser datasets use (Rust: fm.codec); nil for text that is not JSON, as the game.
function helpers.call.json_to_table(d, text) return d.state.fm.codec.json_to_table(text) end

function helpers.call.write_file(d, filename, data, append, for_player)
  if filename:find("%.%.") or filename:find("^/") then
    error("Path can't contain \"..\" or start with \"/\": " .. filename, 2)
  end
  local text = output.text(d.state, data, "en", "LuaHelpers.write_file")
  local files = d.state.files
  files[filename] = (append and files[filename] or "") .. text
end

function helpers.call.remove_path(d, path)
  local files = d.state.files
  for name in pairs(files) do
    if name == path or name:sub(1, #path + 1) == path .. "/" then files[name] = nil end
  end
end

-- zlib + base64, as the game does (the codec is Rust: fm.codec).
function helpers.call.encode_string(d, text) return d.state.fm.codec.encode_string(text) end
function helpers.call.decode_string(d, text) return d.state.fm.codec.decode_string(text) end

function helpers.call.compare_versions(d, first, second)
  local function parts(v)
    local t = {}
    for n in v:gmatch("%d+") do t[#t + 1] = tonumber(n) end
    return t
  end
  local a, b = parts(first), parts(second)
  for i = 1, math.max(#a, #b) do
    local x, y = a[i] or 0, b[i] or 0
    if x ~= y then return x < y and -1 or 1 end
  end
  return 0
end

function helpers.call.direction_to_string(d, direction)
  for name, value in pairs(d.state.env_defines.direction) do
    if value == direction then return name end
  end
end

function helpers.call.multilingual_to_lower(d, input) return input:lower() end

-- Sprite paths the game accepts: "type/name" with a known type, a file path, or a utility name.
local SPRITE_TYPES = {
  item = "item", entity = "entity", technology = "technology", recipe = "recipe", fluid = "fluid",
  tile = "tile", ["virtual-signal"] = "virtual-signal", ["item-group"] = "item-group",
  quality = "quality", ["space-location"] = "space-location",
}
function helpers.call.is_valid_sprite_path(d, path)
  local kind, name = path:match("^([^/]+)/(.+)$")
  if not kind then return false end
  if kind == "file" or kind == "utility" then return true end
  if not SPRITE_TYPES[kind] then return false end
  local prototypes = rawget(d.state.session.env, "prototypes")
  local ok, list = pcall(function() return prototypes[kind:gsub("%-", "_")] end)
  if ok and list then return list[name] ~= nil end
  return false
end

function helpers.call.check_prototype_translations(d) end
