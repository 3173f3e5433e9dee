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
  DISCO_PG_STARTED=""
  if ! "${run[@]}" "$bin/pg_ctl -D $data status" >/dev/null 2>&1; then
    DISCO_PG_STARTED="$bin/pg_ctl -D $data"
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

stop_postgres() {
  # Stops the server start_postgres started (one that was already running is left alone),
  # unless DISCO_KEEP_POSTGRES=1.
  [ -n "${DISCO_PG_STARTED:-}" ] || return 0
  [ "${DISCO_KEEP_POSTGRES:-}" = 1 ] && { log "PostgreSQL left running (DISCO_KEEP_POSTGRES=1)"; return 0; }
  local owner=postgres
  id "$owner" >/dev/null 2>&1 || owner="$(id -un)"
  pushd / >/dev/null
  if [ "$(id -u)" = 0 ]; then
    su "$owner" -s /bin/bash -c "$DISCO_PG_STARTED -m fast stop" >/dev/null 2>&1 || true
  else
    bash -c "$DISCO_PG_STARTED -m fast stop" >/dev/null 2>&1 || true
  fi
  popd >/dev/null
  log "PostgreSQL stopped"
}
