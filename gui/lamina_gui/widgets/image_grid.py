"""A reusable grid of images with titles: wheel zoom, drag to pan, save as PNG.

Images are numpy arrays, ``(H, W)`` grey or ``(H, W, 3)`` colour, any dtype; each is
scaled to 0..255 on its own (or symmetrically around 0 for ``symmetric`` maps) and
optionally coloured by a pyqtgraph colour map.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

#: colour maps of visualizations (matplotlib names) -> pyqtgraph's built-in maps
_CMAPS = {"RdBu_r": "CET-D1", "bwr": "CET-D1", "seismic": "CET-D1", "coolwarm": "CET-D1"}


def decode_image_array(value: Any) -> np.ndarray:
    """Returns a numpy array from an engine payload (an encoded array, a list or an array)."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple)):
        return np.asarray(value)
    from lamina.engine.protocol import decode_array

    return np.asarray(decode_array(value))


def to_uint8(image: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """Scales one image to uint8 (NaN/inf become 0); colour images keep their 3 channels."""
    if image.dtype == np.uint8 and image.ndim == 3 and image.shape[-1] in (3, 4):
        return np.ascontiguousarray(image)
    a = np.asarray(image, dtype=np.float64)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim == 3 and a.shape[-1] not in (3, 4):
        a = a.mean(axis=-1)
    a = np.where(np.isfinite(a), a, 0.0)
    if symmetric:
        m = float(np.abs(a).max()) or 1.0
        a = (a / m + 1.0) / 2.0
    else:
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    return np.ascontiguousarray(np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8))


def array_to_qimage(image: np.ndarray, cmap: str | None = None, symmetric: bool = False) -> QImage:
    """Returns a QImage (a copy) of a grey or colour image, grey ones coloured by `cmap`."""
    a = to_uint8(np.asarray(image), symmetric)
    if a.ndim == 2 and cmap:
        a = _apply_cmap(a, cmap)
    if a.ndim == 2:
        h, w = a.shape
        return QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    a = np.ascontiguousarray(a[..., :3])
    h, w = a.shape[:2]
    return QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def _apply_cmap(a: np.ndarray, cmap: str) -> np.ndarray:
    return np.ascontiguousarray(_lookup_table(cmap)[a])


@functools.lru_cache(maxsize=16)
def _lookup_table(cmap: str) -> np.ndarray:
    """The 256 RGB colours of a colour map, made once per map (not once per image: a
    grid of 32 filters spent half its drawing time making the same table)."""
    import pyqtgraph as pg

    try:
        cm = pg.colormap.get(_CMAPS.get(cmap, cmap))
    except Exception:  # noqa: BLE001 - an unknown map name: fall back to viridis
        cm = pg.colormap.get("viridis")
    lut = np.ascontiguousarray(cm.getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.uint8))
    lut.setflags(write=False)
    return lut


class ImageGrid(QGraphicsView):
    """Shows images in a grid with titles; the wheel zooms, dragging pans.

    Args:
        parent: The parent widget.
        columns: Images per row (0 = about square). Defaults to `0`.
        cell: The size in pixels each image is scaled to fit. Defaults to `96`.
    """

    def __init__(self, parent: QWidget | None = None, columns: int = 0, cell: int = 96) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self.setBackgroundBrush(QColor(250, 250, 250))
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.columns = columns
        self.cell = cell
        self._items: list[QGraphicsPixmapItem] = []
        self._titles: list[str] = []
        self._cmap: str | None = None
        self._symmetric = False
        self._zoom = 1.0

    # ------------------------------------------------------------------ content
    def set_images(
        self,
        images: list[np.ndarray] | np.ndarray,
        titles: list[str] | None = None,
        cmap: str | None = None,
        symmetric: bool = False,
    ) -> None:
        """Replaces the grid's images; `titles` are shown under them.

        Args:
            images: A list of images, or an array: ``(H, W)`` is one image, anything
                else a stack along the first axis (``(N, H, W)``, ``(N, H, W, 3)``).
            titles: One title per image.
            cmap: A colour map for grey images (pyqtgraph or matplotlib name).
            symmetric: Scale grey images symmetrically around 0 (weights, gradients).
        """
        if isinstance(images, np.ndarray):
            images = _as_list(images)
        self.scene().clear()
        self._items = []
        self._titles = list(titles or [])
        self._cmap = cmap
        self._symmetric = symmetric
        n = len(images)
        cols = self.columns or max(1, int(np.ceil(np.sqrt(n))))
        font = QFont()
        font.setPointSize(8)
        pad, text_h = 8, 16
        for i, img in enumerate(images):
            r, c = divmod(i, cols)
            x, y = c * (self.cell + pad), r * (self.cell + pad + text_h)
            item = QGraphicsPixmapItem()
            item.setTransformationMode(Qt.TransformationMode.FastTransformation)
            item.setPos(x, y)
            self.scene().addItem(item)
            self._items.append(item)
            self._set_pixmap(i, img)
            if i < len(self._titles) and self._titles[i]:
                # a few big pictures have room for whole titles; many small ones are elided
                text = QGraphicsSimpleTextItem(_elide(self._titles[i], 18 if n > 2 else 64))
                text.setToolTip(self._titles[i])
                text.setFont(font)
                # titles keep their size on screen at any zoom
                text.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                text.setPos(x, y + self.cell + 1)
                self.scene().addItem(text)
        self.scene().setSceneRect(self.scene().itemsBoundingRect().adjusted(-4, -4, 4, 4))
        self.fit()

    def update_image(self, index: int, image: np.ndarray) -> None:
        """Replaces image `index` (adding it if the grid is shorter), e.g. a deep-dream step."""
        if index >= len(self._items):
            images = [self.image(i) for i in range(len(self._items))]
            images += [image] * (index + 1 - len(images))
            self.set_images(images, self._titles, self._cmap, self._symmetric)
            return
        self._set_pixmap(index, image)

    def clear(self) -> None:
        """Removes every image."""
        self.scene().clear()
        self._items = []
        self._titles = []

    def count(self) -> int:
        """The number of images shown."""
        return len(self._items)

    def titles(self) -> list[str]:
        """The titles of the images."""
        return list(self._titles)

    def image(self, index: int) -> np.ndarray:
        """Returns image `index` as shown (uint8 grey or RGB)."""
        item = self._items[index]
        return _qimage_to_array(item.data(0))

    def _set_pixmap(self, index: int, image: np.ndarray) -> None:
        qimg = array_to_qimage(np.asarray(image), self._cmap, self._symmetric)
        item = self._items[index]
        item.setData(0, qimg)
        pix = QPixmap.fromImage(qimg)
        scale = self.cell / max(pix.width(), pix.height(), 1)
        item.setTransform(QTransform.fromScale(scale, scale))
        item.setPixmap(pix)

    # ------------------------------------------------------------------ view
    def fit(self) -> None:
        """Zooms to show every image."""
        rect: QRectF = self.scene().sceneRect()
        if rect.isEmpty():
            return
        self.resetTransform()
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self._zoom = self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zooms in (factor > 1) or out, keeping between 0.05x and 40x."""
        new = min(max(self._zoom * factor, 0.05), 40.0)
        self.scale(new / self._zoom, new / self._zoom)
        self._zoom = new

    def zoom(self) -> float:
        """The current zoom factor."""
        return self._zoom

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25**steps)
        event.accept()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if abs(self._zoom - self.transform().m11()) < 1e-9:
            self.fit()

    def save_png(self, path: str) -> bool:
        """Renders the whole grid (not just the visible part) to a PNG at 2x."""
        rect = self.scene().itemsBoundingRect().adjusted(-8, -8, 8, 8)
        if rect.isEmpty():
            return False
        out = QImage(int(rect.width() * 2), int(rect.height() * 2), QImage.Format.Format_RGB32)
        out.fill(QColor("white"))
        painter = QPainter(out)
        self.scene().render(painter, QRectF(out.rect()), rect)
        painter.end()
        return out.save(path)


def _as_list(images: np.ndarray) -> list[np.ndarray]:
    if images.size == 0:
        return []
    if images.ndim == 2:  # one grey image; otherwise a stack (N, H, W[, 3]) as in `Result`
        return [images]
    return [images[i] for i in range(images.shape[0])]


def _elide(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _qimage_to_array(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    buf = np.frombuffer(img.constBits(), np.uint8).reshape(h, img.bytesPerLine())
    return buf[:, : 3 * w].reshape(h, w, 3).copy()
