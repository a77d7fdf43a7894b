#!/usr/bin/env bash
# `make bench`, fetch part: a Space-Age-sized dataset pulled from a loopback docker-registry by
# fm.fetch (cold and warm cache) next to curl fetching the same manifest and blobs.
#
# The dataset is built from ../shared/data (SHARED_DATA): prototype/data-raw.json (the 12 MB
# Space Age data.raw), locale/en.cfg (core + base), metadata.json with adler32 checksums as the
# generator writes them; pushed in the ORAS CLI's layout by the Python `oras` client.
# Prints a markdown table. Says "skipped: …" and exits 0 when a peer or the data is missing.
#
#   bench/fetch_bench.sh            BENCH_RUNS=N (default 15) runs per cold figure
set -u
cd "$(dirname "$0")/.."
SHARED_DATA=${SHARED_DATA:-../shared/data}
LUA=${LUA:-lua5.2}
RUNS=${BENCH_RUNS:-15}
skip() { echo "fetch bench skipped: $*"; exit 0; }

# The Python with `oras`: as in the tests (scripts/ensure-oras.sh prints FM_TEST_PYTHON).
PY=${FM_TEST_PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x build/venv/bin/python ]; then PY=$PWD/build/venv/bin/python; else PY=python3; fi
fi

"$PY" -c 'import oras.provider, requests' 2>/dev/null || skip "the Python oras client is missing (scripts/ensure-oras.sh)"
[ -f "$SHARED_DATA/data-raw/space-age-2.0.77.json.gz" ] || skip "$SHARED_DATA/data-raw/space-age-2.0.77.json.gz not found (set SHARED_DATA)"
command -v curl >/dev/null || skip "curl is missing"
command -v "$LUA" >/dev/null || skip "$LUA is missing"
feature=$("$LUA" -e 'print(jit and "luajit" or "lua" .. _VERSION:gsub("%D", ""))')
if [ ! -f "build/$feature/factorio_mocks.so" ]; then
  make --no-print-directory build LUA="$LUA" >build/fetch-bench-build.log 2>&1 || skip "the module did not build (build/fetch-bench-build.log)"
fi

work=$(mktemp -d)
. scripts/registry.sh
cleanup() {
  registry_stop
  rm -rf "$work"
}
trap cleanup EXIT

# The dataset folder (built once, kept in build/bench/fetch-dataset between runs).
dataset=build/bench/fetch-dataset
if [ ! -f "$dataset/metadata.json" ]; then
  rm -rf "$dataset" && mkdir -p "$dataset/prototype" "$dataset/locale"
  gzip -dc "$SHARED_DATA/data-raw/space-age-2.0.77.json.gz" >"$dataset/prototype/data-raw.json"
  for f in "$SHARED_DATA/locale/core-2.0.55/en.cfg" "$SHARED_DATA/locale/base-2.0.55/en.cfg"; do
    [ -f "$f" ] && cat "$f" >>"$dataset/locale/en.cfg"
  done
  touch "$dataset/locale/en.cfg"
  "$PY" - "$dataset" <<'EOF'
import json, os, sys, zlib
root = sys.argv[1]
sums = {}
for rel in ("prototype/data-raw.json", "locale/en.cfg"):
    with open(os.path.join(root, rel), "rb") as f:
        sums[rel] = "%08x" % (zlib.adler32(f.read()) & 0xFFFFFFFF)
meta = {"factorio_version": "2.0.77", "generator_version": "bench", "hash_algorithm": "adler32", "checksums": sums}
with open(os.path.join(root, "metadata.json"), "w") as f:
    json.dump(meta, f, indent=2)
EOF
fi

registry_start || skip "the loopback registry did not start"
digest=$(registry_push datasets/space-age:2.0.77 "$dataset" prototype locale metadata.json 2>"$work/push.log")
[ -n "$digest" ] || { cat "$work/push.log"; skip "oras push failed"; }

# The URLs curl fetches: the manifest and every layer blob fm.fetch downloads.
curl -fs -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY_ADDR/v2/datasets/space-age/manifests/$digest" >"$work/manifest.json"
{
  echo "http://$REGISTRY_ADDR/v2/datasets/space-age/manifests/2.0.77"
  "$PY" -c 'import json, sys; [print(l["digest"]) for l in json.load(open(sys.argv[1]))["layers"]]' "$work/manifest.json" |
    sed "s|^|http://$REGISTRY_ADDR/v2/datasets/space-age/blobs/|"
} >"$work/urls"

"$LUA" bench/fetch_bench.lua "build/$feature/?.so" "oci://$REGISTRY_ADDR/datasets/space-age:2.0.77" "$work" "$RUNS"
