"""Augmentation settings and their TensorFlow ops; make_tf_dataset batches."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.data import Augmentation, Dataset, apply_augmentation, make_tf_dataset


def _images(n: int = 6, size: int = 8, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.random((n, size, size, channels)).astype(np.float32)


def test_settings_round_trip_and_checks():
    aug = Augmentation(flip_horizontal=True, rotate=0.25, zoom=0.1, noise_std=0.01)
    assert Augmentation.from_dict(aug.to_dict()) == aug
    assert aug.enabled and aug.geometric
    assert not Augmentation().enabled
    assert Augmentation.coerce({}) is None and Augmentation.coerce(None) is None
    assert Augmentation.coerce({"brightness": 0.1}) == Augmentation(brightness=0.1)
    with pytest.raises(ValueError, match="unknown augmentation setting"):
        Augmentation.from_dict({"shear": 0.1})
    with pytest.raises(ValueError, match="Received: rotate=-0.1"):
        Augmentation(rotate=-0.1)
    with pytest.raises(ValueError, match="Received: translate=0.9"):
        Augmentation(translate=0.9)


def test_flip_really_flips():
    x = _images(n=16)
    out, _ = apply_augmentation(x, Augmentation(flip_horizontal=True), seed=3)
    flipped = [np.array_equal(out[i], x[i, :, ::-1]) for i in range(len(x))]
    kept = [np.array_equal(out[i], x[i]) for i in range(len(x))]
    assert all(f or k for f, k in zip(flipped, kept, strict=True))
    assert 0 < sum(flipped) < len(x)
    out_v, _ = apply_augmentation(x, {"flip_vertical": True}, seed=3)
    assert any(np.array_equal(out_v[i], x[i, ::-1]) for i in range(len(x)))


def test_shapes_kept_and_masks_follow_images():
    x = _images(n=4, size=10, channels=3)
    masks = (x[..., :1] > 0.5).astype(np.int64)
    aug = Augmentation(
        flip_horizontal=True, rotate=0.5, translate=0.1, zoom=0.2, brightness=0.1, noise_std=0.05
    )
    out, out_masks = apply_augmentation(x, aug, y=masks, seed=1)
    assert out.shape == x.shape and out.dtype == np.float32
    assert out_masks.shape == masks.shape and out_masks.dtype == np.int64
    assert set(np.unique(out_masks)) <= {0, 1}
    # Same seed, same result; other seed, another result.
    again, _ = apply_augmentation(x, aug, y=masks, seed=1)
    other, _ = apply_augmentation(x, aug, y=masks, seed=2)
    np.testing.assert_array_equal(out, again)
    assert not np.allclose(out, other)


def test_geometric_transform_moves_mask_with_image():
    x = np.zeros((1, 9, 9, 1), dtype=np.float32)
    x[0, 1, 1, 0] = 1.0
    mask = (x > 0).astype(np.int64)
    out, out_mask = apply_augmentation(x, {"rotate": 0.5}, y=mask, seed=4)
    assert out_mask.sum() >= 1
    assert np.unravel_index(out.argmax(), out.shape) == np.unravel_index(
        out_mask.argmax(), out_mask.shape
    )


def test_make_tf_dataset_batches():
    x = _images(n=10)
    y = np.arange(10)
    ds = make_tf_dataset(x, y, batch_size=4, shuffle=True, seed=0)
    shapes = [(tuple(xb.shape), tuple(yb.shape)) for xb, yb in ds]
    assert shapes == [((4, 8, 8, 1), (4,)), ((4, 8, 8, 1), (4,)), ((2, 8, 8, 1), (2,))]
    labels = np.concatenate([yb.numpy() for _, yb in ds])
    assert sorted(labels) == list(range(10))
    unshuffled = np.concatenate(
        [yb.numpy() for _, yb in make_tf_dataset(x, y, batch_size=4, shuffle=False)]
    )
    np.testing.assert_array_equal(unshuffled, y)


def test_make_tf_dataset_with_augmentation_repeat_and_dataset_input():
    x = _images(n=6)
    data = Dataset(x=x, y=np.array([0, 1, 0, 1, 0, 1]), name="d", task="classification")
    ds = make_tf_dataset(
        data, batch_size=3, augmentation={"flip_horizontal": True, "noise_std": 0.1}, repeat=True
    )
    batches = list(ds.take(5))
    assert len(batches) == 5
    xb, yb = batches[0]
    assert xb.shape == (3, 8, 8, 1) and xb.dtype.name == "float32" and yb.shape == (3,)
    # Augmentation changes the pixels (noise), epoch after epoch.
    assert not np.allclose(
        np.sort(batches[0][0].numpy().ravel()), np.sort(batches[2][0].numpy().ravel())
    )


def test_make_tf_dataset_ignores_augmentation_for_tables_and_takes_x_only():
    x = np.ones((5, 3), dtype=np.float64)
    ds = make_tf_dataset(x, None, batch_size=2, shuffle=False, augmentation={"noise_std": 1.0})
    batches = [b.numpy() for b in ds]
    assert [b.shape for b in batches] == [(2, 3), (2, 3), (1, 3)]
    assert batches[0].dtype == np.float32 and np.all(batches[0] == 1.0)
    with pytest.raises(ValueError, match="batch_size"):
        make_tf_dataset(x, None, batch_size=0)


def test_augmentation_changes_every_epoch_but_repeats_with_the_seed():
    x = _images(n=4)

    def first_batch(ds):
        return next(iter(ds))[0].numpy()

    ds = make_tf_dataset(
        x, np.arange(4), batch_size=4, shuffle=False, augmentation={"noise_std": 0.1}
    )
    epoch1, epoch2 = first_batch(ds), first_batch(ds)
    assert not np.allclose(epoch1, epoch2)
    again = make_tf_dataset(
        x, np.arange(4), batch_size=4, shuffle=False, augmentation={"noise_std": 0.1}
    )
    np.testing.assert_allclose(first_batch(again), epoch1)


def test_in_memory_pipelines_switch_autotune_off_and_augmentation_keeps_it():
    # tf.data's autotuner made epochs irregular on 2 cores (see lamina.data.pipeline).
    x = _images(n=6)
    y = np.arange(6)
    plain = make_tf_dataset(x, y, batch_size=2)
    several_inputs = make_tf_dataset((x, x[:, :, :, 0]), y, batch_size=2)
    augmented = make_tf_dataset(x, y, batch_size=2, augmentation={"flip_horizontal": True})
    assert plain.options().autotune.enabled is False
    assert several_inputs.options().autotune.enabled is False
    assert augmented.options().autotune.enabled is not False
    # Switching the autotuner off changes nothing in what the pipelines yield.
    assert sorted(np.concatenate([yb.numpy() for _, yb in plain])) == list(range(6))
    assert [xb[0].shape[0] for xb, _ in several_inputs] == [2, 2, 2]
