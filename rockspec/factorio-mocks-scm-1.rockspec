rockspec_format = "3.0"
package = "factorio-mocks"
version = "scm-1"
source = {
  url = "git+https://github.com/quingkhaos/factorio-mocks.git",
}
description = {
  summary = "Test Factorio mods with busted, outside the game, against real game data",
  detailed = [[
    require("factorio_mocks") installs Factorio's settings, data or control stage into a Lua
    state: data.raw from real game data, defines with their real values, data:extend with the
    game's rules, and more. A Rust library built with mlua: building from source needs
    Rust 1.85 or later (cargo); a binary rock installs without it.
  ]],
  homepage = "https://github.com/quingkhaos/factorio-mocks",
  license = "LGPL-3.0-or-later",
}
dependencies = {
  "lua >= 5.1, < 5.5",
}
-- `luarocks test`: busted runs spec/ from the checkout (see .busted) against the module built
-- for the Lua LuaRocks runs; arguments after `--` go to busted (`luarocks test -- spec/locale_spec.lua`).
test_dependencies = {
  "busted",
}
test = {
  type = "busted",
}
build = {
  -- `make`: the Makefile asks $(LUA) which Lua it is and builds the matching cargo feature.
  type = "make",
  build_target = "rock",
  install_target = "rock-install",
  build_variables = {
    LUA = "$(LUA)",
  },
  install_variables = {
    LUA = "$(LUA)",
    INST_LIBDIR = "$(LIBDIR)",
    -- the `factorio-mocks` command, when FACTORIO_MOCKS_BUILD_CLI=1 built it (see the Makefile)
    INST_BINDIR = "$(BINDIR)",
    -- the rock's own folder (`luarocks show --rock-dir factorio-mocks`): library/, the LuaLS annotations
    INST_PREFIX = "$(PREFIX)",
  },
}
