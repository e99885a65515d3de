"""The result of a visualization: arrays, curve panels and metadata, no plotting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.visualize.curves import CurvePanel


@dataclass
class Result:
    """What a visualization returns.

    Args:
        kind: The visualization's name (e.g. ``"gradcam"``).
        images: ``(N, H, W)`` grey or ``(N, H, W, 3)`` colour images, or one ``(H, W)``
            image. Empty (``shape (0,)``) for plots that are not images
            (curves, histograms: see `meta`).
        titles: One title per image.
        meta: Everything else: ``cmap``, ``colorbar``, ``background`` (an image the
            maps are overlaid on), ``series`` (curves), ``histograms``, indices,
            values, peak positions...
        panels: Curves for what is not an image (spectra, time series, learning
            curves): one `CurvePanel` per set of axes, drawn after the images (or alone
            when there are none).
    """

    kind: str
    images: np.ndarray
    titles: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    panels: list[CurvePanel] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.images = np.asarray(self.images)
        self.panels = list(self.panels)

    @property
    def image_list(self) -> list[np.ndarray]:
        """The images as a list of 2-D (grey) or 3-D (colour) arrays."""
        imgs = self.images
        if imgs.size == 0:
            return []
        if imgs.ndim == 2:
            return [imgs]
        return [imgs[i] for i in range(imgs.shape[0])]

    def save_png(self, path: Any, **kwargs: Any) -> Any:
        """Renders to a PNG file (see `lamina.visualize.render.save_png`)."""
        from lamina.visualize.render import save_png

        return save_png(self, path, **kwargs)
