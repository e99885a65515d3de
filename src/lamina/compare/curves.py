"""Training curves of several runs overlaid in one PNG."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from lamina.compare.runs_table import RunRow, fill_changed, read_row
from lamina.errors import LaminaError
from lamina.project import ProjectError, Run


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
