-- JSON for helpers.table_to_json: an encoder with the game's choices (arrays for sequences,
-- sorted object keys for stable output). Reading JSON is Rust's (fm.codec.json_to_table).

local M = {}

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ["\b"] = "\\b", ["\f"] = "\\f" }
    return named[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function is_array(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true, n
end

function M.encode(value, seen)
  seen = seen or {}
  local t = type(value)
  if t == "nil" then return "null" end
  if t == "boolean" then return tostring(value) end
  if t == "number" then
    if value ~= value or value == math.huge or value == -math.huge then return "null" end
    if value % 1 == 0 and math.abs(value) < 2 ^ 53 then return ("%d"):format(value) end
    return ("%.17g"):format(value)
  end
  if t == "string" then return encode_string(value) end
  if t ~= "table" then error("json: can't encode a " .. t, 0) end
  if seen[value] then error("json: can't encode a table that contains itself", 0) end
  seen[value] = true
  local out = {}
  local array, n = is_array(value)
  if array and n > 0 then
    for i = 1, n do out[i] = M.encode(value[i], seen) end
    seen[value] = nil
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k in pairs(value) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    out[#out + 1] = encode_string(tostring(k)) .. ":" .. M.encode(value[k], seen)
  end
  seen[value] = nil
  return "{" .. table.concat(out, ",") .. "}"
end

return M
