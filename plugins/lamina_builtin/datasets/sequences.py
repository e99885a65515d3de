"""Noisy sine waves: continue a sequence (forecast) or tell its frequency (classification)."""

from __future__ import annotations

import numpy as np

from lamina.data import Dataset

from ._common import balanced_labels, check_non_negative, check_positive

TASKS = ("forecast", "classification")


def sequences(
    n: int = 500,
    length: int = 50,
    task: str = "forecast",
    horizon: int = 1,
    classes: int = 3,
    noise: float = 0.05,
    seed: int = 0,
) -> Dataset:
    """Noisy sine waves of random amplitude, frequency and phase, as (n, length, 1) sequences.

    Forecast: y holds the next `horizon` observed values after each sequence, shape
    (n, horizon); the noise-free continuation is in ``extras["clean_target"]``.
    Classification: each sequence has one of `classes` frequencies (0.04, 0.07, 0.10,
    ... cycles per step, with a small jitter); the label says which.

    Args:
        n: Number of sequences. Defaults to `500`.
        length: Time steps per sequence. Defaults to `50`.
        task: ``"forecast"`` or ``"classification"``. Defaults to `"forecast"`.
        horizon: Forecast: how many future steps to predict. Defaults to `1`.
        classes: Classification: how many frequencies. Defaults to `3`.
        noise: Standard deviation of the Gaussian noise. Defaults to `0.05`.
        seed: Random seed. Defaults to `0`.
    """
    n = check_positive("n", n, 2)
    length = check_positive("length", length, 2)
    horizon = check_positive("horizon", horizon)
    classes = check_positive("classes", classes, 2)
    noise = check_non_negative("noise", noise)
    if task not in TASKS:
        raise ValueError(f"`task` must be one of {TASKS}. Received: task={task!r}")
    rng = np.random.default_rng(seed)
    amplitude = rng.uniform(0.5, 1.0, n)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    labels = None
    if task == "classification":
        labels = balanced_labels(n, classes, rng)
        centres = 0.04 + 0.03 * np.arange(classes)
        frequency = centres[labels] + rng.uniform(-0.006, 0.006, n)
        steps = length
    else:
        frequency = rng.uniform(0.02, 0.1, n)
        steps = length + horizon
    t = np.arange(steps)[None, :]
    clean = amplitude * np.sin(2 * np.pi * frequency[:, None] * t + phase)
    observed = clean + noise * rng.standard_normal(clean.shape)
    x = observed[:, :length, None].astype(np.float32)
    extras: dict = {"frequency": frequency.astype(np.float32), "per_sample": ["frequency"]}
    if task == "classification":
        return Dataset(
            x=x,
            y=labels,
            name="sequences",
            task="classification",
            class_names=[f"f={c:.2f}" for c in centres],
            description=f"{n} noisy sine waves of {classes} frequencies: which one?",
            source="sequences",
            extras=extras,
        )
    extras["clean_target"] = clean[:, length:].astype(np.float32)
    extras["per_sample"].append("clean_target")
    return Dataset(
        x=x,
        y=observed[:, length:].astype(np.float32),
        name="sequences",
        task="forecast",
        description=f"{n} noisy sine waves of {length} steps: predict the next {horizon}.",
        source="sequences",
        extras=extras,
    )
