"""Images of random discs and rectangles with a per-pixel class mask (for a U-Net)."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

from ._common import check_non_negative, check_positive


def shapes_segmentation(
    n: int = 200,
    size: int = 64,
    max_shapes: int = 4,
    noise: float = 0.1,
    binary: bool = False,
    seed: int = 0,
) -> Dataset:
    """Noisy images of 1 to `max_shapes` discs and rectangles, with their pixel masks.

    y has shape (n, size, size, 1) and holds the class of each pixel: 0 background,
    1 disc, 2 rectangle (or 0 background, 1 shape with ``binary=True``). Later shapes
    cover earlier ones. Shapes have random sizes and brightness (0.4 to 1).

    Args:
        n: Number of images. Defaults to `200`.
        size: Width and height in pixels. Defaults to `64`.
        max_shapes: Largest number of shapes per image. Defaults to `4`.
        noise: Standard deviation of the Gaussian noise. Defaults to `0.1`.
        binary: Two classes (background, shape) instead of three. Defaults to `False`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n)
    size = check_positive("size", size, 16)
    max_shapes = check_positive("max_shapes", max_shapes)
    noise = check_non_negative("noise", noise)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    image = np.full((n, size, size), 0.1, dtype=np.float32)
    mask = np.zeros((n, size, size), dtype=np.int64)
    count = rng.integers(1, max_shapes + 1, n)
    for slot in range(max_shapes):
        active = (slot < count)[:, None, None]
        is_disc = (rng.random(n) < 0.5)[:, None, None]
        cy = rng.uniform(0.1, 0.9, n)[:, None, None] * size
        cx = rng.uniform(0.1, 0.9, n)[:, None, None] * size
        radius = rng.uniform(1 / 16, 1 / 6, n)[:, None, None] * size
        half_h = rng.uniform(1 / 16, 1 / 5, n)[:, None, None] * size
        half_w = rng.uniform(1 / 16, 1 / 5, n)[:, None, None] * size
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
        rect = (np.abs(yy - cy) <= half_h) & (np.abs(xx - cx) <= half_w)
        inside = np.where(is_disc, disc, rect) & active
        brightness = rng.uniform(0.4, 1.0, n).astype(np.float32)[:, None, None]
        image = np.where(inside, brightness, image)
        mask = np.where(inside, np.where(is_disc, 1, 2), mask)
    image += noise * rng.standard_normal(image.shape).astype(np.float32)
    if binary:
        mask = (mask > 0).astype(np.int64)
        class_names = ["background", "shape"]
    else:
        class_names = ["background", "disc", "rectangle"]
    return Dataset(
        x=image[..., None],
        y=mask[..., None],
        name="shapes_segmentation",
        task="segmentation",
        class_names=class_names,
        description=f"{n} noisy {size}x{size} images of discs and rectangles with pixel masks.",
        source="shapes_segmentation",
        extras={"n_shapes": count.astype(np.int64), "per_sample": ["n_shapes"]},
    )
