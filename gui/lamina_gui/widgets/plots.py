"""Plots of the Train view: live curves, the decision boundary, the confusion matrix and
a probabilistic head's uncertainty."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWidget

from lamina_gui.widgets.image_grid import decode_image_array

TRAIN_PEN = pg.mkPen("#1f77b4", width=2)
VAL_PEN = pg.mkPen("#ff7f0e", width=2, style=pg.QtCore.Qt.PenStyle.DashLine)


class EpochAxis(pg.AxisItem):
    """An axis of whole epochs: no fractional ticks (1, 2, 3, not 1.0, 1.5, …)."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802, N803
        levels = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            whole = [v for v in values if abs(v - round(v)) < 1e-9]
            if spacing >= 1 or whole:
                levels.append((max(spacing, 1.0), whole))
        return levels

    def tickStrings(self, values: list, scale: float, spacing: float) -> list[str]:  # noqa: N802
        return [str(int(round(v))) for v in values]


def plain_axes(plot: pg.PlotWidget) -> None:
    """Axes that show the data's own numbers (no "(x0.001)" SI scaling)."""
    for side in ("bottom", "left"):
        plot.getAxis(side).enableAutoSIPrefix(False)


class CurvePlot(pg.PlotWidget):
    """A train-vs-validation curve of one quantity (loss or a metric), over whole epochs."""

    def __init__(
        self, title: str, legend_bottom: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, background="w", axisItems={"bottom": EpochAxis("bottom")})
        plain_axes(self)
        self.setTitle(title, color="#333", size="10pt")
        self.showGrid(x=True, y=True, alpha=0.3)
        self.setLabel("bottom", "epoch")
        self.addLegend(offset=(-5, -5) if legend_bottom else (-5, 5))
        self.train = self.plot([], [], pen=TRAIN_PEN, symbol="o", symbolSize=4, name="train")
        self.val = self.plot([], [], pen=VAL_PEN, symbol="o", symbolSize=4, name="validation")

    def set_values(self, train: list[float], val: list[float]) -> None:
        """Redraws both curves (epochs count from 1)."""
        self.train.setData(np.arange(1, len(train) + 1), np.asarray(train, dtype=float))
        self.val.setData(np.arange(1, len(val) + 1), np.asarray(val, dtype=float))

    def points(self) -> int:
        """The number of training points drawn."""
        x, _ = self.train.getData()
        return 0 if x is None else len(x)


class ConfusionTable(QTableWidget):
    """A confusion matrix (rows: true class, columns: predicted), shaded by count, with
    the classes' full names; `normalised` shows each true class's row as fractions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horizontalHeader().setMinimumSectionSize(12)
        self.verticalHeader().setMinimumSectionSize(12)
        self.normalised = False
        self._last: tuple[np.ndarray, list[str]] | None = None

    def set_normalised(self, on: bool) -> None:
        """Shows fractions of each true class (rows sum to 1) instead of counts."""
        self.normalised = bool(on)
        if self._last is not None:
            self.show_matrix(*self._last)

    def show_matrix(self, cm: np.ndarray, names: list[str]) -> None:
        """Fills the table with the ``(k, k)`` counts `cm` of classes `names`."""
        cm = np.asarray(cm)
        self._last = (cm, list(names))
        k = cm.shape[0]
        names = [str(n) for n in names] if len(names) == k else [str(i) for i in range(k)]
        self.setRowCount(k)
        self.setColumnCount(k)
        self.setHorizontalHeaderLabels(names)
        self.setVerticalHeaderLabels(names)
        for i, n in enumerate(names):
            self.horizontalHeaderItem(i).setToolTip(f"predicted {n}")
            self.verticalHeaderItem(i).setToolTip(f"true {n}")
        rows = np.maximum(cm.sum(axis=1, keepdims=True), 1)
        shown = cm / rows if self.normalised else cm
        top = max(float(shown.max()), 1e-12)
        for r in range(k):
            for c in range(k):
                text = f"{shown[r, c]:.2f}" if self.normalised else str(int(cm[r, c]))
                item = QTableWidgetItem(text)
                shade = int(255 - 150 * shown[r, c] / top)
                item.setBackground(pg.mkColor(shade, shade, 255))
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        self.resizeRowsToContents()


def draw_uncertainty(
    prob_plot: pg.PlotWidget, calib_plot: pg.PlotWidget, predictions: Any, calibration: Any
) -> bool:
    """Draws predictions with their intervals and the calibration curve of a probabilistic
    head (from a run's test metrics); returns whether there was anything to draw."""
    shown = False
    if isinstance(predictions, dict) and "mean" in predictions:
        mean = _array(predictions["mean"]).ravel()
        x = _array(predictions.get("x", np.arange(len(mean)))).ravel()
        order = np.argsort(x)
        if "lower" in predictions and "upper" in predictions:
            lo = pg.PlotDataItem(x[order], _array(predictions["lower"]).ravel()[order])
            hi = pg.PlotDataItem(x[order], _array(predictions["upper"]).ravel()[order])
            prob_plot.addItem(pg.FillBetweenItem(lo, hi, brush=(31, 119, 180, 60)))
        if "y" in predictions:
            prob_plot.plot(
                x,
                _array(predictions["y"]).ravel(),
                pen=None,
                symbol="o",
                symbolSize=4,
                symbolBrush=(90, 90, 90, 120),
            )
        prob_plot.plot(x[order], mean[order], pen=TRAIN_PEN)
        shown = True
    if isinstance(calibration, dict) and "levels" in calibration:
        levels = _array(calibration["levels"]).ravel()
        calib_plot.plot([0, 1], [0, 1], pen=pg.mkPen("#999", style=pg.QtCore.Qt.PenStyle.DashLine))
        calib_plot.plot(
            levels,
            _array(calibration["observed"]).ravel(),
            pen=TRAIN_PEN,
            symbol="o",
            symbolSize=5,
        )
        calib_plot.setLabel("bottom", "expected coverage")
        calib_plot.setLabel("left", "observed coverage")
        shown = True
    return shown


def _array(value: Any) -> np.ndarray:
    return decode_image_array(value).astype(float)


#: The colours of classes, the same in every view (matplotlib's "tab10").
TAB10 = np.array(
    [
        [31, 119, 180],
        [255, 127, 14],
        [44, 160, 44],
        [214, 39, 40],
        [148, 103, 189],
        [140, 86, 75],
        [227, 119, 194],
        [127, 127, 127],
        [188, 189, 34],
        [23, 190, 207],
    ]
)


def class_colours(k: int) -> np.ndarray:
    """``k`` RGB colours of classes, the same in every view (blue and orange for two)."""
    if k <= len(TAB10):
        return TAB10[: max(k, 0)]
    return np.array([pg.intColor(i, hues=k).getRgb()[:3] for i in range(k)])


def boundary_image(grid: np.ndarray, flip: bool = True) -> np.ndarray:
    """Colours a ``(res, res, outputs)`` grid of model outputs as RGB (rows = y; y up if `flip`).

    Two classes (or one sigmoid output) shade from blue to orange by probability;
    more classes take the colour of the most likely one, paler where unsure.
    """
    if grid.ndim == 2:
        grid = grid[..., None]
    if grid.shape[-1] <= 2:  # sigmoid, regression or 2-way softmax: blue (0) to orange (1)
        q = grid[..., -1]
        p = np.clip(q, 0.0, 1.0) if q.min() >= 0 and q.max() <= 1 else _unit(q)
        a, b = class_colours(2)
        white = np.array([255, 255, 255])
        # white near 0.5, a pastel of the class where sure (the points, in the full
        # colour of their class, stand out on it)
        sure = np.abs(p - 0.5)[..., None] * 2
        base = np.where((p >= 0.5)[..., None], b, a)
        rgb = white * (1 - 0.45 * sure) + base * 0.45 * sure
    else:  # softmax: the colour of the most likely class, paler where unsure
        palette = class_colours(grid.shape[-1])
        k = grid.argmax(-1)
        conf = _unit(grid.max(-1))[..., None]
        rgb = palette[k] * (0.15 + 0.3 * conf) + 255 * (0.85 - 0.3 * conf)
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    return np.flipud(rgb) if flip else rgb


def _unit(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
