"""Overlaid training curves of several runs: the loss and the first metric, one colour per run.

Solid lines are the training values, dashed lines the validation values of the same run;
the legend names each run once (its solid line); the x axis counts whole epochs from 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

#: One colour per run (matplotlib's tab10, as in ``lamina compare``'s PNG).
RUN_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

_NOT_METRICS = ("loss", "lr", "learning_rate")


class EpochAxis(pg.AxisItem):
    """A bottom axis with ticks at whole epochs only."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:  # noqa: N802, N803
        levels = [
            (spacing, [v for v in values if float(v).is_integer()])
            for spacing, values in super().tickValues(minVal, maxVal, size)
            if spacing >= 1
        ]
        if levels:
            return levels
        return [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]


def first_metric(histories: Sequence[Mapping[str, Any]]) -> str | None:
    """The first metric (not the loss or learning rate) the runs logged, e.g. ``accuracy``."""
    for history in histories:
        for key in history:
            base = key[4:] if key.startswith("val_") else key
            if base not in _NOT_METRICS:
                return base
    return None


class RunCurves(QWidget):
    """Two plots, the loss and the first metric, with every shown run's curves overlaid.

    Attributes:
        curves: The drawn curves by ``(run id, history key)``, e.g. ``("run-a", "val_loss")``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # loss falls and metrics such as accuracy rise: each legend sits where its
        # curves usually are not (top right for the loss, bottom right for the metric)
        self.plots = [self._plot(legend_at=(-5, 5)), self._plot(legend_at=(-5, -5))]
        for plot in self.plots:
            layout.addWidget(plot)
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.show_runs([])

    @staticmethod
    def _plot(legend_at: tuple[int, int]) -> pg.PlotWidget:
        plot = pg.PlotWidget(background="w", axisItems={"bottom": EpochAxis("bottom")})
        plot.showGrid(x=True, y=True, alpha=0.3)
        plot.setLabel("bottom", "epoch")
        plot.addLegend(offset=legend_at, brush=(255, 255, 255, 210), labelTextColor="#333")
        return plot

    def show_runs(
        self,
        runs: Sequence[tuple[str, Mapping[str, Sequence[float]]]],
        offsets: Mapping[str, int] | None = None,
    ) -> None:
        """Draws the curves of `runs`, ``(run id, history)`` pairs, in their colours.

        Args:
            runs: The runs to draw.
            offsets: Epochs before a run's first one, by run id (a run that continued
                from another goes on where that one ended). Defaults to none.
        """
        offsets = offsets or {}
        self.curves = {}
        metric = first_metric([history for _, history in runs])
        for plot, name in zip(self.plots, ("loss", metric), strict=True):
            plot.clear()
            plot.setTitle(name or "(no metric)", color="#333", size="10pt")
            if name is None:
                continue
            for n, (run_id, history) in enumerate(runs):
                colour = RUN_COLOURS[n % len(RUN_COLOURS)]
                for key, style, label in (
                    (name, Qt.PenStyle.SolidLine, run_id),
                    (f"val_{name}", Qt.PenStyle.DashLine, None),  # one legend line a run
                ):
                    values = history.get(key)
                    if not values:
                        continue
                    y = np.asarray(values, dtype=float)
                    start = 1 + int(offsets.get(run_id, 0))
                    curve = plot.plot(
                        np.arange(start, start + len(y)),
                        y,
                        pen=pg.mkPen(colour, width=2, style=style),
                        symbol="o",
                        symbolSize=4,
                        symbolBrush=colour,
                        symbolPen=colour,
                        name=label,
                    )
                    self.curves[(run_id, key)] = curve
            plot.enableAutoRange()

    def titles(self) -> list[str]:
        """The titles of the two plots (``loss`` and the metric)."""
        return [plot.plotItem.titleLabel.text for plot in self.plots]
