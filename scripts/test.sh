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
trap stop_postgres EXIT

log "the README's first command, in a clean venv of its own (no test extras): quickstart --headless"
# It must not lean on anything installed above: a new venv, the package's own dependencies only.
quick="$(mktemp -d)"
DISCO_VENV="$quick/venv" bash "$ROOT/scripts/quickstart.sh" --headless | tee "$quick/out.txt"
for verdict in validated invalidated inconclusive; do
  grep -qw "$verdict" "$quick/out.txt" || { echo "quickstart --headless printed no '$verdict'" >&2; exit 1; }
done
"$quick/venv/bin/python" -c "import jupyterlab, nbclient, nbformat, ipykernel" \
  || { echo "the quickstart venv lacks JupyterLab, nbclient, nbformat or ipykernel" >&2; exit 1; }
"$quick/venv/bin/jupyter" labextension list 2>&1 | grep -q "disco-magics.*enabled.*OK" \
  || { echo "the lab extension is not enabled in the quickstart venv" >&2; exit 1; }
rm -rf "$quick"

log "jest (the lab extension's notebook-to-panel logic)"
(cd "$ROOT/labextension" && "$VENV/bin/jlpm" test --silent)

log "node --test (the experiment table widget's functions, disco_magics/widgets/table.js)"
node --test "$ROOT/tests/js/"

log "ruff"
"$VENV/bin/ruff" check "$ROOT"

log "pytest"
"$PY" -m pytest "$@"
