#!/usr/bin/env bash
# Mutation testing of lamina with cosmic-ray (a tool for contributors, not part of CI).
#
#   scripts/mutation.sh                 # every target of mutation/*.toml (hours on 2 cores)
#   scripts/mutation.sh atomic project  # some targets
#
# For each target, cosmic-ray mutates the target's modules in place, one mutant at a
# time, runs the tests named in mutation/<target>.toml and restores the file; a
# mutant is killed when a test fails. The report prints the kill rate and the
# surviving mutants (mutation/<target>.sqlite keeps the session; delete it to start
# over). Do not edit the work tree while it runs.
#
# cosmic-ray lives in its own venv (MUTATION_VENV, default .mvenv):
#   python3.11 -m venv .mvenv && .mvenv/bin/pip install cosmic-ray
# The tests run with PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/src:$PWD/plugins:$PWD/gui${PYTHONPATH:+:$PYTHONPATH}" QT_QPA_PLATFORM=offscreen
PYTHON="${PYTHON:-.venv/bin/python}"

if [ "${1:-}" = "--test" ]; then  # the test command of a mutant (called by cosmic-ray)
    shift
    exec "$PYTHON" -m pytest -p no:cacheprovider -x -q --no-header "$@"
fi

CR="${MUTATION_VENV:-.mvenv}/bin"
if [ ! -x "$CR/cosmic-ray" ]; then
    echo "cosmic-ray not found in $CR: python3.11 -m venv .mvenv && .mvenv/bin/pip install cosmic-ray" >&2
    exit 2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(atomic registry project export build training visualizations)
fi
for target in "${targets[@]}"; do
    cfg="mutation/$target.toml"
    db="mutation/$target.sqlite"
    echo "== $target ($cfg)"
    [ -f "$db" ] || "$CR/cosmic-ray" init "$cfg" "$db"
    "$CR/cosmic-ray" exec "$cfg" "$db"
    "$CR/cr-report" "$db" --surviving-only --show-diff
    git diff --quiet -- src plugins || { echo "work tree not restored!" >&2; exit 1; }
done
