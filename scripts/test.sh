#!/usr/bin/env bash
# Installs lamina with its dev extras and the example plug-in into .venv, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]" -e plugins/lamina-example
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check src plugins gui tests bench docs
.venv/bin/python -m pytest -p no:cacheprovider "$@"
