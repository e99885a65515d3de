"""scikit-learn's 8x8 handwritten digits (shipped with scikit-learn; nothing is downloaded)."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

from ._common import check_positive

N_DIGITS = 1797


def digits(n: int = N_DIGITS, flat: bool = False, seed: int = 0) -> Dataset:
    """Handwritten digits 0-9 as 8x8 grey images scaled to [0, 1] (UCI, via scikit-learn).

    Args:
        n: Number of images, drawn at random without replacement (at most 1797).
            Defaults to `1797`.
        flat: Return x as (n, 64) vectors instead of (n, 8, 8, 1) images.
            Defaults to `False`.
        seed: Random seed of the draw and the order. Defaults to `0`.
    """
    n = check_positive("n", n)
    if n > N_DIGITS:
        raise ValueError(f"`n` must be at most {N_DIGITS}. Received: n={n!r}")
    from sklearn.datasets import load_digits

    bunch = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(bunch.target))[:n]
    x = (bunch.images[order] / 16.0).astype(np.float32)
    x = x.reshape(n, 64) if flat else x[..., None]
    return Dataset(
        x=x,
        y=bunch.target[order].astype(np.int64),
        name="digits",
        task="classification",
        class_names=[str(i) for i in range(10)],
        feature_names=[f"pixel_{r}_{c}" for r in range(8) for c in range(8)] if flat else None,
        description=f"{n} handwritten digits, 8x8 pixels (scikit-learn's copy of the UCI set).",
        source="digits",
        extras={"index": order.astype(np.int64), "per_sample": ["index"]},
    )
