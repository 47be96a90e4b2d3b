#!/usr/bin/env bash
# Installs what voxcart needs and is missing: Debian packages, a Python 3.10 venv, the project.
# Idempotent and quiet on a second run. Usage: scripts/bootstrap.sh [run|test]
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-run}"

say() { printf 'voxcart setup: %s\n' "$*"; }

# --- Debian packages --------------------------------------------------------------------
apt_packages=(espeak-ng libespeak-ng1 libportaudio2)
if [ "$purpose" = test ]; then
    # The device tests run a real PulseAudio server with virtual devices and its
    # module-echo-cancel (webrtc; Debian's pulseaudio ships it with libwebrtc-audio-processing).
    apt_packages+=(pulseaudio libasound2-plugins sox)
    # The console's browser test drives Debian's Chromium through its WebDriver.
    apt_packages+=(chromium chromium-driver)
    if [ -n "${CI:-}" ]; then apt_packages+=(postgresql redis-server); fi
fi
missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
        say "missing system packages: ${missing[*]} (no apt-get here; install them with your package manager)"
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing system packages: ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# --- Python 3.10 ------------------------------------------------------------------------
find_python() {
    local candidate
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do
            [ -x "$candidate" ] && { echo "$candidate"; return 0; }
        done
    fi
    for candidate in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
        if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    if ! python=$(find_python); then
        say "Python 3.10 is required (Rasa Open Source 3.6 supports nothing newer) and was not found."
        say "Install it with pyenv:  pyenv install 3.10.13   (or: sudo apt-get install python3.10 python3.10-venv)"
        exit 1
    fi
    say "creating .venv with $python"
    "$python" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1
fi

# --- the project and its dev extras -----------------------------------------------------
stamp=.venv/.voxcart-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing voxcart and its dependencies into .venv (first time: a few minutes)"
    if ! .venv/bin/python -m pip install --disable-pip-version-check -e ".[dev]" \
            > .venv/pip-install.log 2>&1; then
        tail -n 30 .venv/pip-install.log
        say "pip install failed; the whole log is in .venv/pip-install.log"
        exit 1
    fi
    echo "$want" > "$stamp"
fi
