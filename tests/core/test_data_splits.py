"""split_dataset: sizes, stratification, determinism, explicit indices."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.data import DataError, Dataset, split_dataset


def _dataset(n: int = 100, classes: tuple[int, ...] = (70, 30)) -> Dataset:
    y = np.concatenate([np.full(c, i) for i, c in enumerate(classes)])
    return Dataset(
        x=np.arange(len(y), dtype=np.float32)[:, None],
        y=y,
        name="d",
        task="classification",
        extras={"id": np.arange(len(y))},
    )


def _all_indices(parts):
    return np.concatenate([parts.indices[k] for k in ("train", "validation", "test")])


def test_sizes_no_overlap_and_full_cover():
    ds = _dataset()
    parts = split_dataset(ds, validation=0.2, test=0.1, seed=1)
    assert (len(parts.train), len(parts.validation), len(parts.test)) == (70, 20, 10)
    everything = _all_indices(parts)
    assert len(np.unique(everything)) == len(ds) == len(everything)
    # Rows really come from the indices (x holds the original row number), extras too.
    np.testing.assert_array_equal(parts.test.x[:, 0], parts.indices["test"])
    np.testing.assert_array_equal(parts.validation.extras["id"], parts.indices["validation"])


def test_stratified_keeps_class_proportions():
    parts = split_dataset(_dataset(), validation=0.2, test=0.1, seed=3)
    assert parts.validation.class_counts() == {"0": 14, "1": 6}
    assert parts.test.class_counts() == {"0": 7, "1": 3}
    assert parts.train.class_counts() == {"0": 49, "1": 21}


def test_deterministic_with_seed_and_differs_between_seeds():
    ds = _dataset()
    a = split_dataset(ds, seed=5)
    b = split_dataset(ds, seed=5)
    c = split_dataset(ds, seed=6)
    np.testing.assert_array_equal(a.indices["test"], b.indices["test"])
    assert not np.array_equal(a.indices["test"], c.indices["test"])


def test_regression_split_and_zero_parts():
    ds = Dataset(x=np.zeros((10, 1)), y=np.linspace(0, 1, 10), name="r", task="regression")
    parts = split_dataset(ds, validation=0.3, test=0)
    assert parts.test is None and len(parts.validation) == 3 and len(parts.train) == 7
    counts = split_dataset(ds, validation=2, test=3)
    assert (len(counts.train), len(counts.validation), len(counts.test)) == (5, 2, 3)


def test_explicit_indices():
    ds = _dataset(20, (10, 10))
    parts = split_dataset(ds, validation=[0, 1, 2], test=np.array([19, 18]))
    np.testing.assert_array_equal(parts.indices["validation"], [0, 1, 2])
    np.testing.assert_array_equal(parts.indices["test"], [18, 19])
    assert len(parts.train) == 15
    mixed = split_dataset(ds, validation=0.25, test=[5, 6])
    assert len(mixed.validation) == 5 and not set(mixed.indices["validation"]) & {5, 6}
    assert parts.indices_to_dict()["test"] == [18, 19]


def test_bad_splits_raise_data_error():
    ds = _dataset(10, (5, 5))
    with pytest.raises(DataError, match="overlap"):
        split_dataset(ds, validation=[1, 2], test=[2, 3])
    with pytest.raises(DataError, match="no training samples"):
        split_dataset(ds, validation=0.5, test=0.5)
    with pytest.raises(DataError, match=r"in \[0, 9\]"):
        split_dataset(ds, validation=[10])
    with pytest.raises(DataError, match=r"fraction must be in \[0, 1\)"):
        split_dataset(ds, validation=1.5)


def test_a_part_drawn_from_a_given_split_keeps_the_class_proportions():
    y = np.array([0] * 160 + [1] * 40 + [0] * 40 + [1] * 10)  # 80 % / 20 % in both parts
    ds = Dataset(
        x=np.arange(250, dtype=float)[:, None],
        y=y,
        name="survey",
        task="classification",
        split=np.array(["train"] * 200 + ["test"] * 50),
    )
    for seed in range(10):  # a random draw hits 40/10 exactly in about 1 seed of 6
        parts = split_dataset(ds, validation=0.25, seed=seed)
        assert parts.given == ("train", "test")
        np.testing.assert_array_equal(parts.indices["test"], np.arange(200, 250))
        assert parts.validation.class_counts() == {"0": 40, "1": 10}  # 50 = 0.25 of 200
        assert parts.train.class_counts() == {"0": 120, "1": 30}
    unstratified = split_dataset(ds, validation=0.25, seed=3, stratify=False)
    assert len(unstratified.validation) == 50
