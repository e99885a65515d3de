"""On-the-fly image augmentation: settings (plain data) and their TensorFlow ops.

The settings are a JSON-serialisable dataclass stored with a training run. The ops are
built lazily (TensorFlow is imported inside the functions) so that ``import
lamina.data`` stays fast.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np


@dataclass
class Augmentation:
    """Random transformations applied to each training image, new ones every epoch.

    Applied to image batches ``(n, h, w, c)`` only. When the targets are images of the
    same size (segmentation masks, reconstruction targets) the geometric
    transformations (flips, rotation, translation, zoom) are applied to them too, with
    the same random numbers; brightness and noise change the inputs only.

    Args:
        flip_horizontal: Mirror left-right with probability 1/2. Defaults to `False`.
        flip_vertical: Mirror top-bottom with probability 1/2. Defaults to `False`.
        rotate: Largest rotation, as a fraction of a full turn (0.5 = any angle up to
            ±180°; 0 = off). Defaults to `0.0`.
        translate: Largest shift, as a fraction of the image size. Defaults to `0.0`.
        zoom: Largest zoom in or out, as a fraction (0.1 = scale 0.9 to 1.1).
            Defaults to `0.0`.
        brightness: Largest offset added to all pixels of an image (data units).
            Defaults to `0.0`.
        noise_std: Standard deviation of Gaussian noise added to each pixel.
            Defaults to `0.0`.

    Example:
        >>> aug = Augmentation(flip_horizontal=True, rotate=0.5, noise_std=0.01)
        >>> Augmentation.from_dict(aug.to_dict()) == aug
        True
    """

    flip_horizontal: bool = False
    flip_vertical: bool = False
    rotate: float = 0.0
    translate: float = 0.0
    zoom: float = 0.0
    brightness: float = 0.0
    noise_std: float = 0.0

    def __post_init__(self) -> None:
        for name in ("flip_horizontal", "flip_vertical"):
            value = getattr(self, name)
            if not isinstance(value, bool | np.bool_):
                raise ValueError(f"`{name}` must be true or false. Received: {name}={value!r}")
            setattr(self, name, bool(value))
        limits = {"rotate": 0.5, "translate": 0.5, "zoom": 0.9}
        for name in ("rotate", "translate", "zoom", "brightness", "noise_std"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise ValueError(f"`{name}` must be a number. Received: {name}={value!r}")
            value = float(value)
            if value < 0 or not math.isfinite(value):
                raise ValueError(f"`{name}` must be >= 0. Received: {name}={value!r}")
            if name in limits and value > limits[name]:
                raise ValueError(
                    f"`{name}` must be at most {limits[name]}. Received: {name}={value!r}"
                )
            setattr(self, name, value)

    @property
    def enabled(self) -> bool:
        """True if any transformation is switched on."""
        return any(bool(getattr(self, f.name)) for f in fields(self))

    @property
    def geometric(self) -> bool:
        """True if a transformation moves pixels (applied to image targets too)."""
        return bool(
            self.flip_horizontal or self.flip_vertical or self.rotate or self.translate or self.zoom
        )

    def to_dict(self) -> dict[str, Any]:
        """Returns the settings as a JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Augmentation:
        """Builds settings from a dict (e.g. from a saved run); unknown keys raise ValueError."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown augmentation setting(s) {unknown}; allowed: {sorted(known)}")
        return cls(**data)

    @classmethod
    def coerce(cls, value: Augmentation | dict[str, Any] | None) -> Augmentation | None:
        """Accepts an Augmentation, a dict or None; returns None when nothing is enabled."""
        if value is None:
            return None
        aug = value if isinstance(value, Augmentation) else cls.from_dict(value)
        return aug if aug.enabled else None


def augment_batch(images: Any, targets: Any, augmentation: Augmentation, seed: Any) -> Any:
    """Applies `augmentation` to a batch with TensorFlow ops (stateless, seeded).

    Args:
        images: Float tensor ``(b, h, w, c)``.
        targets: A tensor or None. If it is a batch of images with the same height and
            width (``(b, h, w, k)``), geometric transformations are applied to it too.
        augmentation: The settings.
        seed: An int64 tensor or int: the random numbers are a function of it, so the
            same seed gives the same transformations.

    Returns:
        ``(images, targets)`` transformed.
    """
    from lamina.keras import tf

    aug = augmentation
    images = tf.convert_to_tensor(images)
    seed = tf.cast(seed, tf.int64)
    counter = [0]

    def uniform(shape: Any, low: float, high: float) -> Any:
        counter[0] += 1
        return tf.random.stateless_uniform(
            shape, seed=tf.stack([seed, tf.constant(counter[0], tf.int64)]), minval=low, maxval=high
        )

    b = tf.shape(images)[0]
    joint = (
        targets is not None
        and aug.geometric
        and len(targets.shape) == 4
        and tuple(targets.shape[1:3]) == tuple(images.shape[1:3])
    )
    if joint:
        targets = tf.convert_to_tensor(targets)

    def both(fn: Any) -> None:
        nonlocal images, targets
        images = fn(images)
        if joint:
            targets = fn(targets)

    if aug.flip_horizontal:
        mask = (uniform([b], 0.0, 1.0) < 0.5)[:, None, None, None]
        both(lambda t: tf.where(mask, tf.reverse(t, axis=[2]), t))
    if aug.flip_vertical:
        mask_v = (uniform([b], 0.0, 1.0) < 0.5)[:, None, None, None]
        both(lambda t: tf.where(mask_v, tf.reverse(t, axis=[1]), t))
    if aug.rotate or aug.translate or aug.zoom:
        transforms = _affine_transforms(images, aug, uniform)
        images = _warp(images, transforms, "BILINEAR")
        if joint:
            method = "BILINEAR" if targets.dtype.is_floating else "NEAREST"
            targets = _warp(targets, transforms, method)

    if aug.brightness:
        delta = uniform([b, 1, 1, 1], -aug.brightness, aug.brightness)
        images = images + tf.cast(delta, images.dtype)
    if aug.noise_std:
        counter[0] += 1
        noise = tf.random.stateless_normal(
            tf.shape(images),
            seed=tf.stack([seed, tf.constant(counter[0], tf.int64)]),
            stddev=aug.noise_std,
        )
        images = images + tf.cast(noise, images.dtype)
    return images, targets


def _affine_transforms(images: Any, aug: Augmentation, uniform: Any) -> Any:
    """Rotation, zoom and translation as one projective transform per image, ``(b, 8)``."""
    from lamina.keras import tf

    b = tf.shape(images)[0]
    h = tf.cast(tf.shape(images)[1], tf.float32)
    w = tf.cast(tf.shape(images)[2], tf.float32)
    angle = uniform([b], -aug.rotate, aug.rotate) * (2.0 * math.pi)
    scale = 1.0 + uniform([b], -aug.zoom, aug.zoom)
    tx = uniform([b], -aug.translate, aug.translate) * w
    ty = uniform([b], -aug.translate, aug.translate) * h
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    cx, cy = (w - 1.0) / 2.0, (h - 1.0) / 2.0
    # Output pixel p is read from input pixel M p + offset, M = rotation / scale about the centre.
    a2 = cx - (cos * cx - sin * cy) - tx
    b2 = cy - (sin * cx + cos * cy) - ty
    zeros = tf.zeros_like(cos)
    return tf.stack([cos, -sin, a2, sin, cos, b2, zeros, zeros], axis=1)


def _warp(tensor: Any, transforms: Any, interpolation: str) -> Any:
    from lamina.keras import tf

    out = tf.raw_ops.ImageProjectiveTransformV3(
        images=tf.cast(tensor, tf.float32),
        transforms=transforms,
        output_shape=tf.shape(tensor)[1:3],
        fill_value=0.0,
        interpolation=interpolation,
        fill_mode="REFLECT",
    )
    if not tensor.dtype.is_floating:
        out = tf.round(out)
    return tf.cast(out, tensor.dtype)


def apply_augmentation(
    x: np.ndarray,
    augmentation: Augmentation | dict[str, Any],
    y: np.ndarray | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Applies augmentation eagerly to numpy arrays (for previews and tests).

    Args:
        x: Images ``(n, h, w, c)``.
        augmentation: Settings or their dict.
        y: Optional targets (transformed with the images when they are images).
        seed: The random seed. Defaults to `0`.

    Returns:
        ``(x, y)`` as numpy arrays.
    """
    aug = (
        augmentation
        if isinstance(augmentation, Augmentation)
        else Augmentation.from_dict(augmentation)
    )
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 4:
        raise ValueError(f"augmentation needs images (n, h, w, c); got shape {x.shape}")
    from lamina.keras import tf

    images, targets = augment_batch(
        tf.constant(x), None if y is None else tf.constant(y), aug, seed
    )
    return images.numpy(), None if targets is None else np.asarray(targets)
