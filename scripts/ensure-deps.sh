#!/usr/bin/env bash
# Installs what `make demo`, `make test` and `make bench` need from the distribution's packages
# (Debian/Ubuntu), or prints the exact command to run. Rust itself is expected to be there.
set -u

packages=(lua5.1 lua5.2 lua5.3 lua5.4 luajit lua-busted luarocks lua-cjson lua-dkjson lua-check
  liblua5.1-0-dev liblua5.2-dev liblua5.3-dev liblua5.4-dev libluajit-5.1-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# docker-registry, python3-venv (for the `oras` client) and curl serve the OCI tests and the
# fetch bench; those skip, and say so, without them.
if ! command -v docker-registry >/dev/null 2>&1; then missing+=(docker-registry); fi
for p in python3-venv curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo not found; install Rust first: https://rustup.rs (curl --proto '=https' -sSf https://sh.rustup.rs | sh)"
  exit 1
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing ${missing[*]}; install Lua 5.1-5.4, LuaJIT, busted, luarocks and lua-cjson with your package manager"
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "error: missing packages; run:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq "${missing[@]}" >/dev/null || {
  echo "error: apt-get failed; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  exit 1
}
