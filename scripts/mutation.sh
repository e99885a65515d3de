#!/usr/bin/env bash
# Mutation testing of lamina with cosmic-ray (a tool for contributors, not part of CI).
#
#   scripts/mutation.sh                      # all targets, a 4 % sample (see CONTRIBUTING.md)
#   scripts/mutation.sh --fraction 1 build   # every mutant of some targets
#   scripts/mutation.sh --seed 3 --fraction 0.1 training visualizations
#   scripts/mutation.sh --no-baseline ...    # skip the unmutated run of each target's tests
#   scripts/mutation.sh --recheck            # run the last run's survivors again (new tests)
#
# Targets are mutation/<target>.toml (modules to mutate, the tests that cover them, the
# operators left out). For each target cosmic-ray lists the mutants (init), drops the
# left-out operators and `# pragma: no mutate` lines (its filters), and this script keeps a
# seeded stratified random sample of each module's mutants (--fraction, default 0.04;
# scripts/mutation_stats.py). Two lanes, each in its own copy of the work tree, run the
# targets with cosmic-ray; a mutant's tests run in a process forked from one that has
# imported TensorFlow (scripts/mutation_forkserver.py), so no mutant pays that import.
# The end prints the kill rate per target and overall (with the 95 % confidence interval
# of the estimate for all mutants) and every surviving mutant with its diff.
#
# mutation/<target>.sqlite keeps each session: a second run resumes it and runs only what
# is missing; delete it (or pass --fresh) to start over. The work tree itself is never
# mutated; the copies live in a temporary folder removed at the end.
#
# cosmic-ray lives in its own venv (MUTATION_VENV, default .mvenv):
#   python3.11 -m venv .mvenv && .mvenv/bin/pip install cosmic-ray
# The tests run with PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--test" ]; then  # the test command of a mutant (called by a worker in its copy)
    shift
    export PYTHONPATH="$PWD/src:$PWD/plugins:$PWD/gui" QT_QPA_PLATFORM=offscreen
    exec "$PYTHON" scripts/mutation_forkserver.py -p no:cacheprovider -x -q --no-header "$@"
fi

fraction=0.04 seed=0 fresh=0 recheck=0 baseline=1 targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --fraction) fraction="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        --fresh) fresh=1; shift ;;
        --recheck) recheck=1; shift ;;
        --no-baseline) baseline=0; shift ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ "$fresh" = 0 ] || [ "$recheck" = 0 ] || { echo "--fresh and --recheck exclude each other" >&2; exit 2; }
# the longest first, so that the two lanes end close together (the training loop and the
# rest of training take one lane each, then the others follow)
[ ${#targets[@]} -gt 0 ] || targets=(training_loop training visualizations build registry export project atomic)

CR="$(cd "${MUTATION_VENV:-.mvenv}/bin" 2>/dev/null && pwd)" || {
    echo "cosmic-ray not found: python3.11 -m venv .mvenv && .mvenv/bin/pip install cosmic-ray" >&2
    exit 2
}
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || { echo "no Python at $PYTHON: set PYTHON to the project's venv python" >&2; exit 2; }
PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")"  # absolute, still the venv's
export PYTHON

# Two lanes, each in its own copy of the work tree (tracked and new files, uncommitted
# changes included; byte code checked by hash so that a mutant never runs from a stale
# .pyc). Each lane takes the next target nobody has taken and runs cosmic-ray's own local
# distributor on it in its copy; the sessions stay in mutation/ of the work tree.
# (cosmic-ray's http distributor would share one target between workers, but its client
# gives up on a mutant after five minutes and then sends the busy worker a second one.)
root="$PWD"
copies="$(mktemp -d /tmp/lamina-mutation.XXXXXX)"
trap 'rm -rf "$copies"' EXIT
prepare() {  # prepare TARGET: the session of TARGET's mutants (once; kept for resuming)
    local cfg="mutation/$1.toml" db="mutation/$1.sqlite"
    [ "$fresh" = 0 ] || rm -f "$db"
    if [ -f "$db" ]; then
        [ "$recheck" = 0 ] || "$CR/python" scripts/mutation_stats.py recheck "$db"
        return 0
    fi
    "$CR/cosmic-ray" init "$cfg" "$db.new"
    "$CR/cr-filter-operators" "$db.new" "$cfg"
    "$CR/cr-filter-pragma" "$db.new"
    "$CR/python" scripts/mutation_stats.py sample "$db.new" --fraction "$fraction" --seed "$seed"
    mv "$db.new" "$db"
}

lane() {  # lane NUMBER: runs targets in copy NUMBER until none is left
    local copy="$copies/$1" target test_command
    mkdir "$copy"
    git ls-files -z -co --exclude-standard | tar --null -cf - -T - | tar -xf - -C "$copy"
    "$PYTHON" -m compileall -q --invalidation-mode checked-hash "$copy/src" "$copy/plugins"
    for target in "${targets[@]}"; do
        mkdir "$copies/taken.$target" 2>/dev/null || continue
        echo "== $target: lane $1, $(date -u +%H:%M:%S)"
        prepare "$target"
        if [ "$baseline" = 1 ]; then  # the tests must pass unmutated, else all are "killed"
            test_command="$("$CR/python" -c 'import sys, tomllib
print(tomllib.load(open(sys.argv[1], "rb"))["cosmic-ray"]["test-command"])' "mutation/$target.toml")"
            (cd "$copy" && eval "$test_command") >"$copy.baseline.log" 2>&1 || {
                echo "the tests of $target fail unmutated: see $copy.baseline.log" >&2
                continue
            }
        fi
        (cd "$copy" && "$CR/cosmic-ray" exec "mutation/$target.toml" "$root/mutation/$target.sqlite") \
            >"$copy.$target.log" 2>&1 || echo "cosmic-ray failed on $target: $copy.$target.log" >&2
        echo "== $target: done, $(date -u +%H:%M:%S)"
    done
}
lane 1 &
lane 2 &
wait
git diff --quiet -- src plugins || { echo "work tree changed during the run!" >&2; exit 1; }
dbs=()
for target in "${targets[@]}"; do dbs+=("mutation/$target.sqlite"); done
"$CR/python" scripts/mutation_stats.py summary "${dbs[@]}"
