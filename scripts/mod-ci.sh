#!/usr/bin/env bash
# A Factorio mod's tests, as CI runs them: Lua, factorio-mocks, busted and LuaCov, then the mod's
# specs with coverage. The composite action (action.yml) runs this script; so can you, locally.
#
#   scripts/mod-ci.sh [MOD_DIR]        (default: the current folder)
#
# Steps, each skipped when what it installs is already there:
#   1. lua      lua$FM_LUA_VERSION (apt-get install lua5.2 liblua5.2-dev luarocks when missing)
#   2. rock     factorio-mocks into the tree $FM_TREE: FM_MODULE (a built factorio_mocks.so,
#               copied: no network), else FM_ROCK (a .rock file or URL: a binary rock needs no
#               Rust), else `luarocks install factorio-mocks` from FM_ROCKS_SERVER or luarocks.org
#               (the binary rock for this platform when the server has one, else a source build,
#               which needs cargo: GitHub's runners have it)
#   3. busted   the tree's, else one on PATH, else `luarocks install busted`
#   4. luacov   when FM_COVERAGE=1: one Lua finds (LUA_PATH), else `luarocks install luacov`
#   5. specs    `busted [--coverage] $FM_BUSTED_ARGS` in MOD_DIR (its .busted, e.g.
#               helper = "factorio_mocks.busted"); then `luacov` writes luacov.report.out and
#               its summary is printed (and added to $GITHUB_STEP_SUMMARY on GitHub)
#
# Environment (the action's inputs set them):
#   FM_LUA_VERSION  5.2 (the game's Lua; 5.1, 5.3, 5.4 or luajit work too)
#   FM_MODULE       a factorio_mocks.so to use instead of installing the rock
#   FM_ROCK         a .rock file or URL to install
#   FM_ROCKS_SERVER a rocks server (a binary-rock server per Lua version, see the README)
#   FM_VERSION      the factorio-mocks version to install (default: the newest)
#   FM_TREE         the LuaRocks tree (default: $RUNNER_TEMP/factorio-mocks-ci, else /tmp/…)
#   FM_COVERAGE     1 (default) or 0
#   FACTORIO_MOCKS_BUILD_CLI  1: a source install builds the factorio-mocks command too (remote datasets)
#   FM_BUSTED_ARGS  more arguments for busted (word-split), e.g. "-o TAP spec/control_spec.lua"
#   FM_OFFLINE      1: install nothing; a missing part is an error naming it
# Exit status: busted's (0 when every spec passed), or 1 when a step could not run.
set -euo pipefail

mod_dir=${1:-.}
version=${FM_LUA_VERSION:-5.2}
coverage=${FM_COVERAGE:-1}
offline=${FM_OFFLINE:-0}
tree=${FM_TREE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/factorio-mocks-ci}

say() { printf '== mod-ci: %s\n' "$*"; }
die() { printf 'mod-ci: error: %s\n' "$*" >&2; exit 1; }
sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

[ -d "$mod_dir" ] || die "$mod_dir: no such folder (give the mod's folder, the one with info.json)"
mod_dir=$(cd "$mod_dir" && pwd)
[ -f "$mod_dir/info.json" ] || say "note: $mod_dir has no info.json (not a mod's root folder?)"

if [ "$version" = luajit ]; then lua=luajit; abi=5.1; else lua=lua$version; abi=$version; fi

# Installs with LuaRocks into the tree, unless offline.
rocks() {
  [ "$offline" = 1 ] && die "FM_OFFLINE=1 and $1 is missing (it would run: luarocks install ${*:2})"
  command -v luarocks >/dev/null || die "luarocks is missing; install it (apt-get install luarocks)"
  shift
  luarocks --lua-version "$abi" --tree "$tree" install "$@"
}

# 1. Lua
if ! command -v "$lua" >/dev/null; then
  [ "$offline" = 1 ] && die "FM_OFFLINE=1 and $lua is missing"
  command -v apt-get >/dev/null || die "$lua is missing and there is no apt-get; install Lua $version and LuaRocks first"
  say "installing $lua with apt-get"
  sudo_if_needed apt-get update -qq
  if [ "$lua" = luajit ]; then pkgs="luajit libluajit-5.1-dev"; else pkgs="lua$version liblua$version-dev"; fi
  # shellcheck disable=SC2086
  sudo_if_needed apt-get install -y -qq $pkgs luarocks >/dev/null
fi
say "$("$lua" -v 2>&1 | head -n 1)"

# The tree comes first on Lua's paths and PATH.
mkdir -p "$tree/lib/lua/$abi" "$tree/share/lua/$abi" "$tree/bin"
export LUA_PATH="$tree/share/lua/$abi/?.lua;$tree/share/lua/$abi/?/init.lua;${LUA_PATH:-;}"
export LUA_CPATH="$tree/lib/lua/$abi/?.so;${LUA_CPATH:-;}"
export PATH="$tree/bin:$PATH"

# 2. factorio-mocks
if [ -n "${FM_MODULE:-}" ]; then
  [ -f "$FM_MODULE" ] || die "FM_MODULE=$FM_MODULE: no such file"
  say "factorio-mocks: using $FM_MODULE"
  cp "$FM_MODULE" "$tree/lib/lua/$abi/factorio_mocks.so.tmp"
  mv "$tree/lib/lua/$abi/factorio_mocks.so.tmp" "$tree/lib/lua/$abi/factorio_mocks.so"
elif [ -n "${FM_ROCK:-}" ]; then
  say "factorio-mocks: installing $FM_ROCK"
  rocks factorio-mocks "$FM_ROCK"
else
  say "factorio-mocks: installing ${FM_VERSION:-the newest version}${FM_ROCKS_SERVER:+ from $FM_ROCKS_SERVER}"
  rocks factorio-mocks ${FM_ROCKS_SERVER:+--server="$FM_ROCKS_SERVER"} factorio-mocks ${FM_VERSION:+"$FM_VERSION"}
fi
"$lua" -e 'local fm = require("factorio_mocks")
  print("== mod-ci: factorio_mocks " .. fm.VERSION .. " from " .. (package.searchpath and package.searchpath("factorio_mocks", package.cpath) or package.cpath))' ||
  die "factorio_mocks does not load under $lua (a module built for another Lua?)"

# 3. busted: a LuaRocks wrapper runs itself; a Lua script (Debian's /usr/bin/busted) runs with $lua.
busted_cmd() {
  local path=$1
  if head -n 1 "$path" | grep -q 'lua'; then echo "$lua $path"; else echo "$path"; fi
}
if [ -x "$tree/bin/busted" ]; then
  busted=$tree/bin/busted
elif command -v busted >/dev/null && "$lua" -e 'require("busted.runner")' 2>/dev/null; then
  busted=$(busted_cmd "$(command -v busted)")
else
  say "busted: installing"
  rocks busted busted
  busted=$tree/bin/busted
fi
say "busted: $busted"

# 4. LuaCov
if [ "$coverage" = 1 ]; then
  if ! "$lua" -e 'require("luacov.runner")' 2>/dev/null; then
    say "luacov: installing"
    rocks luacov luacov
  fi
  say "luacov: $("$lua" -e 'print(require("luacov.runner").version)')"
fi

# 5. The specs
cd "$mod_dir"
rm -f luacov.stats.out luacov.report.out
args=()
[ "$coverage" = 1 ] && args+=(--coverage)
# shellcheck disable=SC2206
[ -n "${FM_BUSTED_ARGS:-}" ] && args+=($FM_BUSTED_ARGS)
say "busted ${args[*]:-} (in $mod_dir)"
status=0
# shellcheck disable=SC2086
$busted ${args[@]+"${args[@]}"} || status=$?

if [ "$coverage" = 1 ]; then
  if [ -f luacov.stats.out ]; then
    "$lua" -e 'local runner = require("luacov.runner"); runner.run_report(runner.load_config())' ||
      die "luacov could not write its report"
    summary=$(sed -n '/^Summary$/,$p' luacov.report.out)
    say "coverage ($mod_dir/luacov.report.out)"
    printf '%s\n' "$summary"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
      printf '### Coverage\n\n```\n%s\n```\n' "$summary" >> "$GITHUB_STEP_SUMMARY"
    fi
  else
    say "no luacov.stats.out: busted ran no spec with coverage"
  fi
fi
exit "$status"
