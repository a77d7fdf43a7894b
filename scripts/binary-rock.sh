#!/usr/bin/env bash
# `make binary-rock`: a binary rock per Lua for this platform, installable without Rust.
#
#   scripts/binary-rock.sh ROCKSPEC LUA_VERSION…    e.g. rockspec/factorio-mocks-0.2.0-1.rockspec 5.2 5.4
#
# For each Lua version: `luarocks make` of the rockspec (the Rust build) into a fresh tree, then
# `luarocks pack factorio-mocks` from that tree, which packs the installed files as
#   build/rocks/lua<version>/factorio-mocks-<version>-<rev>.<platform>.rock
# A binary rock's name does not say which Lua it was built for, so each Lua has its folder (a
# rocks server per Lua version, as rocks-binaries publishes them), and the rockspec packed into
# it requires that Lua (`lua ~> 5.2`), so LuaRocks refuses it for another.
set -euo pipefail
cd "$(dirname "$0")/.."

rockspec=${1:?usage: scripts/binary-rock.sh ROCKSPEC LUA_VERSION…}
shift
[ $# -gt 0 ] || set -- 5.1 5.2 5.3 5.4
name=$(basename "$rockspec")
out=$PWD/build/rocks
mkdir -p "$out"

for version in "$@"; do
  if ! command -v "lua$version" >/dev/null; then
    echo "binary-rock: lua$version not found, skipped (scripts/ensure-deps.sh installs it)"
    continue
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # The same rockspec, requiring the Lua it is built for.
  mkdir -p "$work/spec"
  sed "s/\"lua >= 5.1, < 5.5\"/\"lua ~> $version\"/" "$rockspec" > "$work/spec/$name"
  grep -q "\"lua ~> $version\"" "$work/spec/$name" || { echo "binary-rock: $rockspec has no \"lua >= 5.1, < 5.5\" dependency to narrow"; exit 1; }
  log=$PWD/build/binary-rock-$version.log
  echo "== binary rock for Lua $version"
  # With the command, which a binary rock costs nothing to carry: the module's remote fetches.
  if ! FACTORIO_MOCKS_BUILD_CLI=1 luarocks --lua-version "$version" --tree "$work/tree" make "$work/spec/$name" > "$log" 2>&1; then
    tail -n 30 "$log"; exit 1
  fi
  mkdir -p "$out/lua$version"
  rm -f "$out/lua$version"/factorio-mocks-*.rock
  (cd "$out/lua$version" && luarocks --lua-version "$version" --tree "$work/tree" pack factorio-mocks >> "$log" 2>&1) ||
    { tail -n 30 "$log"; exit 1; }
  ls "$out/lua$version"/factorio-mocks-*.rock
  rm -rf "$work"
  trap - EXIT
done
