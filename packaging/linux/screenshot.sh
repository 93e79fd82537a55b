#!/usr/bin/env bash
# The README's screenshot: the window on an example tune with takes from a real model
# shown as ghost notes, taken under Xvfb (no desktop needed) into resources/screenshot.png.
# Usage: packaging/linux/screenshot.sh [extra args for python -m composer.ui.screenshot]
#   e.g. --models-dir runs/  (a folder of model folders, when none is installed yet);
#   through make: make screenshot MODELS_DIR=runs/
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
if ! command -v xvfb-run >/dev/null; then
    echo "screenshot: xvfb-run is missing; install it (Debian/Ubuntu: sudo apt-get install xvfb)" >&2
    exit 1
fi
out=resources/screenshot.png
extra=()
[ -n "${MODELS_DIR:-}" ] && extra=(--models-dir "$MODELS_DIR")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Settings and autosave go to a throw-away folder: never the developer's own.
COMPOSER_CONFIG_DIR="$tmp/config" COMPOSER_STATE_DIR="$tmp/state" \
    xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$PY" -m composer.ui.screenshot "$out" "${extra[@]}" "$@"
