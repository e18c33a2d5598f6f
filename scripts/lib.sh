# Shared set-up for scripts/demo and scripts/test (sourced, not run).
# Creates the virtual environments the project needs, once; re-installs only when a requirements file changed.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

log() { printf '==> %s\n' "$*" >&2; }

ensure_python_venv() {
  # A fresh Debian has python3 without ensurepip; python3-venv brings it.
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    log "installing python3-venv (Debian)"
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  fi
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' \
    || { echo "Python >= 3.11 is needed, found $("$PYTHON" --version)" >&2; exit 1; }
}

# The data plane's Debian packages: docker-registry (CNCF Distribution, the registry Harbor runs inside), skopeo (an
# OCI client) and apache2-utils (htpasswd). Installed once when a command is missing; apt-get update runs only then.
DATA_PLANE_PACKAGES=(docker-registry:docker-registry skopeo:skopeo apache2-utils:htpasswd)

ensure_data_plane_packages() {
  local missing=() entry
  for entry in "${DATA_PLANE_PACKAGES[@]}"; do
    command -v "${entry#*:}" >/dev/null 2>&1 || missing+=("${entry%%:*}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 \
    || { echo "the data plane needs the Debian packages ${missing[*]}; install them (apt-get is not available here)" >&2; exit 1; }
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
    sudo=(sudo -n)  # -n: fail instead of waiting for a password
  fi
  log "installing ${missing[*]} (Debian)"
  "${sudo[@]}" apt-get update -qq || { echo "apt-get update failed" >&2; exit 1; }
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
  for entry in "${DATA_PLANE_PACKAGES[@]}"; do
    command -v "${entry#*:}" >/dev/null 2>&1 || { echo "installing ${entry%%:*} did not provide ${entry#*:}" >&2; exit 1; }
  done
}

# setup_venv DIR REQUIREMENTS_FILE...: a venv in DIR with those requirements installed.
setup_venv() {
  local dir="$1"; shift
  local stamp="$dir/.requirements.sha256"
  local want
  want="$(cat "$@" | sha256sum | cut -d' ' -f1)"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  ensure_python_venv
  log "creating $dir"
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir"
  local args=()
  for f in "$@"; do args+=(-r "$f"); done
  "$dir/bin/python" -m pip install -q "${args[@]}" 2>&1 | grep -v "^WARNING: Location 'file:" >&2 || true
  "$dir/bin/python" -c 'import ansible, requests, jmespath' || { echo "installing into $dir failed" >&2; exit 1; }
  echo "$want" > "$stamp"
}

# ansible-test downloads a pip bootstrap script from the Internet; offline, ensurepip does the same job.
install_get_pip_shim() {
  local cache="$HOME/.ansible/test/cache"
  mkdir -p "$cache"
  local shim
  for shim in get_pip_24_2.py get_pip_23_1_2.py; do
    cat > "$cache/$shim" <<'PY'
# Written by registryops.harbor scripts/lib.sh: offline stand-in for ansible-test's get-pip download.
import subprocess
import sys
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-q'] + args)
PY
  done
}
