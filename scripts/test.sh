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

echo "== cargo test (pure core and binding, Lua 5.2 vendored)"
cargo test --no-default-features --features lua52,vendored 2>&1 | tee build/cargo-test.log | grep -E '^(test result|failures:|---- |error|warning: unused)' 
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
count_cargo build/cargo-test.log

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
  # The example mod's specs run from the mod's folder, as a mod author runs busted.
  (cd fixtures/example-mod && "$lua" /usr/bin/busted --cpath="../../build/$feature/?.so" -o plainTerminal spec) \
    > "build/busted-example-$lua.log" 2>&1 || status=1
  grep -vE '^[+.*-]*$' "build/busted-example-$lua.log" | tail -n 25
  count_busted "build/busted-example-$lua.log"
done

echo "== luarocks make into a temporary tree, then require from it"
for version in 5.2 5.4; do
  tree=$(mktemp -d)
  if luarocks --lua-version "$version" --tree "$tree" make rockspec/factorio-mocks-scm-1.rockspec > "build/luarocks-$version.log" 2>&1 &&
     LUA_CPATH="$tree/lib/lua/$version/?.so;;" "lua$version" -e '
       local fm = require("factorio_mocks")
       fm.setup{stage = "data"}
       assert(data.raw.recipe["iron-gear-wheel"].ingredients[1].name == "iron-plate")
       print("luarocks " .. _VERSION .. ": factorio_mocks " .. fm.VERSION .. " loads from " .. package.searchpath("factorio_mocks", package.cpath))'; then
    passed=$((passed + 1))
  else
    tail -n 20 "build/luarocks-$version.log"; failed=$((failed + 1)); status=1
  fi
  rm -rf "$tree"
done

echo "$passed passed, $failed failed"
exit $status
