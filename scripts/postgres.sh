# Start a throwaway PostgreSQL server on loopback for the tests (sourced by test.sh).
# Exports DISCO_TEST_POSTGRES_URL; tests that need PostgreSQL skip when it is unset.

start_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed; its tests will be skipped" >&2
    return 0
  fi
  pushd / >/dev/null  # the postgres user may not enter the checkout's folder
  local data=/tmp/disco-pg-data port=55432
  local owner=postgres
  id "$owner" >/dev/null 2>&1 || owner="$(id -un)"
  local run=(bash -c)
  [ "$(id -u)" = 0 ] && run=(su "$owner" -s /bin/bash -c)
  if ! "${run[@]}" "$bin/pg_ctl -D $data status" >/dev/null 2>&1; then
    rm -rf "$data"
    mkdir -p "$data" && chown "$owner" "$data"
    "${run[@]}" "$bin/initdb -D $data -U disco --auth=trust >/dev/null"
    "${run[@]}" "$bin/pg_ctl -D $data -l $data/server.log -o '-c listen_addresses=127.0.0.1 -p $port -k /tmp' -w start >/dev/null"
  fi
  "${run[@]}" "$bin/psql -h 127.0.0.1 -p $port -U disco -d postgres -tc \"SELECT 1 FROM pg_database WHERE datname='disco_test'\" | grep -q 1 || $bin/createdb -h 127.0.0.1 -p $port -U disco disco_test"
  popd >/dev/null
  export DISCO_TEST_POSTGRES_URL="postgresql://disco@127.0.0.1:$port/disco_test"
  log "PostgreSQL on $DISCO_TEST_POSTGRES_URL"
}
