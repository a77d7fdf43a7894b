-- luacheck settings for the rock's Lua (make lint; part of make test).
-- The shims run on Lua 5.1–5.4 and LuaJIT, so every standard global any of them has is allowed.
std = "max"
max_line_length = false
-- Behaviour tables register functions with one signature per kind (get(d), set(d, v),
-- call(d, …)); an argument a member does not need stays named for the reader.
unused_args = false
-- Generated from the game's API descriptions and an in-game dump: not hand-written code.
exclude_files = {
  "lua/factorio_mocks/control/api_*.lua",
  "lua/factorio_mocks/control/prototype_defaults_*.lua",
  "lua/factorio_mocks/validate/schema_*.lua",
  "lua/factorio_mocks/defines*.lua",
}
-- Specs use the globals fm.setup installs, as a mod does.
local factorio_globals = {
  "data", "mods", "settings", "feature_flags", "defines", "serpent", "log", "localised_print",
  "table_size", "game", "script", "storage", "prototypes", "remote", "commands", "rendering",
  "helpers", "rcon",
}
-- A spec may name a value it does not check again (`ok, err = pcall(...)`) or read a global a mod
-- under test should not have left (`my_mod_global`).
files["spec"] = { std = "+busted", globals = factorio_globals, ignore = { "311", "512", "113/my_mod_global" } }
files["bench"] = { globals = factorio_globals }
-- The generator is a Factorio mod: the game's globals are its environment.
files["generator"] = { std = "lua52", globals = factorio_globals }
files["bench/suites"] = { std = "+busted", globals = factorio_globals }
-- Scripts drive the stages from outside, as a test does, and may replace pairs for determinism.
files["scripts"] = { globals = { "pairs", "data", "mods", "defines" } }
-- A spec may swap io.stderr to read what the library prints.
files["spec/game_version_spec.lua"] = { globals = { "io" } }
