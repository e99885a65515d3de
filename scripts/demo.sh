#!/usr/bin/env bash
# Installs lamina into .venv and runs its main job headless: the built-in demo.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[gui]"
.venv/bin/lamina demo "$@"
