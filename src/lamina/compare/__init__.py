"""Runs side by side: the run table of a project, spec diffs and overlaid curves.

Everything here reads run folders (``run.json``, ``spec.json``, ``history.json``,
``metrics.json``) and needs no TensorFlow, so ``lamina runs``, ``lamina compare`` and the
app's Runs view answer at once.

Example:
    >>> rows = run_table("digits-project")            # one row per run, oldest first
    >>> changes = spec_diff(rows[0].spec, rows[1].spec)
    >>> plot_curves([rows[0].path, rows[1].path], "curves.png")
"""

from importlib import import_module
from typing import Any

#: public name -> module that defines it (imported on first use, so that the command
#: line's parser, which needs only `COLUMNS`, stays fast)
_EXPORTS = {
    "COLUMNS": "lamina.compare.columns",
    "Change": "lamina.compare.spec_diff",
    "RunRow": "lamina.compare.runs_table",
    "best_values": "lamina.compare.runs_table",
    "differing_paths": "lamina.compare.spec_diff",
    "fill_changed": "lamina.compare.runs_table",
    "flatten_spec": "lamina.compare.spec_diff",
    "lower_is_better": "lamina.compare.runs_table",
    "plot_curves": "lamina.compare.curves",
    "read_row": "lamina.compare.runs_table",
    "resolve_run_path": "lamina.compare.runs_table",
    "run_table": "lamina.compare.runs_table",
    "spec_diff": "lamina.compare.spec_diff",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lamina.compare' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
