"""Drawing `CurvePanel`s with matplotlib: one set of axes per panel.

Lines and steps share the left y axis; bands (attributions) are filled from zero on a
second y axis on the right, so a map in other units sits under the signal on the same x
axis. Markers are dotted vertical lines named inside the axes from the top down (clipped
to the axes); x values that are whole
numbers (epochs, indices) get whole-number ticks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from lamina.visualize.curves import CurvePanel

BAND_COLOURS = ("tab:red", "tab:purple", "tab:green", "tab:olive")


def layout(n: int, columns: int | None = None) -> tuple[int, int]:
    """Returns ``(rows, columns)`` for `n` panels: one column up to 4, else a grid."""
    auto = 1 if n <= 4 else math.ceil(math.sqrt(n))
    cols = max(1, min(int(columns), n)) if columns else auto
    return math.ceil(max(n, 1) / cols), cols


def _whole(values: np.ndarray) -> bool:
    return (
        values.size > 0
        and bool(np.all(np.isfinite(values)))
        and bool(np.all(values == np.round(values)))
    )


def draw_marker_label(ax: Any, x: float, label: str, lo: float, hi: float, size: int) -> Any:
    """Writes a marker's name along its line, inside the axes.

    The name reads from the top down, left of the line (right of it when the line is
    near the left edge), clipped to the axes so a long name in a small panel never
    spills onto the next one.
    """
    near_left = math.isfinite(lo) and hi > lo and (x - lo) / (hi - lo) < 0.06
    return ax.text(
        x,
        0.97,
        label,
        transform=ax.get_xaxis_transform(),
        rotation=90,
        va="top",
        ha="left" if near_left else "right",
        fontsize=size,
        color="0.25",
        clip_on=True,
        bbox={
            "boxstyle": "square,pad=0.1",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.7,
        },
    )


def draw_panel(ax: Any, panel: CurvePanel, legend: bool = True, small: bool = False) -> Any:
    """Draws one panel on `ax`; returns the twin axis of the bands (or None)."""
    from matplotlib.ticker import MaxNLocator

    size = 7 if small else 8
    twin = None
    handles: list[Any] = []
    band_i = 0
    lo, hi = math.inf, -math.inf
    whole = True
    for curve in panel.curves:
        x = curve.xs
        if x.size:
            lo, hi = min(lo, float(np.nanmin(x))), max(hi, float(np.nanmax(x)))
        whole = whole and _whole(x)
        if curve.kind == "band":
            if twin is None:
                twin = ax.twinx()
                ax.set_zorder(twin.get_zorder() + 1)
                ax.patch.set_visible(False)
            colour = BAND_COLOURS[band_i % len(BAND_COLOURS)]
            band_i += 1
            h = twin.fill_between(
                x,
                0,
                curve.y,
                step="mid",
                color=colour,
                alpha=0.35,
                linewidth=0,
                label=curve.label or None,
            )
            twin.plot(x, curve.y, color=colour, linewidth=0.6, drawstyle="steps-mid")
            handles.append(h)
        elif curve.kind == "steps":
            (h,) = ax.step(x, curve.y, where="mid", linewidth=1.0, label=curve.label or None)
            handles.append(h)
        else:
            style = {"marker": "o", "markersize": 3} if curve.y.size <= 60 else {}
            (h,) = ax.plot(x, curve.y, linewidth=1.0, label=curve.label or None, **style)
            handles.append(h)
    if twin is not None:
        labels = [c.label for c in panel.curves if c.kind == "band"]
        twin.set_ylabel(labels[0] if len(labels) == 1 else "attribution", fontsize=size)
        twin.tick_params(labelsize=size - 1)
        ymin, ymax = twin.get_ylim()
        twin.set_ylim(min(ymin, 0.0), max(ymax, 0.0))
    for start, stop, label in panel.spans:
        handles.append(ax.axvspan(start, stop, color="red", alpha=0.1, label=label or None))
    if hi > lo:
        ax.set_xlim(lo, hi)
    for marker in panel.markers:
        if lo <= marker.x <= hi or not math.isfinite(lo):
            ax.axvline(marker.x, color="0.35", linestyle=":", linewidth=1)
            draw_marker_label(ax, marker.x, marker.label, lo, hi, size - 1)
    if panel.log_y:
        ax.set_yscale("log")
    if whole and math.isfinite(lo):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(panel.x_axis_label, fontsize=size)
    ax.set_ylabel(panel.y_axis_label, fontsize=size)
    ax.tick_params(labelsize=size - 1)
    if panel.title:
        ax.set_title(panel.title, fontsize=size + 1)
    if legend and any(h.get_label() and not h.get_label().startswith("_") for h in handles):
        ax.legend(handles=handles, fontsize=size - 1, loc="best")
    return twin


def draw_panels(
    panels: Sequence[CurvePanel], plt: Any, columns: int | None = None, width: float = 0.0
) -> Any:
    """Returns a figure with one set of axes per panel."""
    rows, cols = layout(len(panels), columns)
    small = rows * cols > 4
    col_w = width / cols if width else (6.4 if cols == 1 else 3.4 if small else 4.2)
    row_h = 2.0 if small else 2.8 if rows > 1 else 3.4
    fig, axes = plt.subplots(rows, cols, figsize=(col_w * cols, row_h * rows + 0.4), squeeze=False)
    for ax in axes.flat[len(panels) :]:
        ax.axis("off")
    for ax, panel in zip(axes.flat, panels, strict=False):
        draw_panel(ax, panel, small=small)
    return fig
