"""Noisy images whose class is decided by one small bright feature at a random position."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

from ._common import balanced_labels, check_non_negative, check_positive

KINDS = ("shape", "presence")

# 5x5 stamps with the same number of lit pixels (9): a plus and a 3x3 square.
_PLUS = np.zeros((5, 5), dtype=np.float32)
_PLUS[2, :] = 1.0
_PLUS[:, 2] = 1.0
_SQUARE = np.zeros((5, 5), dtype=np.float32)
_SQUARE[1:4, 1:4] = 1.0


def bright_spot(
    n: int = 400,
    size: int = 32,
    kind: str = "shape",
    amplitude: float = 0.6,
    noise: float = 0.1,
    seed: int = 0,
) -> Dataset:
    """Images of background noise with a small bright feature that decides the class.

    ``kind="shape"``: every image holds a feature, a plus or a 3x3 square (the same
    number of bright pixels, so only the shape tells them apart). ``kind="presence"``:
    a plus or nothing. The feature's centre (row, column) is in
    ``extras["positions"]`` (-1, -1 when absent) and its pixels in ``extras["masks"]``:
    a visualization (occlusion, Grad-CAM) of a model that learnt the task should peak
    there.

    Args:
        n: Number of images (classes balanced). Defaults to `400`.
        size: Width and height in pixels. Defaults to `32`.
        kind: ``"shape"`` (plus vs square) or ``"presence"`` (absent vs present).
            Defaults to `"shape"`.
        amplitude: Brightness of the feature above the background. Defaults to `0.6`.
        noise: Standard deviation of the background noise. Defaults to `0.1`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n, 2)
    size = check_positive("size", size, 8)
    amplitude = check_non_negative("amplitude", amplitude)
    noise = check_non_negative("noise", noise)
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {KINDS}. Received: kind={kind!r}")
    rng = np.random.default_rng(seed)
    y = balanced_labels(n, 2, rng)
    rows = rng.integers(2, size - 2, n)
    cols = rng.integers(2, size - 2, n)
    if kind == "shape":
        stamps = np.where((y == 0)[:, None, None], _PLUS, _SQUARE)
        present = np.ones(n, dtype=bool)
        class_names = ["plus", "square"]
    else:
        stamps = np.broadcast_to(_PLUS, (n, 5, 5)) * (y == 1)[:, None, None]
        present = y == 1
        class_names = ["absent", "present"]
    masks = np.zeros((n, size + 4, size + 4), dtype=np.float32)  # padded by 2 on each side
    offsets = np.arange(5)
    r_idx = (rows[:, None, None] + offsets[None, :, None]).astype(np.int64)
    c_idx = (cols[:, None, None] + offsets[None, None, :]).astype(np.int64)
    masks[np.arange(n)[:, None, None], r_idx, c_idx] = stamps
    masks = masks[:, 2:-2, 2:-2]
    x = 0.2 + noise * rng.standard_normal((n, size, size)) + amplitude * masks
    positions = np.stack([rows, cols], axis=1).astype(np.int64)
    positions[~present] = -1
    return Dataset(
        x=x[..., None].astype(np.float32),
        y=y,
        name="bright_spot",
        task="classification",
        class_names=class_names,
        description=(
            f"{n} noisy {size}x{size} images; the class is a small feature "
            f"({' vs '.join(class_names)}) at a random position."
        ),
        source="bright_spot",
        extras={
            "positions": positions,
            "masks": masks.astype(bool),
            "per_sample": ["positions", "masks"],
        },
    )
