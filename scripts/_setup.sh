# Shared set-up steps for quickstart.sh and test.sh (sourced, not run).
# Everything goes into ./.venv; system packages come from apt when missing (root or sudo).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# DISCO_VENV puts the environment elsewhere (the tests set up the quickstart in a clean venv of its own)
VENV="${DISCO_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

log() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

apt_install() {
  # apt_install PACKAGE... : installs the Debian packages that are missing
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || { echo "install these packages: ${missing[*]}" >&2; return 1; }
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

make_venv() {
  if [ ! -x "$PY" ]; then
    log "creating $VENV"
    python3 -m venv "$VENV"
  fi
  "$PY" -m pip install -q --upgrade pip >/dev/null
  # Tools spawn other tools by name (jupyter-builder, jlpm, node scripts): they must find this venv's first.
  export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"
}

install_package() {
  # install_package EXTRAS : the package (editable) with its lab extension, built by hatch-jupyter-builder
  log "pip install -e .[$1] (builds the JupyterLab extension with jlpm on first run)"
  # A re-install writes the wheel's shared install.json through the symlink `labextension develop` made
  # (share/jupyter/labextensions/disco-magics -> disco_magics/labextension); the next wheel build would
  # then hold that file twice and fail. It is a stray copy: remove it.
  rm -f "$ROOT/disco_magics/labextension/install.json"
  if [ -n "$1" ]; then "$PY" -m pip install -q -e "$ROOT[$1]"; else "$PY" -m pip install -q -e "$ROOT"; fi
  "$VENV/bin/jupyter-labextension" develop --overwrite "$ROOT" >/dev/null 2>&1
  "$VENV/bin/jupyter-labextension" list 2>&1 | grep -q "disco-magics.*enabled.*OK" || { echo "the lab extension is not enabled" >&2; return 1; }
  # The server extension (the portfolio route): a wheel enables it through its shared data
  # (etc/jupyter/jupyter_server_config.d); an editable install may not copy shared data, so copy it here
  # (`jupyter server extension enable` refuses an extension no config file names yet).
  mkdir -p "$VENV/etc/jupyter/jupyter_server_config.d"
  cp "$ROOT/jupyter-config/jupyter_server_config.d/disco_magics.json" "$VENV/etc/jupyter/jupyter_server_config.d/"
  # (the list is read whole first: grep -q stops at its match, and under pipefail the writer's SIGPIPE fails)
  local servers
  servers="$("$VENV/bin/jupyter-server" extension list 2>&1)"
  grep -q "disco_magics.*enabled" <<<"$servers" || { echo "the server extension is not enabled" >&2; return 1; }
}
