#!/usr/bin/env bash
# The whole test suite: cargo test, busted under every Lua, luarocks make into a temporary tree.
# Every suite runs even when an earlier one fails; the last line counts every test:
# `N passed, N failed`.
set -u
cd "$(dirname "$0")/.."
mkdir -p build
passed=0 failed=0 status=0
log=build/test-suite.log

count_cargo() {  # sums "test result: … N passed; M failed" lines
  local p f
  p=$(grep -Eo '[0-9]+ passed; [0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ passed; [0-9]+ failed' "$1" | awk '{s+=$3} END {print s+0}')
  passed=$((passed + p)); failed=$((failed + f))
}

count_busted() {  # "N successes / N failures / N errors / N pending"
  local line
  line=$(grep -E '[0-9]+ successes? / [0-9]+ failures? / [0-9]+ errors?' "$1" | tail -n 1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  set -- $(echo "$line" | grep -Eo '[0-9]+')
  passed=$((passed + $1)); failed=$((failed + $2 + $3))
}

# The OCI interop tests push with the independent `oras` client, from a venv in build/.
scripts/ensure-oras.sh | grep -v '^FM_TEST_PYTHON='

echo "== cargo test (pure core, binding with Lua 5.2 vendored, the network half and the command)"
cargo test --no-default-features --features cli 2>&1 | tee build/cargo-test.log | grep -E '^(test result|failures:|---- |error|warning: unused)' 
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count_cargo build/cargo-test.log
# The module has no network stack: its remote fetches run the command cargo test just built.
[ -x target/debug/factorio-mocks ] && export FACTORIO_MOCKS_FETCHER=$PWD/target/debug/factorio-mocks

# spec/fetch_spec.lua's live tier pulls from a real registry on loopback: the mini dataset,
# pushed by the independent `oras` client. Without either, that spec says it is pending.
. scripts/registry.sh
PY=${FM_TEST_PYTHON:-$([ -x build/venv/bin/python ] && echo "$PWD/build/venv/bin/python" || echo python3)}
trap registry_stop EXIT
if "$PY" -c 'import oras.provider, requests' 2>/dev/null && registry_start; then
  digest=$(registry_push datasets/mini:1 fixtures/datasets/mini-json prototype metadata.json 2>build/registry-push.log)
  if [ -n "$digest" ]; then export FM_TEST_OCI_REF="oci://$REGISTRY_ADDR/datasets/mini:1"; else cat build/registry-push.log; fi
fi

for lua in lua5.2 lua5.1 lua5.3 lua5.4 luajit; do
  echo "== busted under $lua"
  if ! command -v "$lua" >/dev/null; then echo "missing $lua (run scripts/ensure-deps.sh)"; failed=$((failed + 1)); status=1; continue; fi
  if ! make --no-print-directory build LUA="$lua" > "build/build-$lua.log" 2>&1; then
    tail -n 30 "build/build-$lua.log"; failed=$((failed + 1)); status=1; continue
  fi
  feature=$("$lua" -e 'print(jit and "luajit" or "lua" .. _VERSION:gsub("%D", ""))')
  "$lua" /usr/bin/busted --cpath="build/$feature/?.so" -o plainTerminal spec \
    > "build/busted-$lua.log" 2>&1 || status=1
  grep -vE '^[+.*-]*$' "build/busted-$lua.log" | tail -n 25
  count_busted "build/busted-$lua.log"
  # The same specs against the other game version: the newest is the default, 2.0 here.
  if [ "$lua" = lua5.2 ]; then
    echo "== busted under $lua, game version 2.0 (FACTORIO_MOCKS_GAME_VERSION=2.0)"
    FACTORIO_MOCKS_GAME_VERSION=2.0 "$lua" /usr/bin/busted --cpath="build/$feature/?.so" -o plainTerminal spec \
      > "build/busted-$lua-2.0.log" 2>&1 || status=1
    grep -vE '^[+.*-]*$' "build/busted-$lua-2.0.log" | tail -n 25
    count_busted "build/busted-$lua-2.0.log"
  fi
  # The example mod's specs run from the mod's folder, as a mod author runs busted.
  (cd fixtures/example-mod && "$lua" /usr/bin/busted --cpath="../../build/$feature/?.so" -o plainTerminal spec) \
    > "build/busted-example-$lua.log" 2>&1 || status=1
  grep -vE '^[+.*-]*$' "build/busted-example-$lua.log" | tail -n 25
  count_busted "build/busted-example-$lua.log"
done

for lint in lint-lua lint-rust; do
  echo "== make $lint (luacheck with .luacheckrc; cargo fmt --check with rustfmt.toml, cargo clippy)"
  if make --no-print-directory "$lint" > "build/$lint.log" 2>&1; then passed=$((passed + 1)); else
    tail -n 30 "build/$lint.log"; failed=$((failed + 1)); status=1
  fi
done

echo "== luarocks make into a temporary tree, then require from it"
for version in 5.2 5.4; do
  tree=$(mktemp -d)
  if luarocks --lua-version "$version" --tree "$tree" make rockspec/factorio-mocks-scm-1.rockspec > "build/luarocks-$version.log" 2>&1 &&
     env -u FACTORIO_MOCKS_FETCHER PATH=/usr/bin:/bin LUA_CPATH="$tree/lib/lua/$version/?.so;;" "lua$version" -e '
       local fm = require("factorio_mocks")
       fm.setup{stage = "data"}
       assert(data.raw.recipe["iron-gear-wheel"].ingredients[1].name == "iron-plate")
       -- Built without FACTORIO_MOCKS_BUILD_CLI: a remote fetch says how to get the command.
       local ok, err = pcall(fm.fetch, "oci://127.0.0.1:9/d/x:1", { cache_dir = os.tmpname() .. ".d" })
       assert(not ok and err:find("FACTORIO_MOCKS_BUILD_CLI=1 luarocks install factorio-mocks", 1, true), err)
       print("luarocks " .. _VERSION .. ": factorio_mocks " .. fm.VERSION .. " loads from " .. package.searchpath("factorio_mocks", package.cpath))'; then
    passed=$((passed + 1))
  else
    tail -n 20 "build/luarocks-$version.log"; failed=$((failed + 1)); status=1
  fi
  rm -rf "$tree"
done

# Issue 15: binary rocks install without Rust, and `luarocks test` runs the rock's specs.
echo "== binary rocks (make binary-rock), installed into a fresh tree with cargo off the PATH"
no_cargo_path=$(echo "$PATH" | tr ':' '\n' | grep -v '/\.cargo' | paste -sd: -)
if make --no-print-directory binary-rock ROCK_LUAS="5.2 5.4" > build/binary-rock.log 2>&1; then
  for version in 5.2 5.4; do
    rock=$(ls build/rocks/lua$version/factorio-mocks-*.rock 2>/dev/null | head -n 1)
    tree=$(mktemp -d)
    # The rock carries the command: the module finds it in the tree's bin/ for a remote fetch.
    if [ -n "$rock" ] && env PATH="$no_cargo_path" sh -c '! command -v cargo >/dev/null' &&
       env PATH="$no_cargo_path" luarocks --lua-version "$version" --tree "$tree" install "$rock" > "build/binary-rock-install-$version.log" 2>&1 &&
       [ -x "$tree/bin/factorio-mocks" ] &&
       env -u FACTORIO_MOCKS_FETCHER PATH="$no_cargo_path" LUA_CPATH="$tree/lib/lua/$version/?.so;;" FM_CACHE="$tree/cache" "lua$version" -e '
         local fm = require("factorio_mocks")
         fm.setup{stage = "data"}
         assert(data.raw.recipe["iron-gear-wheel"].ingredients[1].name == "iron-plate")
         local ref = os.getenv("FM_TEST_OCI_REF")
         if ref then
           local dir = fm.fetch(ref, { cache_dir = os.getenv("FM_CACHE"), progress = false })
           assert(io.open(dir .. "/metadata.json"), dir)
           print("binary rock " .. _VERSION .. ": fetched " .. ref .. " through the bundled command")
         end
         print("binary rock " .. _VERSION .. ": factorio_mocks " .. fm.VERSION .. " loads from " .. package.searchpath("factorio_mocks", package.cpath))'; then
      passed=$((passed + 1))
    else
      echo "binary rock for Lua $version: ${rock:-not packed}"; tail -n 20 "build/binary-rock-install-$version.log" 2>/dev/null
      failed=$((failed + 1)); status=1
    fi
    rm -rf "$tree"
  done
  # The rock packed for 5.2 says so: LuaRocks refuses it for 5.4.
  tree=$(mktemp -d)
  if ! luarocks --lua-version 5.4 --tree "$tree" install "$(ls build/rocks/lua5.2/factorio-mocks-*.rock | head -n 1)" > build/binary-rock-refused.log 2>&1 &&
     grep -q 'lua ~> 5.2' build/binary-rock-refused.log; then
    echo "the Lua 5.2 binary rock is refused for Lua 5.4 (depends on lua ~> 5.2)"; passed=$((passed + 1))
  else
    tail -n 20 build/binary-rock-refused.log; failed=$((failed + 1)); status=1
  fi
  rm -rf "$tree"
else
  tail -n 30 build/binary-rock.log; failed=$((failed + 3)); status=1
fi

echo "== luarocks test (rockspec test section, busted type) with a local busted rock"
# No rocks server is reachable here: Debian's busted runner becomes a local rock in a tree of
# its own, which LuaRocks' busted test type then finds and runs from the checkout (.busted).
tree=$(mktemp -d)
mkdir -p "$tree/src"
cp "$(command -v busted)" "$tree/src/busted"
cat > "$tree/src/busted-2.1.1-1.rockspec" <<'ROCKSPEC'
rockspec_format = "3.0"
package = "busted"
version = "2.1.1-1"
source = { url = "file:///usr/bin/busted" }
description = { summary = "The system's busted runner as a local rock (tests only)", license = "MIT" }
dependencies = { "lua >= 5.1" }
build = { type = "builtin", modules = {}, install = { bin = { busted = "busted" } } }
ROCKSPEC
printf 'rocks_trees = { "%s" }\n' "$tree" > "$tree/config.lua"
if (cd "$tree/src" && luarocks --lua-version 5.2 --tree "$tree" make busted-2.1.1-1.rockspec) > build/luarocks-test.log 2>&1 &&
   make --no-print-directory build LUA=lua5.2 >> build/luarocks-test.log 2>&1 &&
   LUAROCKS_CONFIG="$tree/config.lua" luarocks --lua-version 5.2 --tree "$tree" test rockspec/factorio-mocks-scm-1.rockspec \
     -- -o plainTerminal spec/serpent_spec.lua >> build/luarocks-test.log 2>&1 &&
   grep -Eq '[1-9][0-9]* successes / 0 failures / 0 errors' build/luarocks-test.log; then
  grep -E 'successes /' build/luarocks-test.log | sed 's/^/luarocks test: /'
  passed=$((passed + 1))
else
  tail -n 20 build/luarocks-test.log; failed=$((failed + 1)); status=1
fi
rm -rf "$tree"

echo "$passed passed, $failed failed"
exit $status
