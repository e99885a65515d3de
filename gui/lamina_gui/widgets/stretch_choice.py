"""A choice of intensity stretch for (sky) images: the Data view's previews, the
Visualize view's map backgrounds.

The names are those of ``lamina.visualize.sky.STRETCHES`` (astropy's stretches, applied by
the engine: the Data view sends the name in its ``dataset_summary`` request and shows the
images it gets back in ``preview["stretched"]``; the Visualize view sends it in its
``visualize`` request and draws the maps over ``meta["background_stretched"]``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

#: (shown text, stretch name sent to the engine); "as stored" sends none.
STRETCH_ITEMS = (
    ("as stored (min–max)", None),
    ("linear", "linear"),
    ("log", "log"),
    ("asinh", "asinh"),
    ("sqrt", "sqrt"),
    ("zscale", "zscale"),
    ("percentile 1–99 %", "percentile"),
)


class StretchChoice(QWidget):
    """A labelled combo box of stretches.

    Signals:
        changed(object): The stretch name now chosen (None: as stored).
    """

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("preview_stretch")
        self.combo.setToolTip(
            "Intensity stretch of the preview images (astropy.visualization); "
            "blank (NaN) pixels are drawn in blue"
        )
        for text, name in STRETCH_ITEMS:
            self.combo.addItem(text, name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Stretch:"))
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(lambda *_: self.changed.emit(self.value()))

    def value(self) -> str | None:
        """The chosen stretch name, or None (the images as stored)."""
        return self.combo.currentData()

    def set_value(self, name: str | None) -> None:
        """Chooses the stretch `name` (None: as stored)."""
        self.combo.setCurrentIndex(max(0, self.combo.findData(name)))
