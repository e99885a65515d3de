"""Runs side by side: the run table of a project, spec diffs and overlaid curves.

Everything here reads run folders (``run.json``, ``spec.json``, ``history.json``,
``metrics.json``) and needs no TensorFlow, so ``lamina runs``, ``lamina compare`` and the
app's Runs view answer at once.

Example:
    >>> rows = run_table("digits-project")            # one row per run, oldest first
    >>> changes = spec_diff(rows[0].spec, rows[1].spec)
    >>> plot_curves([rows[0].path, rows[1].path], "curves.png")
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lamina.errors import LaminaError
from lamina.project import PROJECT_FILE, ProjectError, Run, load_project
from lamina.spec import ModelSpec

#: Columns of the run table, in order (``--sort`` takes these names).
COLUMNS = (
    "run",
    "date",
    "status",
    "spec",
    "changed",
    "best_val",
    "test",
    "epochs",
    "seconds",
    "device",
)

#: Substrings of metric names where lower is better (others: higher is better).
_LOWER_IS_BETTER = ("loss", "error", "mse", "mae", "mape", "msle", "crossentropy", "nll")


def lower_is_better(metric: str) -> bool:
    """True for losses and errors (``val_loss``, ``mae``), False for scores (``accuracy``)."""
    name = metric.lower()
    return any(part in name for part in _LOWER_IS_BETTER)


@dataclass(frozen=True)
class Change:
    """One difference between two specs.

    Args:
        path: Where, as in spec errors: ``layers[2].params.units``, ``compile.optimizer``.
        before: The value in the first spec (`None` where the item is added).
        after: The value in the second spec (`None` where the item is removed).
        kind: ``"changed"``, ``"added"`` or ``"removed"``.
    """

    path: str
    before: Any
    after: Any
    kind: str = "changed"

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {_show(self.after)}"
        if self.kind == "removed":
            return f"- {self.path}: {_show(self.before)}"
        return f"~ {self.path}: {_show(self.before)} -> {_show(self.after)}"


@dataclass
class RunRow:
    """One run of a project as a row of the run table.

    Args:
        run: The run's id (its folder name).
        path: The run folder.
        date: When it started (ISO 8601), or ``""``.
        status: ``"finished"``, ``"cancelled"``, ``"failed"`` or ``"incomplete"``.
        spec_name: The name of the spec it trained.
        spec: The spec as trained, or `None` if the run has none.
        best_val: The best value of each validation metric in its history.
        best_epoch: The epoch (1-based) of each best validation value.
        test: The test metrics (numbers only; the sample count ``n`` left out).
        epochs: Epochs trained.
        seconds: The run's wall time, or `None`.
        device: The device it trained on.
        reason: Why it failed or was cancelled.
        changed: The values of the parameters that differ between the table's runs
            (filled by `run_table`).
    """

    run: str
    path: Path
    date: str = ""
    status: str = "incomplete"
    spec_name: str = ""
    spec: ModelSpec | None = None
    best_val: dict[str, float] = field(default_factory=dict)
    best_epoch: dict[str, int] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)
    epochs: int = 0
    seconds: float | None = None
    device: str = ""
    reason: str = ""
    changed: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Returns the row as plain JSON-serialisable data."""
        return {
            "run": self.run,
            "path": str(self.path),
            "date": self.date,
            "status": self.status,
            "spec": self.spec_name,
            "changed": self.changed,
            "best_val": self.best_val,
            "best_epoch": self.best_epoch,
            "test": self.test,
            "epochs": self.epochs,
            "seconds": self.seconds,
            "device": self.device,
            "reason": self.reason,
        }

    def sort_key(self, column: str) -> tuple[int, Any]:
        """A key that sorts the table by `column` (rows without a value last)."""
        if column not in COLUMNS:
            raise LaminaError(
                f"unknown column {column!r}",
                location="--sort",
                hint=f"choose one of {', '.join(COLUMNS)}",
                code="usage",
            )
        value: Any = {
            "run": self.run,
            "date": self.date,
            "status": self.status,
            "spec": self.spec_name,
            "changed": str(self.changed),
            "best_val": self.headline_val()[1],
            "test": next(iter(self.test.values()), None),
            "epochs": self.epochs,
            "seconds": self.seconds,
            "device": self.device,
        }[column]
        if (
            column == "best_val"
            and value is not None
            and not lower_is_better(self.headline_val()[0])
        ):
            value = -value  # best first
        return (value is None, value if value is not None else 0)

    def headline_val(self) -> tuple[str, float | None]:
        """The validation metric the table shows: a score if there is one, else the loss."""
        scores = [k for k in self.best_val if not lower_is_better(k)]
        name = scores[0] if scores else ("val_loss" if "val_loss" in self.best_val else "")
        if not name and self.best_val:
            name = next(iter(self.best_val))
        return name, self.best_val.get(name)


# -- reading runs -------------------------------------------------------------------------


def _numbers(data: Any) -> dict[str, float]:
    if not isinstance(data, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in data.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    }


def best_values(history: Mapping[str, Sequence[Any]]) -> tuple[dict[str, float], dict[str, int]]:
    """The best value and its 1-based epoch of every ``val_`` metric in `history`."""
    best: dict[str, float] = {}
    epoch: dict[str, int] = {}
    for name, values in history.items():
        if not name.startswith("val_") or not isinstance(values, (list, tuple)):
            continue
        finite = [
            (i, float(v))
            for i, v in enumerate(values)
            if isinstance(v, (int, float)) and math.isfinite(float(v))
        ]
        if not finite:
            continue
        pick = min if lower_is_better(name) else max
        i, v = pick(finite, key=lambda iv: iv[1])
        best[name], epoch[name] = v, i + 1
    return best, epoch


def read_row(path: str | Path) -> RunRow:
    """Reads one run folder into a `RunRow` (an interrupted or broken run too).

    Raises:
        ProjectError: If the folder does not exist.
    """
    path = Path(path)
    if not path.is_dir():
        raise ProjectError(f"{path}: run folder not found")
    run = Run(path)
    row = RunRow(run=run.id, path=path)
    info: dict[str, Any] = {}
    if run.complete:
        try:
            info = run.info
        except ProjectError as exc:
            row.status, row.reason = "broken", str(exc)
            return row
        row.status = str(info.get("status", "unknown"))
    row.reason = str(info.get("reason") or "")
    row.date = str(info.get("created") or "")
    device = info.get("device")
    row.device = str(device.get("device", "")) if isinstance(device, dict) else str(device or "")
    seconds = (info.get("timings") or {}).get("total_seconds")
    row.seconds = float(seconds) if isinstance(seconds, (int, float)) else None
    try:
        row.spec = run.spec
        row.spec_name = row.spec.name
    except ProjectError as exc:
        row.reason = row.reason or str(exc)
    try:
        history = run.history
    except ProjectError:
        history = {}
    row.epochs = int(info.get("epochs_run") or max((len(v) for v in history.values()), default=0))
    row.best_val, row.best_epoch = best_values(history)
    try:
        row.test = {k: v for k, v in _numbers(run.metrics).items() if k != "n"}
    except ProjectError:
        row.test = {}
    return row


def run_table(project: str | Path, sort: str | None = None) -> list[RunRow]:
    """The rows of every run of a project (interrupted runs included), oldest first.

    Each row's `changed` holds the parameters that differ between the project's runs.

    Args:
        project: The project folder (or its ``project.json``).
        sort: A column of `COLUMNS` to sort by. Defaults to the run order.

    Raises:
        ProjectError: If `project` is not a lamina project.
    """
    proj = load_project(project)
    rows = [read_row(run.path) for run in proj.runs(include_incomplete=True)]
    fill_changed(rows)
    if sort:
        rows.sort(key=lambda r: r.sort_key(sort))
    return rows


def fill_changed(rows: Sequence[RunRow]) -> list[str]:
    """Sets each row's `changed` to its values of the parameters that differ between rows.

    Returns:
        The differing parameter paths, in spec order.
    """
    flats = [flatten_spec(r.spec) if r.spec is not None else {} for r in rows]
    paths: list[str] = []
    for flat in flats:
        paths += [p for p in flat if p not in paths]
    differing = [p for p in paths if len({_key(f.get(p, _MISSING)) for f in flats}) > 1]
    for row, flat in zip(rows, flats, strict=True):
        row.changed = {p: flat.get(p) for p in differing if row.spec is not None}
    return differing


# -- spec diffs ----------------------------------------------------------------------------

_MISSING = object()


def _key(value: Any) -> str:
    return "<missing>" if value is _MISSING else repr(value)


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    else:
        out[prefix] = value


def flatten_spec(spec: ModelSpec | dict[str, Any]) -> dict[str, Any]:
    """Every leaf of a spec by its path: ``layers[1].type``, ``layers[1].params.units``.

    Args:
        spec: A `ModelSpec` or its dict.
    """
    data = spec.to_dict() if isinstance(spec, ModelSpec) else dict(spec)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "layers":
            for i, item in enumerate(value or []):
                _flatten(f"layers[{i}]", item, out)
        else:
            _flatten(key, value, out)
    return out


def _diff_values(path: str, a: Any, b: Any, out: list[Change]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            if k not in b:
                out.append(Change(sub, a[k], None, "removed"))
            elif k not in a:
                out.append(Change(sub, None, b[k], "added"))
            else:
                _diff_values(sub, a[k], b[k], out)
    elif a != b:
        out.append(Change(path, a, b))


def _item_key(item: dict[str, Any]) -> str:
    return str(item.get("type"))


def spec_diff(a: ModelSpec | dict[str, Any], b: ModelSpec | dict[str, Any]) -> list[Change]:
    """The differences from spec `a` to spec `b`: item by item, parameter by parameter.

    Items are matched by type in order (as ``diff`` matches lines), so an inserted layer
    shows as one added item rather than as every later item changed. Paths use the index
    in `b` for added and changed items and the index in `a` for removed ones.

    Args:
        a: The first spec (a `ModelSpec` or its dict).
        b: The second spec.
    """
    da = a.to_dict() if isinstance(a, ModelSpec) else dict(a)
    db = b.to_dict() if isinstance(b, ModelSpec) else dict(b)
    out: list[Change] = []
    for key in list(da) + [k for k in db if k not in da]:
        if key == "layers":
            continue
        _diff_values(key, da.get(key), db.get(key), out)
    la, lb = list(da.get("layers") or []), list(db.get("layers") or [])
    matcher = difflib.SequenceMatcher(
        a=[_item_key(x) for x in la], b=[_item_key(x) for x in lb], autojunk=False
    )
    layer_changes: list[Change] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                _diff_values(f"layers[{j}]", la[i], lb[j], layer_changes)
            continue
        for i in range(i1, i2):
            layer_changes.append(Change(f"layers[{i}]", la[i], None, "removed"))
        for j in range(j1, j2):
            layer_changes.append(Change(f"layers[{j}]", None, lb[j], "added"))
    # items first (the order a user reads a stack in), then compile and training
    return layer_changes + out


# -- curves --------------------------------------------------------------------------------


def _label(row: RunRow, rows: Sequence[RunRow]) -> str:
    label = row.run
    if row.changed and len(rows) > 1:
        label += " (" + ", ".join(f"{k.split('.')[-1]}={v}" for k, v in row.changed.items()) + ")"
    return label if len(label) <= 60 else label[:57] + "..."


def plot_curves(
    runs: Iterable[str | Path | RunRow],
    path: str | Path,
    metrics: Sequence[str] | None = None,
) -> Path:
    """Draws the runs' training curves overlaid, one panel per metric, as a PNG.

    Solid lines are training values, dashed lines the validation values of the same
    run (same colour); integer epochs on the x axis.

    Args:
        runs: Run folders or rows.
        path: The PNG to write.
        metrics: Base metric names (``"loss"``, ``"accuracy"``). Defaults to every metric
            the runs logged.

    Returns:
        The path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from lamina.atomic import atomic_write_with

    rows = [r if isinstance(r, RunRow) else read_row(r) for r in runs]
    if not rows:
        raise LaminaError("no runs to draw", location="compare", code="usage")
    fill_changed(rows)
    histories = []
    for row in rows:
        try:
            histories.append(Run(row.path).history)
        except ProjectError:
            histories.append({})
    if metrics is None:
        names: list[str] = []
        for h in histories:
            for k in h:
                base = k[4:] if k.startswith("val_") else k
                if base not in names and base not in ("lr", "learning_rate"):
                    names.append(base)
        metrics = names or ["loss"]
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(5.2 * len(metrics), 4.2), squeeze=False, layout="constrained"
    )
    colours = plt.get_cmap("tab10")
    for ax, metric in zip(axes[0], metrics, strict=True):
        for n, (row, history) in enumerate(zip(rows, histories, strict=True)):
            colour = colours(n % 10)
            for key, style in ((metric, "-"), (f"val_{metric}", "--")):
                values = history.get(key)
                if not values:
                    continue
                epochs = range(1, len(values) + 1)
                label = _label(row, rows) + ("" if style == "-" else " (validation)")
                ax.plot(epochs, values, style, color=colour, label=label, marker=".")
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(2, len(handles)))
    fig.suptitle("runs compared: solid = training, dashed = validation")
    out = Path(path)
    if out.suffix.lower() != ".png":
        raise LaminaError(f"{out}: the figure is written as PNG", location="--out", code="usage")
    atomic_write_with(out, lambda p: fig.savefig(p, format="png", dpi=110))
    plt.close(fig)
    return out


def resolve_run_path(text: str | Path) -> Path:
    """A run folder from a path: the folder itself, or ``PROJECT/RUN_ID``.

    Raises:
        ProjectError: If `text` is no run folder (a project folder is named as such).
    """
    path = Path(text)
    if (path / PROJECT_FILE).is_file():
        raise ProjectError(
            f"{path}: this is a project folder; name its runs (see `lamina runs {path}`)"
        )
    if not path.is_dir():
        raise ProjectError(f"{path}: run folder not found")
    return path
