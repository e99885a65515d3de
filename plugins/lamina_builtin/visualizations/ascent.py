"""Gradient ascent on the input: deep dream and class model visualization.

Weights stay frozen; only the image changes. Every step is compiled with
``tf.function`` (one trace per image size); a fixed seed gives the same image.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from lamina.keras import tf
from lamina.visualize.errors import VisualizationError
from lamina.visualize.layers import (
    check_filter,
    class_score,
    feature_model,
    input_shape,
    prepare_input,
    resolve_layer,
    scoring_model,
    to_display,
)
from lamina.visualize.result import Result
from lamina_builtin.visualizations.signals import as_curves

OnStep = Callable[[int, np.ndarray], Any]


def make_step(
    objective: Callable[[Any], Any],
    step_size: float,
    n_spatial: int,
    compiled: bool = True,
    normalize: bool = True,
) -> Callable[[Any, Any], Any]:
    """Returns one ascent step ``(image, shift) -> (image, objective)``.

    The image is rolled by `shift` pixels (jitter), moved along the gradient
    normalised by its standard deviation, and rolled back.

    Args:
        objective: Maps a batch of images to a scalar to maximise.
        step_size: Size of a step (in input units per gradient standard deviation).
        n_spatial: Number of spatial axes (2 for images, 1 for signals).
        compiled: Wrap in ``tf.function``. Defaults to `True`.
        normalize: Divide the gradient by its standard deviation (else plain ascent
            with learning rate `step_size`). Defaults to `True`.
    """
    axes = list(range(1, 1 + n_spatial))

    def step(img: Any, shift: Any) -> Any:
        rolled = tf.roll(img, shift, axis=axes)
        with tf.GradientTape() as tape:
            tape.watch(rolled)
            value = objective(rolled)
        g = tape.gradient(value, rolled)
        if normalize:
            g = g / (tf.math.reduce_std(g) + 1e-8)
        rolled = rolled + step_size * g
        return tf.roll(rolled, -shift, axis=axes), value

    return tf.function(step, reduce_retracing=True) if compiled else step


def gradient_ascent(
    objective: Callable[[Any], Any],
    image: np.ndarray,
    steps: int,
    step_size: float,
    jitter: int = 0,
    seed: int = 0,
    compiled: bool = True,
    on_step: OnStep | None = None,
    step_offset: int = 0,
    clip: tuple[float, float] | None = None,
    normalize: bool = True,
) -> tuple[np.ndarray, list[float]]:
    """Runs `steps` ascent steps from `image` (a batch of one); returns it and the values.

    Args:
        objective: Batch of images -> scalar.
        image: Start image with a batch axis.
        steps: Number of steps.
        step_size: Step size.
        jitter: Largest random shift in pixels per step (0 = none).
        seed: Seed of the jitter.
        compiled: Use ``tf.function`` (False: the same loop eagerly, for benchmarks).
        on_step: Called as ``on_step(step, image)`` after every step.
        step_offset: Added to the step number given to `on_step`.
        clip: Keep pixel values in this range.
        normalize: Normalise each gradient by its standard deviation (else plain
            ascent with learning rate `step_size`).
    """
    n_spatial = image.ndim - 2
    rng = np.random.default_rng(seed)
    shifts = (
        rng.integers(-jitter, jitter + 1, size=(steps, n_spatial))
        if jitter
        else np.zeros((steps, n_spatial), dtype=int)
    )
    img = tf.constant(image, dtype=tf.float32)
    step = make_step(objective, step_size, n_spatial, compiled, normalize)
    values = []
    for i in range(steps):
        img, value = step(img, tf.constant(shifts[i], dtype=tf.int32))
        if clip is not None:
            img = tf.clip_by_value(img, clip[0], clip[1])
        values.append(float(value))
        if on_step is not None:
            on_step(step_offset + i, np.asarray(img)[0])
    return np.asarray(img), values


def _resize(img: Any, size: tuple[int, ...]) -> Any:
    if tuple(img.shape[1:-1]) == tuple(size):
        return img
    if len(size) == 1:
        return tf.image.resize(img[:, None], (1, size[0]))[:, 0]
    return tf.image.resize(img, size)


def _start(model: Any, input: Any, seed: int) -> np.ndarray:
    if input is not None:
        return prepare_input(model, input)
    shape = input_shape(model)
    if None in shape:
        raise VisualizationError(
            f"the model's input shape {shape} has free sizes: give a start `input`"
        )
    rng = np.random.default_rng(seed)
    return (0.5 + 0.1 * rng.standard_normal((1, *shape))).astype("float32")


def deep_dream(
    model: Any,
    input: Any = None,
    layer: str | int | None = None,
    filter: int | None = None,
    steps: int = 50,
    step_size: float = 0.02,
    octaves: int = 1,
    octave_scale: float = 1.4,
    jitter: int = 2,
    seed: int = 0,
    on_step: OnStep | None = None,
    axis: Any = None,
) -> Result:
    """Deep dream: change the input by gradient ascent to excite a layer (or one filter).

    The objective is the mean activation of `layer` (or of its `filter`). With
    ``octaves > 1`` the ascent starts on a smaller copy of the image and the details it
    adds are carried up to the full size, octave by octave; each step is jittered by a
    random roll of up to `jitter` pixels. The model's weights never change.

    Args:
        input: Start image; defaults to grey noise drawn with `seed`.
        layer: Layer name or index; defaults to the last spatial layer.
        filter: One filter of the layer to excite; all filters if None.
        steps: Ascent steps per octave. Defaults to `50`.
        step_size: Step size in input units. Defaults to `0.02`.
        octaves: Number of scales. Defaults to `1`.
        octave_scale: Size ratio between octaves. Defaults to `1.4`.
        jitter: Largest random shift per step in pixels. Defaults to `2`.
        seed: Seed of the start noise and the jitter. Defaults to `0`.
        on_step: Optional callback ``on_step(step, image)`` for progress.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    chosen = resolve_layer(model, layer, spatial=layer is None)
    check_filter(chosen, filter)
    start = _start(model, input, seed)
    size = tuple(start.shape[1:-1])
    feat = feature_model(model, [chosen])

    def objective(img: Any) -> Any:
        act = feat(_resize(img, size), training=False)
        return tf.reduce_mean(act if filter is None else act[..., filter])

    scales = [
        tuple(max(4, round(s / octave_scale**o)) for s in size) for o in range(octaves - 1, -1, -1)
    ]
    base = tf.constant(start)
    detail = tf.zeros_like(_resize(base, scales[0]))
    values: list[float] = []
    for o, shape in enumerate(scales):
        original = _resize(base, shape)
        detail = _resize(detail, shape)
        out, vals = gradient_ascent(
            objective,
            np.asarray(original + detail),
            steps,
            step_size,
            jitter,
            seed + o,
            on_step=on_step,
            step_offset=o * steps,
        )
        detail = tf.constant(out) - original
        values += vals
    result = np.asarray(base + _resize(detail, size))[0]
    label = f"{chosen.name}" + (f"[{filter}]" if filter is not None else "")
    res = Result(
        "deep_dream",
        np.stack([_norm(to_display(start[0])), _norm(to_display(result))]),
        ["start", f"dream: {label}"],
        {
            "layer": chosen.name,
            "filter": filter,
            "image": result,
            "objective": values,
            "cmap": "gray",
            "suptitle": f"deep dream on {label}, {octaves} octave(s) x {steps} steps",
        },
    )
    return as_curves(res, start, axis)


def _score_fn(model: Any) -> Callable[[Any], Any]:
    """Class scores before the softmax when the last layer is a softmax Dense."""
    run = scoring_model(model)
    return lambda x: run(x)[1]


def class_model(
    model: Any,
    class_index: int = 0,
    steps: int = 200,
    step_size: float = 0.05,
    l2: float = 0.01,
    tv: float = 0.0,
    jitter: int = 1,
    seed: int = 0,
    on_step: OnStep | None = None,
    axis: Any = None,
) -> Result:
    """Class model (Simonyan et al.): the image maximising ``S_c(I) - l2 ||I||^2 - tv TV(I)``.

    ``TV(I)`` is the squared total variation (Mahendran & Vedaldi's ``beta = 2``), so
    both penalties grow like ``||I||^2`` and their balance does not depend on scale.

    ``S_c`` is the class score before the softmax when the model ends in a softmax
    Dense layer (as in the paper), otherwise the model's output (the mean of a
    probabilistic head). The ascent starts from a near-zero image drawn with `seed`.

    Args:
        class_index: The class to visualise. Defaults to `0`.
        steps: Ascent steps. Defaults to `200`.
        step_size: Size of the first step in input units (the learning rate is then
            fixed, and capped for stability). Defaults to `0.05`.
        l2: Weight of the L2 penalty. Defaults to `0.01`.
        tv: Weight of the total-variation penalty, the sum of squared differences of
            neighbouring pixels (smoother images). Defaults to `0.0`.
        jitter: Largest random shift per step in pixels. Defaults to `1`.
        seed: Seed of the start noise and the jitter. Defaults to `0`.
        on_step: Optional callback ``on_step(step, image)`` for progress.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    shape = input_shape(model)
    if None in shape:
        raise VisualizationError(f"class_model needs a fixed input shape, got {shape}")
    scores = _score_fn(model)
    k = int(np.prod(model.outputs[0].shape[1:]))
    class_score(tf.zeros((1, k)), class_index)  # range check
    n_spatial = len(shape) - 1

    def objective(img: Any) -> Any:
        s = tf.reshape(scores(img), (1, -1))[0, class_index]
        value = s - l2 * tf.reduce_sum(img**2)
        if tv:
            for a in range(1, 1 + n_spatial):
                value -= tv * tf.reduce_sum(tf.experimental.numpy.diff(img, axis=a) ** 2)
        return value

    rng = np.random.default_rng(seed)
    start = (0.01 * rng.standard_normal((1, *shape))).astype("float32")
    # plain ascent; the learning rate makes the first step `step_size` per gradient
    # standard deviation, capped so that the quadratic penalties stay stable
    # (their Hessian's largest eigenvalue is 2 l2 + 8 n_spatial tv)
    x0 = tf.constant(start)
    with tf.GradientTape() as tape:
        tape.watch(x0)
        first = tf.reshape(scores(x0), (1, -1))[0, class_index]
    g0 = float(tf.math.reduce_std(tape.gradient(first, x0))) or 1.0
    lr = step_size / g0
    curvature = 2 * l2 + 8 * n_spatial * tv
    if curvature > 0:
        lr = min(lr, 1.0 / curvature)
    out, values = gradient_ascent(
        objective, start, steps, lr, jitter, seed, on_step=on_step, normalize=False
    )
    img = out[0]
    final = float(tf.reshape(scores(out), (-1,))[class_index])
    res = Result(
        "class_model",
        _norm(to_display(img))[None],
        [f"class {class_index}"],
        {
            "class_index": class_index,
            "image": img,
            "objective": values,
            "score": final,
            "cmap": "gray",
            "suptitle": f"class model of class {class_index} (L2 {l2}, TV {tv})",
        },
    )
    return as_curves(res, None, axis)


def _norm(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype="float32")
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
