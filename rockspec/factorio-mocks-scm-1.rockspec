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
    game's rules, and more. A Rust library built with mlua; needs cargo to build.
  ]],
  homepage = "https://github.com/quingkhaos/factorio-mocks",
  license = "MIT",
}
dependencies = {
  "lua >= 5.1, < 5.5",
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
  },
}
