-- LuaRemote (remote): interfaces and calls between mods.

local classes = require("factorio_mocks.control.classes")

-- Copies a value crossing between mods (remote calls): each mod has its own Lua state in the game.
local function transfer(value, seen)
  if type(value) == "function" then error("Can't pass a function through remote.call", 0) end
  if type(value) ~= "table" or classes.is_object(value) then return value end
  seen = seen or {}
  if seen[value] then return seen[value] end
  local copy = {}
  seen[value] = copy
  for k, v in pairs(value) do copy[transfer(k, seen)] = transfer(v, seen) end
  return copy
end

-- LuaRemote -------------------------------------------------------------------------------------

local remote = classes.impl("LuaRemote")

function remote.call.add_interface(d, name, functions)
  if d.state.interfaces[name] then
    -- Documented as an error; the game's exact words were not found.
    error(("Remote interface with name '%s' already exists."):format(name), 2)
  end
  local copy = {}
  for fname, fn in pairs(functions) do
    if type(fn) ~= "function" then error(("remote.add_interface: %s.%s is not a function"):format(name, tostring(fname)), 2) end
    copy[fname] = fn
  end
  d.state.interfaces[name] = copy
  d.state.interface_owner[name] = d.state.parsing or d.state.primary
end

function remote.call.remove_interface(d, name)
  local existed = d.state.interfaces[name] ~= nil
  d.state.interfaces[name] = nil
  return existed
end

function remote.get.interfaces(d)
  local list = {}
  for name, functions in pairs(d.state.interfaces) do
    list[name] = {}
    for fname in pairs(functions) do list[name][fname] = true end
  end
  return list
end

local unpack = table.unpack or unpack

function remote.call.call(d, interface, fname, ...)
  local functions = d.state.interfaces[interface]
  if not functions then error("Unknown interface: " .. tostring(interface), 2) end
  local fn = functions[fname]
  if not fn then
    -- Our words: the game's message for a missing function was not found.
    error(("Unknown function name: %s in interface %s"):format(tostring(fname), tostring(interface)), 2)
  end
  local args = { n = select("#", ...), ... }
  for i = 1, args.n do args[i] = transfer(args[i]) end
  local result = { pcall(fn, unpack(args, 1, args.n)) }
  if not result[1] then
    error(("Error when running interface function %s.%s: %s"):format(interface, fname, tostring(result[2])), 2)
  end
  return transfer(result[2])
end

-- LuaRCON ---------------------------------------------------------------------------------------
