#!/usr/bin/env bash
# Installs what building Gala needs, from package registries only (no binary downloads, which
# fail on offline build machines). Sourced by .ci/start and .ci/test; safe to run repeatedly:
# each step is skipped when its tool is already there at the right version.
#
#   - the wasm32-unknown-unknown Rust target
#   - cargo-leptos 0.3.10 (the newest that builds on stable Rust 1.95 with --locked)
#   - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock
#   - Node.js/npm (Debian packages) and end2end/node_modules: wasm-opt from npm's binaryen 132
#     (Debian's older binaryen produces wasm that fails to hydrate), linked into ~/.cargo/bin,
#     and playwright-core
#   - with GALA_BOOTSTRAP_TEST_TOOLS=1: Debian's chromium for the browser tests, and a Python
#     virtualenv in target/tools/venv with aiosmtpd (a real SMTP server the mail tests deliver to)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"

say() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo >/dev/null || { echo "bootstrap: cargo not found; install Rust with rustup first" >&2; exit 1; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

wasm_bindgen_version="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$repo_root/Cargo.lock")"
if [ -z "$wasm_bindgen_version" ]; then
  echo "bootstrap: no wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version (matches Cargo.lock)"
  # Not --locked: its own lock file names a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi

if ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi

# end2end/node_modules holds wasm-opt and playwright-core; reinstall when the lock file changed.
lock_stamp="$repo_root/end2end/node_modules/.gala-lock"
if ! cmp -s "$repo_root/end2end/package-lock.json" "$lock_stamp" 2>/dev/null; then
  say "installing end2end npm packages (binaryen, playwright-core)"
  (cd "$repo_root/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$repo_root/end2end/package-lock.json" "$lock_stamp"
fi
export PATH="$repo_root/end2end/node_modules/.bin:$PATH"
# cargo-leptos looks for wasm-opt on PATH and otherwise tries to download one (which fails
# offline): link npm's into ~/.cargo/bin, so `cargo leptos watch` and `cargo leptos build
# --release` work in any new shell after this set-up. A wasm-opt of the user's own is kept.
wasm_opt_link="$HOME/.cargo/bin/wasm-opt"
if [ ! -e "$wasm_opt_link" ] || [ -L "$wasm_opt_link" ]; then
  ln -sfn "$repo_root/end2end/node_modules/.bin/wasm-opt" "$wasm_opt_link"
fi

if [ "${GALA_BOOTSTRAP_TEST_TOOLS:-0}" = 1 ]; then
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
  venv="$repo_root/target/tools/venv"
  if ! "$venv/bin/python" -c "import aiosmtpd" 2>/dev/null; then
    say "installing aiosmtpd (SMTP server for the mail tests) in target/tools/venv"
    command -v python3 >/dev/null || apt_install python3 python3-venv
    python3 -m venv "$venv" || { apt_install python3-venv && python3 -m venv "$venv"; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==1.4.6"
  fi
  export GALA_TEST_PYTHON="$venv/bin/python"
fi
