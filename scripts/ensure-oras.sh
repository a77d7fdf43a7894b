#!/usr/bin/env bash
# Provides the Python `oras` client (the independent peer that pushes test artifacts) in a
# virtual environment at build/venv, so tests never depend on what the machine's Python has.
#
#   scripts/ensure-oras.sh        creates build/venv and pip-installs oras into it if missing
#
# On success the last line is `FM_TEST_PYTHON=<path>`; the fetch tests and bench/fetch_bench.sh
# use that variable if set, else build/venv/bin/python if present, else python3. On failure it
# prints the exact command to run and exits 0 anyway: the tests that need oras then say
# "SKIPPED" instead of failing the suite.
set -u
cd "$(dirname "$0")/.."
venv=build/venv
python=$PWD/$venv/bin/python
# The version the tests were written against; a newer oras-py may change its push API.
spec=${FM_ORAS_SPEC:-oras==0.2.43}

have_oras() { "$python" -c 'import oras.provider, requests' >/dev/null 2>&1; }

if ! have_oras; then
  if [ ! -x "$python" ]; then
    mkdir -p build
    if ! python3 -m venv "$venv" >build/ensure-oras.log 2>&1; then
      echo "ensure-oras: could not create $venv (see build/ensure-oras.log); run:"
      echo "  apt-get install -y python3-venv && python3 -m venv $venv && $venv/bin/pip install '$spec'"
      exit 0
    fi
  fi
  if ! "$python" -m pip install --quiet --disable-pip-version-check "$spec" >>build/ensure-oras.log 2>&1 || ! have_oras; then
    echo "ensure-oras: pip could not install $spec into $venv (see build/ensure-oras.log); run:"
    echo "  $venv/bin/pip install '$spec'"
    exit 0
  fi
fi
echo "FM_TEST_PYTHON=$python"
