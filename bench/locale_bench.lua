-- Part of `make bench`: parsing the game's 50 core.cfg files with fm.locale against a
-- straightforward pure-Lua parser of the same rules, in the same Lua, and cat's read speed.

package.cpath = "build/lua52/?.so;" .. package.cpath
local fm = require("factorio_mocks")

local DIR = arg[1] or "../shared/data/locale/core-2.0.55"
package.path = "bench/?.lua;" .. package.path
local RUNS = require("timing").RUNS

local files, texts, bytes = {}, {}, 0
local list = io.popen(("ls %q/*.cfg"):format(DIR))
for path in list:lines() do
  local f = assert(io.open(path, "rb"))
  files[#files + 1] = path
  texts[#texts + 1] = f:read("*a")
  bytes = bytes + #texts[#texts]
  f:close()
end
list:close()

-- The same rules in plain Lua: [section] headers, ; and # comments, the first = splits, the
-- value kept verbatim, lines before any header in section "".
local function parse_in_lua(text)
  local out = { [""] = {} }
  local section = out[""]
  for line in text:gmatch("[^\n]+") do
    line = line:gsub("\r$", "")
    local first = line:sub(1, 1)
    if first == "[" then
      local name = line:match("^%[(.*)%]$")
      section = out[name] or {}
      out[name] = section
    elseif first ~= ";" and first ~= "#" and line ~= "" then
      local eq = line:find("=", 1, true)
      if eq then section[line:sub(1, eq - 1)] = line:sub(eq + 1) end
    end
  end
  return out
end

local median = require("timing").median

-- The floor for any parser that returns Lua tables: Lua creating the same strings and tables
-- from offsets found in advance (no parsing at all).
local function offsets_of(text)
  local out = {}
  for line_start, line, line_end in text:gmatch("()([^\n]*)()\n?") do
    local first = line:sub(1, 1)
    if first == "[" then
      out[#out + 1] = { line_start + 1, line_end - 2 }
    elseif first ~= ";" and first ~= "#" and line ~= "" then
      local eq = line:find("=", 1, true)
      if eq then out[#out + 1] = { line_start, line_start + eq - 2, line_start + eq, line_end - 1 } end
    end
  end
  return out
end
local all_offsets = {}
for i = 1, #texts do all_offsets[i] = offsets_of(texts[i]) end
local function build_from_offsets(text, offsets)
  local out = { [""] = {} }
  local section = out[""]
  for _, o in ipairs(offsets) do
    if o[3] then
      section[text:sub(o[1], o[2])] = text:sub(o[3], o[4])
    else
      local name = text:sub(o[1], o[2])
      section = out[name] or {}
      out[name] = section
    end
  end
  return out
end

local pure = median(function() for i = 1, #texts do parse_in_lua(texts[i]) end end)
local floor = median(function() for i = 1, #texts do build_from_offsets(texts[i], all_offsets[i]) end end)
local parse = median(function() for i = 1, #texts do fm.locale.parse(texts[i], files[i]) end end)
local load = median(function()
  fm.locale.clear()
  for i = 1, #files do fm.locale.load(files[i], files[i]:match("([^/]+)%.cfg$")) end
end)

local pipe = io.popen(("bash -c 'TIMEFORMAT=%%R; time cat %q/*.cfg > /dev/null' 2>&1"):format(DIR))
local cat = tonumber(pipe:read("*a"))
pipe:close()

local mb = bytes / 1e6
local function row(name, seconds)
  print(("| %-52s | %8.1f ms | %7.1f MB/s | %6.1f× |"):format(name, seconds * 1000, mb / seconds, pure / seconds))
end
print(("%d core.cfg files, %.1f MB; %s, median of %d runs"):format(#texts, mb, _VERSION, RUNS))
print("| locale parsing                                       |      time  |   throughput | vs pure Lua |")
print("|------------------------------------------------------|-----------:|-------------:|-------:|")
row("pure-Lua parser of the same rules (the reference)", pure)
row("Lua making the same tables from known offsets (floor)", floor)
row("fm.locale.parse: text to Lua tables", parse)
row("fm.locale.load: files into the dictionary (no tables)", load)
print(("| %-52s | %8.1f ms | %7.1f MB/s |        |"):format("cat of the same files (wall clock)", cat * 1000, mb / cat))
