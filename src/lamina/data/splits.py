"""Train/validation/test splits of a dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError

SplitSpec = float | int | np.ndarray | list | tuple | None


@dataclass
class Splits:
    """The three parts of a dataset.

    Args:
        train: The training samples.
        validation: The validation samples, or None.
        test: The held-out test samples, or None.
        indices: ``{"train": ..., "validation": ..., "test": ...}`` index arrays into the
            original dataset (stored with a training run to reproduce the split).
        given: The parts whose samples the data named (`Dataset.split`), e.g.
            ``("train", "test")``; empty when every part was drawn by fractions.
    """

    train: Dataset
    validation: Dataset | None
    test: Dataset | None
    indices: dict[str, np.ndarray] = field(default_factory=dict)
    given: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """Returns ``{part: n}`` and class counts per part (JSON-serialisable)."""
        out: dict[str, Any] = {}
        for part in ("train", "validation", "test"):
            ds = getattr(self, part)
            out[part] = None if ds is None else {"n": len(ds), "class_counts": ds.class_counts()}
        return out

    def indices_to_dict(self) -> dict[str, list[int]]:
        """Returns the index arrays as JSON-serialisable lists."""
        return {k: [int(i) for i in v] for k, v in self.indices.items()}


def _count(spec: SplitSpec, n: int, what: str, source: str) -> int:
    if spec is None:
        return 0
    if isinstance(spec, bool):
        raise DataError(
            f"{what} must be a fraction, a count or indices, got {spec!r}", source=source
        )
    if isinstance(spec, float | np.floating):
        if not 0.0 <= float(spec) < 1.0:
            raise DataError(f"{what} fraction must be in [0, 1), got {spec!r}", source=source)
        return int(round(float(spec) * n))
    if isinstance(spec, int | np.integer):
        if not 0 <= int(spec) <= n:
            raise DataError(f"{what} count must be in [0, {n}], got {spec!r}", source=source)
        return int(spec)
    raise TypeError(spec)


def _explicit(spec: SplitSpec, n: int, what: str, source: str) -> np.ndarray | None:
    if spec is None or isinstance(spec, float | int | np.floating | np.integer):
        return None
    idx = np.asarray(spec)
    if idx.dtype == bool:
        if idx.shape != (n,):
            raise DataError(
                f"{what} mask has shape {idx.shape} but the dataset has {n} samples",
                source=source,
            )
        return np.flatnonzero(idx)
    if idx.size and idx.dtype.kind not in "iu":
        raise DataError(f"{what} indices must be integers, got dtype {idx.dtype}", source=source)
    idx = idx.astype(np.int64).ravel()
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise DataError(
            f"{what} indices must be in [0, {n - 1}], got {int(idx.min())}..{int(idx.max())}",
            source=source,
        )
    if len(np.unique(idx)) != len(idx):
        raise DataError(f"{what} indices contain duplicates", source=source)
    return np.sort(idx)


def _class_labels(ds: Dataset, stratify: bool) -> np.ndarray | None:
    """The labels to stratify by (a classifier's integer labels), or None."""
    if stratify and ds.task == "classification" and ds.y is not None and ds.y.ndim == 1:
        return ds.y
    return None


def _stratified_order(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Orders samples so that every prefix holds the classes in their overall proportions."""
    keys = np.empty(len(labels), dtype=np.float64)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        rng.shuffle(members)
        offset = rng.random()
        keys[members] = (np.arange(len(members)) + offset) / len(members)
    # Ties between classes broken at random.
    return np.lexsort((rng.random(len(labels)), keys))


def split_dataset(
    ds: Dataset,
    validation: SplitSpec = 0.2,
    test: SplitSpec = 0.1,
    seed: int = 0,
    stratify: bool = True,
) -> Splits:
    """Splits a dataset into train, validation and test parts.

    Args:
        ds: The dataset.
        validation: A fraction in ``[0, 1)``, a sample count, or explicit indices (or a
            boolean mask). ``0`` or None gives no validation part. Defaults to `0.2`.
            When the data come split (`Dataset.split`) and neither part is given as
            indices here, the data's own parts are kept; a part the data do not name
            is drawn from their training samples, its fraction taken of those.
        test: Like `validation`, for the test part. Defaults to `0.1`.
        seed: Seed of the random split. Defaults to `0`.
        stratify: Keep the class proportions in every part (classification only).
            Defaults to `True`.

    Returns:
        The `Splits`; the train part is everything not in validation or test. Index
        arrays are sorted, so samples keep their original order within each part.

    Raises:
        DataError: If the parts overlap, an index is out of range, or train is empty.

    Example:
        >>> parts = split_dataset(ds, validation=0.2, test=0.1, seed=0)
        >>> len(parts.train) + len(parts.validation) + len(parts.test) == len(ds)
        True
    """
    n = len(ds)
    source = ds.source
    val_idx = _explicit(validation, n, "validation", source)
    test_idx = _explicit(test, n, "test", source)
    rng = np.random.default_rng(seed)
    given: tuple[str, ...] = ()
    if ds.split is not None and val_idx is None and test_idx is None:
        named = {part: np.flatnonzero(ds.split == part) for part in ("validation", "test")}
        if any(len(idx) for idx in named.values()):
            given = tuple(p for p in ("train", "validation", "test") if np.any(ds.split == p))
            val_idx = named["validation"] if len(named["validation"]) else None
            test_idx = named["test"] if len(named["test"]) else None

    if val_idx is not None or test_idx is not None:
        taken = np.zeros(n, dtype=bool)
        for idx in (val_idx, test_idx):
            if idx is not None:
                if taken[idx].any():
                    raise DataError("validation and test indices overlap", source=source)
                taken[idx] = True
        pool = np.flatnonzero(~taken)
        # Any part given as a fraction/count is drawn from what is left.
        if val_idx is None or test_idx is None:
            spec = validation if val_idx is None else test
            of = len(pool) if given else n  # the data's own training part, or all samples
            k = _count(spec, of, "validation" if val_idx is None else "test", source)
            if k > len(pool):
                raise DataError(f"cannot take {k} samples from {len(pool)} left", source=source)
            labels = _class_labels(ds, stratify)
            if labels is None:
                drawn = np.sort(rng.choice(pool, size=k, replace=False)) if k else pool[:0]
            else:  # the drawn part keeps the class proportions of what is left
                drawn = np.sort(pool[_stratified_order(labels[pool], rng)[:k]])
            if val_idx is None:
                val_idx = drawn
            else:
                test_idx = drawn
            pool = np.setdiff1d(pool, drawn)
        train_idx = pool
    else:
        n_val = _count(validation, n, "validation", source)
        n_test = _count(test, n, "test", source)
        if n_val + n_test >= n:
            raise DataError(
                f"validation ({n_val}) and test ({n_test}) leave no training samples out of {n}",
                source=source,
            )
        labels = _class_labels(ds, stratify)
        order = _stratified_order(labels, rng) if labels is not None else rng.permutation(n)
        test_idx = np.sort(order[:n_test])
        val_idx = np.sort(order[n_test : n_test + n_val])
        train_idx = np.sort(order[n_test + n_val :])

    assert val_idx is not None and test_idx is not None
    if len(train_idx) == 0:
        raise DataError("the split leaves no training samples", source=source)
    return Splits(
        train=ds.subset(train_idx, name=ds.name),
        validation=ds.subset(val_idx, name=f"{ds.name} (validation)") if len(val_idx) else None,
        test=ds.subset(test_idx, name=f"{ds.name} (test)") if len(test_idx) else None,
        indices={"train": train_idx, "validation": val_idx, "test": test_idx},
        given=given,
    )
