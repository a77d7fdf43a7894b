-- Derives a built-in dataset's data.raw from the game's public copy of its Lua, by running the
-- data stage of core and base (with --expansions: every game mod of the folder, the expansions
-- and 2.1's recycler too) with factorio-mocks' own loader, and writes it as minified, gzipped
-- JSON in the shape of the game's `--dump-data` ({type = {name = prototype}}).
--
--   lua5.2 scripts/derive-data-raw.lua [--expansions] <factorio-data-<v>.tar.gz | folder> <out.json.gz>
--
-- Needs the built module on package.cpath (make build LUA=lua5.2); `make builtin-datasets` runs
-- it. The output is deterministic, so running it again changes no byte:
-- * object keys are sorted (byte order); a table whose keys are exactly 1..n is an array, every
--   other table (the empty one included) an object, as the game writes `{}` for empty tables;
-- * numbers are written as the game's JSON writer writes them (`%.14g`), infinities as `inf` and
--   `-inf`, NaN as `nan` (the forms factorio-mocks' JSON reader takes);
-- * while the game's Lua runs, `pairs` visits keys in sorted order: the game's own pairs follow
--   its table layout, plain Lua's vary from run to run (base's data-updates.lua unlocks the
--   barrel recipes in `pairs(data.raw.fluid)` order), so the order of those effects is sorted
--   by fluid name here, not the game's.
-- Graphics modules the public copy lacks are answered with fm.run_stage's placeholders, as for
-- the built-in 2.0.77 data.raw.
local expansions = arg[1] == "--expansions"
local source, out = arg[expansions and 2 or 1], arg[expansions and 3 or 2]
if not source or not out then
  io.stderr:write("usage: lua5.2 scripts/derive-data-raw.lua [--expansions] <factorio-data-<v>.tar.gz | folder> <out.json.gz>\n")
  os.exit(2)
end
package.cpath = "build/lua52/?.so;" .. package.cpath

local function sh(command)
  local ok = os.execute(command)
  if ok ~= true and ok ~= 0 then error("derive-data-raw: failed: " .. command, 0) end
end

local function is_dir(path)
  local r = os.execute(("test -d %q"):format(path))
  return r == true or r == 0
end

local tmp = os.tmpname()
os.remove(tmp)
sh(("mkdir -p %q"):format(tmp))
local ok, err = pcall(function()
  local game = source
  if not is_dir(source) then
    sh(("tar xzf %q -C %q"):format(source, tmp))
    local list = io.popen(("ls %q"):format(tmp))
    local top = list:read("*l")
    list:close()
    if not top then error("derive-data-raw: " .. source .. " holds no folder", 0) end
    game = tmp .. "/" .. top
  end
  if not game:find("^/") then game = os.getenv("PWD") .. "/" .. game end
  for _, mod in ipairs({ "core", "base" }) do
    if not is_dir(game .. "/" .. mod) then
      error(("derive-data-raw: %s has no %s folder; pass the game's data folder (factorio-data-<v>)"):format(game, mod), 0)
    end
  end
  -- Without --expansions only core and base run: a folder of links to them.
  local only = game
  if not expansions then
    only = tmp .. "/core-base"
    sh(("mkdir -p %q"):format(only))
    for _, mod in ipairs({ "core", "base" }) do sh(("ln -s %q %q"):format(game .. "/" .. mod, only .. "/" .. mod)) end
  end

  local fm = require("factorio_mocks")
  -- The game's Lua of a version runs with that version's defines: read it from base's info.json.
  local info = assert(io.open(game .. "/base/info.json", "rb"))
  local version = info:read("*a"):match('"version"%s*:%s*"([%d.]+)"')
  info:close()
  fm.setup{ stage = "data", game_version = version }

  local plain_pairs = pairs
  pairs = require("factorio_mocks.sorted_pairs")(plain_pairs)
  local result = fm.run_stage{ stage = "data", factorio_data = only }
  pairs = plain_pairs
  io.stderr:write(("derive-data-raw: ran %s of %s\n"):format(table.concat(result.order, ", "), mods.base))

  local parts = {}
  local function put(s) parts[#parts + 1] = s end
  local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t", ["\b"] = "\\b", ["\f"] = "\\f" }
  local function string_of(s)
    return '"' .. s:gsub('[%c"\\]', function(c) return escapes[c] or ("\\u%04x"):format(c:byte()) end) .. '"'
  end
  local function number_of(n)
    if n ~= n then return "nan" end
    if n == math.huge then return "inf" end
    if n == -math.huge then return "-inf" end
    return ("%.14g"):format(n)
  end
  local function write(v, path, depth)
    local t = type(v)
    if t == "string" then put(string_of(v))
    elseif t == "number" then put(number_of(v))
    elseif t == "boolean" then put(tostring(v))
    elseif t == "table" then
      if depth > 200 then error("derive-data-raw: " .. path .. " nests too deeply (a cycle?)", 0) end
      local keys, n, all_strings = {}, 0, true
      for k in plain_pairs(v) do
        keys[#keys + 1] = k
        if type(k) == "number" and k >= 1 and k % 1 == 0 then n = math.max(n, k) else n = math.huge end
        if type(k) ~= "string" and type(k) ~= "number" then
          error(("derive-data-raw: %s has a %s key; JSON has only string keys"):format(path, type(k)), 0)
        end
        if type(k) ~= "string" then all_strings = false end
      end
      if #keys > 0 and n == #keys then
        put("[")
        for i = 1, n do
          if i > 1 then put(",") end
          write(v[i], path .. "[" .. i .. "]", depth + 1)
        end
        put("]")
      else
        local names = {}
        for _, k in ipairs(keys) do
          names[#names + 1] = { name = type(k) == "string" and k or number_of(k), key = k }
        end
        if not all_strings then io.stderr:write("derive-data-raw: " .. path .. " has number keys; written as strings\n") end
        table.sort(names, function(a, b) return a.name < b.name end)
        put("{")
        for i, entry in ipairs(names) do
          if i > 1 then put(",") end
          put(string_of(entry.name))
          put(":")
          write(v[entry.key], path .. "." .. entry.name, depth + 1)
        end
        put("}")
      end
    else
      error(("derive-data-raw: %s is a %s; data.raw holds only data"):format(path, t), 0)
    end
  end
  local raw, types, count = {}, 0, 0
  for kind, protos in plain_pairs(data.raw) do
    raw[kind] = {}
    types = types + 1
    for name, proto in plain_pairs(protos) do
      raw[kind][name] = proto
      count = count + 1
    end
  end
  write(raw, "data.raw", 0)
  fm.teardown()

  local json = tmp .. "/data-raw.json"
  local f = assert(io.open(json, "wb"))
  f:write(table.concat(parts))
  f:close()
  sh(("gzip -9 -n -c %q > %q"):format(json, out))
  io.stderr:write(("derive-data-raw: %s: %d types, %d prototypes\n"):format(out, types, count))
end)
os.execute(("rm -rf %q"):format(tmp))
if not ok then
  io.stderr:write(tostring(err) .. "\n")
  os.exit(1)
end
