"""Runs side by side: the run table of a project, spec diffs and overlaid curves.

Everything here reads run folders (``run.json``, ``spec.json``, ``history.json``,
``metrics.json``) and needs no TensorFlow, so ``lamina runs``, ``lamina compare`` and the
app's Runs view answer at once.

Example:
    >>> rows = run_table("digits-project")            # one row per run, oldest first
    >>> changes = spec_diff(rows[0].spec, rows[1].spec)
    >>> plot_curves([rows[0].path, rows[1].path], "curves.png")
"""

from lamina.compare.curves import plot_curves
from lamina.compare.runs_table import (
    COLUMNS,
    RunRow,
    best_values,
    fill_changed,
    lower_is_better,
    read_row,
    resolve_run_path,
    run_table,
)
from lamina.compare.spec_diff import Change, differing_paths, flatten_spec, spec_diff

__all__ = [
    "COLUMNS",
    "Change",
    "RunRow",
    "best_values",
    "differing_paths",
    "fill_changed",
    "flatten_spec",
    "lower_is_better",
    "plot_curves",
    "read_row",
    "resolve_run_path",
    "run_table",
    "spec_diff",
]
