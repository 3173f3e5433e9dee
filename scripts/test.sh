#!/usr/bin/env bash
# Set up everything the tests need, then run every test. CI runs exactly this (.ci/run).
set -euo pipefail
source "$(dirname "$0")/_setup.sh"
cd "$ROOT"

apt_install chromium postgresql
make_venv
install_package "test,local"
# GrowthBook's engine is the independent reference for our statistics. Its wheel pins numpy<2 and pandas<2,
# but the frequentist module we compare against runs on numpy 2, so it is installed without its pins.
"$PY" -m pip install -q --no-deps "gbstats==0.8.0"
"$PY" -m pip install -q nbformat packaging -r "$ROOT/benchmarks/requirements.txt"

source "$ROOT/scripts/postgres.sh"
start_postgres

log "jest (the lab extension's notebook-to-panel logic)"
(cd "$ROOT/labextension" && "$VENV/bin/jlpm" test --silent)

log "node --test (the experiment table widget's functions, disco_magics/widgets/table.js)"
node --test "$ROOT/tests/js/"

log "ruff"
"$VENV/bin/ruff" check "$ROOT"

log "pytest"
"$PY" -m pytest "$@"
