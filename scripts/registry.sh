# A real OCI registry on loopback for the tests and the bench: Debian's `docker-registry` on a
# free port, storage in a temporary folder, the in-memory blob-descriptor cache of the
# configuration Debian ships. Source it, then:
#
#   registry_start            sets REGISTRY_ADDR (127.0.0.1:PORT); returns 1 and says why if
#                             the registry is missing or does not answer
#   registry_push REPO:TAG DIR NAME...
#                             pushes DIR's NAMEs (from a copy) as a dataset artifact with the
#                             independent `oras` client (tests/oras_push.py); prints the
#                             manifest digest
#   registry_stop             stops it and removes its storage
#
# PY is the Python with `oras` (scripts/ensure-oras.sh provides build/venv).

registry_pid= registry_dir=

registry_start() {
  [ -x /usr/bin/docker-registry ] || { echo "docker-registry is missing (apt-get install docker-registry)"; return 1; }
  registry_dir=$(mktemp -d)
  local port
  port=$("${PY:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat >"$registry_dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $registry_dir/storage
http:
  addr: 127.0.0.1:$port
EOF
  /usr/bin/docker-registry serve "$registry_dir/config.yml" >"$registry_dir/registry.log" 2>&1 &
  registry_pid=$!
  REGISTRY_ADDR=127.0.0.1:$port
  for _ in $(seq 100); do
    # Our registry, not whatever took the port: it must still be running.
    kill -0 "$registry_pid" 2>/dev/null || break
    curl -fs --max-time 1 "http://$REGISTRY_ADDR/v2/" >/dev/null && return 0
    sleep 0.1
  done
  echo "docker-registry did not start: $(tail -n 3 "$registry_dir/registry.log")"
  registry_stop
  return 1
}

registry_push() {
  local target=$1 dir=$2
  shift 2
  # oras works in the folder it pushes from (it leaves files there on failure): a copy.
  local copy="$registry_dir/push-$RANDOM"
  cp -r "$dir" "$copy"
  "${PY:-python3}" tests/oras_push.py "$REGISTRY_ADDR" "$target" application/vnd.factorio-mocks.dataset.v1 "$copy" "$@" |
    cut -d' ' -f1
  rm -rf "$copy"
}

registry_stop() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null; fi
  [ -n "$registry_dir" ] && rm -rf "$registry_dir"
  registry_pid= registry_dir=
}
