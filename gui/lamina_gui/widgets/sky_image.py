"""Sky images on RA/Dec axes: the Visualize view's pictures of a map of a FITS cutout.

The engine sends the RA/Dec ticks of the cutout's edges in ``meta["sky_axes"]``
(``lamina.visualize.sky.sky_ticks``: pixel positions and sexagesimal labels chosen as
astropy's WCSAxes chooses them); `SkyImages` draws each picture the image grid shows
(the map over its input, as the overlay slider sets it) with those ticks, first row at
the bottom as in FITS, and pixel centres at astropy's pixel coordinates.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from lamina_gui.widgets.curve_plot import plot_area


class SkyImages(QWidget):
    """A row of images with RA/Dec axes, following an `ImageGrid`; hidden until
    `follow` gets the axes of a sky cutout.

    Attributes:
        plots: One pyqtgraph plot per picture.
        axes: The ticks shown (``meta["sky_axes"]``), or None.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = plot_area(self)
        self.plots: list[pg.PlotItem] = []
        self.axes: dict[str, Any] | None = None
        self._grid: Any = None
        self.hide()

    def follow(self, grid: Any, axes: dict[str, Any] | None) -> None:
        """Shows the pictures of `grid` on the RA/Dec `axes` (``meta["sky_axes"]``) in
        its place; without axes, hides itself (the view shows the grid or curves)."""
        self._grid = grid
        self.axes = axes or None
        if self.axes is not None:
            grid.hide()
        self.setVisible(self.axes is not None)
        self.refresh()

    def refresh(self) -> None:
        """Redraws the grid's pictures (e.g. after the overlay's opacity changed)."""
        self.view.clear()
        self.plots = []
        if self.axes is None or self._grid is None:
            return
        titles = self._grid.titles()
        for i in range(self._grid.count()):
            title = titles[i] if i < len(titles) else ""
            self.plots.append(self._draw(i, self._grid.image(i), title))

    def _draw(self, i: int, image: np.ndarray, title: str) -> pg.PlotItem:
        axes = self.axes or {}
        plot = self.view.addPlot(row=0, col=i)
        plot.setAspectLocked(True)
        plot.hideButtons()
        if title:
            plot.setTitle(title, size="9pt", color="#333")
        rows, cols = image.shape[:2]
        # ImageItem reads [column, row]; row 0 at the bottom (FITS), pixel centres at 0, 1...
        item = pg.ImageItem(np.swapaxes(image, 0, 1), levels=(0, 255))
        item.setRect(QRectF(-0.5, -0.5, cols, rows))
        plot.addItem(item)
        for side, key, label in (("bottom", "x", "x_label"), ("left", "y", "y_label")):
            axis = plot.getAxis(side)
            ticks = [(float(p), str(t)) for p, t in axes.get(f"{key}_ticks") or []]
            axis.setTicks([ticks, []])
            plot.setLabel(side, axes.get(label, ""))
            if side == "left" and ticks:  # room for the widest Dec label from the start
                metrics = QFontMetrics(axis.style.get("tickFont") or self.font())
                axis.setWidth(max(metrics.horizontalAdvance(t) for _, t in ticks) + 36)
        plot.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0.02)
        return plot

    def tick_labels(self, index: int = 0) -> dict[str, list[tuple[float, str]]]:
        """The ticks painted on picture `index`'s axes, as pyqtgraph lays them out:
        ``{"bottom": [(pixel, label), ...], "left": [...]}`` (pixels in astropy's
        coordinates)."""
        from PySide6.QtGui import QImage, QPainter

        canvas = QImage(8, 8, QImage.Format.Format_ARGB32)
        painter = QPainter(canvas)
        drawn: dict[str, list[tuple[float, str]]] = {}
        try:
            for side in ("bottom", "left"):
                axis = self.plots[index].getAxis(side)
                where = {text: float(value) for value, text in axis._tickLevels[0]}
                texts = [spec[2] for spec in axis.generateDrawSpecs(painter)[2]]
                drawn[side] = [(where[t], t) for t in texts if t in where]
        finally:
            painter.end()
        return drawn

    def save_png(self, path: str) -> bool:
        """Saves what is drawn as a PNG."""
        return bool(self.grab().save(path))
