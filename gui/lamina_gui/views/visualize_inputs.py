"""What the Visualize view sends the engine: layer names and an image file as input."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from PySide6.QtGui import QImage


def layer_names(spec: dict[str, Any]) -> list[str]:
    """The Keras layer names of a spec's items (their own name or ``<type>_<index>``)."""

    def snake(name: str) -> str:
        name = re.sub(r"(?<=[a-z])([A-Z])", r"_\1", name)
        name = re.sub(r"(?<=[A-Z0-9])([A-Z][a-z])", r"_\1", name)
        return re.sub(r"[^a-z0-9_]", "_", name.lower())

    out = []
    for i, item in enumerate(spec.get("layers") or []):
        if isinstance(item, str):
            item = {"type": item}
        out.append(item.get("name") or f"{snake(str(item.get('type', 'layer')))}_{i}")
    return out


def image_input(path: str, shape: list[int | None]) -> np.ndarray:
    """Reads an image file as a batch of one model input of `shape` (``(h, w, channels)``;
    scaled to ``h, w`` when they are known, grey for one channel), values in ``[0, 1]``.

    Raises:
        ValueError: If Qt cannot read the file as an image.
    """
    img = QImage(path)
    if img.isNull():
        raise ValueError(f"{path}: not an image Qt can read")
    if len(shape) == 3 and shape[0] and shape[1]:
        img = img.scaled(int(shape[1]), int(shape[0]))
    channels = int(shape[-1]) if len(shape) == 3 and shape[-1] else 1
    fmt = QImage.Format.Format_Grayscale8 if channels == 1 else QImage.Format.Format_RGB888
    img = img.convertToFormat(fmt)
    w, h = img.width(), img.height()
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(h, img.bytesPerLine())
    arr = rows[:, : w * (1 if channels == 1 else 3)].reshape(h, w, -1)
    return (
        (arr.astype(np.float32) / 255.0)[None]
        if channels != 1
        else (arr[..., :1] / 255.0).astype(np.float32)[None]
    )
