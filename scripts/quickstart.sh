#!/usr/bin/env bash
# Set up disco_magics in ./.venv, then open JupyterLab on the example discovery notebooks.
#   bash scripts/quickstart.sh             # JupyterLab on examples/ (http://localhost:8888)
#   bash scripts/quickstart.sh --headless  # no browser: run every example with `disco run` and print verdicts
set -euo pipefail
source "$(dirname "$0")/_setup.sh"
cd "$ROOT"

make_venv
install_package ""

if [ "${1:-}" = "--headless" ]; then
  for notebook in examples/*.ipynb; do
    log "disco run $notebook"
    "$VENV/bin/disco" run "$notebook"
  done
  exit 0
fi

log "JupyterLab on examples/ — open the URL below; the Discovery panel is in the left sidebar"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
exec "$VENV/bin/jupyter" lab --notebook-dir="$ROOT/examples" "${extra[@]}" "${@}"
