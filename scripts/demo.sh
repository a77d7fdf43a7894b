#!/usr/bin/env bash
# The main job: the example mod's specs against the built-in dataset, each check printed.
set -eu
cd "$(dirname "$0")/.."
cd fixtures/example-mod
lua5.2 /usr/bin/busted --cpath="../../build/lua52/?.so" -o gtest spec
