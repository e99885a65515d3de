"""Heat maps over their input (Grad-CAM, occlusion) and the colour bar that reads them."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from lamina_gui.widgets.image_grid import _apply_cmap, to_uint8


def _rgb(image: np.ndarray) -> np.ndarray:
    """An image as float RGB in 0..255 (grey images repeated on 3 channels)."""
    a = to_uint8(np.asarray(image)).astype(np.float32)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=-1)
    return a[..., :3]


def overlay_heatmap(
    background: np.ndarray, heat: np.ndarray, opacity: float = 0.5, cmap: str = "jet"
) -> np.ndarray:
    """Blends a heat map, coloured by `cmap`, over its input image.

    Args:
        background: The input image, ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``.
        heat: The heat map ``(H, W)`` (scaled to its own range).
        opacity: How much of the heat map shows: 0 (only the input) to 1 (only the map).
        cmap: The colour map of the heat map.

    Returns:
        The blended ``(H, W, 3)`` uint8 image.
    """
    heat = np.asarray(heat, dtype=np.float32)
    if heat.ndim == 3 and heat.shape[-1] == 1:
        heat = heat[..., 0]
    coloured = _apply_cmap(to_uint8(heat), cmap).astype(np.float32)[..., :3]
    base = _rgb(background)
    if base.shape[:2] != coloured.shape[:2]:
        return coloured.astype(np.uint8)  # the map is not of the input's size: map alone
    alpha = float(np.clip(opacity, 0.0, 1.0))
    out = (1.0 - alpha) * base + alpha * coloured
    return np.ascontiguousarray(np.clip(out + 0.5, 0, 255).astype(np.uint8))


class ColourBar(QWidget):
    """A vertical colour bar of a colour map with its low and high ends labelled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QLabel()
        self.high = QLabel()
        self.low = QLabel()
        self.title = QLabel(wordWrap=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.title.setMaximumWidth(90)
        self.bar.setFixedHeight(200)
        labels = QVBoxLayout()
        labels.setContentsMargins(0, 0, 0, 0)
        labels.addWidget(self.high, 0, Qt.AlignmentFlag.AlignTop)
        labels.addStretch(1)
        labels.addWidget(self.low, 0, Qt.AlignmentFlag.AlignBottom)
        row = QHBoxLayout()
        row.addWidget(self.bar)
        row.addLayout(labels)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addStretch(1)  # the bar and its labels stay together at the top
        self.cmap = ""

    def set_map(self, cmap: str, low: float, high: float, title: str = "") -> None:
        """Shows colour map `cmap` from `low` (bottom) to `high` (top)."""
        self.cmap = cmap
        ramp = np.linspace(255, 0, 200).astype(np.uint8)[:, None].repeat(14, axis=1)
        rgb = np.ascontiguousarray(_apply_cmap(ramp, cmap)[..., :3].astype(np.uint8))
        h, w = rgb.shape[:2]
        image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.bar.setPixmap(QPixmap.fromImage(image))
        self.high.setText(f"{high:.3g}")
        self.low.setText(f"{low:.3g}")
        self.title.setText(title)
