"""Feature standardisation fitted on the training part only: ``x -= mean; x /= std``."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.data.errors import DataError

MODES = ("auto", "feature", "channel", "global")


class Standardizer:
    """Subtracts a mean and divides by a standard deviation, per feature or per channel.

    Fit it on the training data only, then transform every part with the same numbers
    (fitting on validation or test data leaks information into training). The fitted
    numbers are JSON-serialisable (`to_dict`) and stored with a training run, so that
    predictions on new data use the same scaling.

    Args:
        mode: ``"feature"``: one mean/std per feature (every value of a sample; the
            course's ``X -= X.mean(axis=0); X /= X.std(axis=0)``); ``"channel"``: one
            per channel (last axis), shared by all positions of an image or time
            steps of a sequence; ``"global"``: one for all values; ``"auto"``: per
            feature for tables ``(n, F)``, per channel otherwise. Defaults to `"auto"`.
        epsilon: Standard deviations below this are set to 1 (constant features are
            only centred). Defaults to `1e-7`.

    Example:
        >>> s = Standardizer().fit(x_train)
        >>> x_train, x_test = s.transform(x_train), s.transform(x_test)
        >>> Standardizer.from_dict(s.to_dict()).transform(x_new)
    """

    def __init__(self, mode: str = "auto", epsilon: float = 1e-7) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}. Received: mode={mode!r}")
        self.mode = mode
        self.epsilon = float(epsilon)
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None
        self.fitted_mode: str | None = None

    @property
    def fitted(self) -> bool:
        """True once `fit` has computed the mean and scale."""
        return self.mean is not None

    def _resolve(self, x: np.ndarray) -> str:
        if self.mode != "auto":
            return self.mode
        return "feature" if x.ndim <= 2 else "channel"

    def fit(self, x: np.ndarray) -> Standardizer:
        """Computes the mean and standard deviation of `x` (the training features).

        Args:
            x: Array ``(n, ...)``.

        Returns:
            self.
        """
        x = np.asarray(x)
        if x.ndim < 1 or len(x) == 0:
            raise DataError(f"cannot fit a Standardizer on an empty array of shape {x.shape}")
        mode = self._resolve(x)
        data = x.astype(np.float64)
        if mode == "feature":
            axes: tuple[int, ...] = (0,)
        elif mode == "channel":
            axes = tuple(range(x.ndim - 1)) if x.ndim > 1 else (0,)
        else:
            axes = tuple(range(x.ndim))
        mean = data.mean(axis=axes)
        std = data.std(axis=axes)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
            raise DataError("cannot fit a Standardizer: the data contain NaN or inf values")
        std = np.where(std < self.epsilon, 1.0, std)
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.asarray(std, dtype=np.float32)
        self.fitted_mode = mode
        return self

    def _check(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Returns (mean, std); raises if not fitted or `x` does not match the fit."""
        if self.mean is None or self.std is None:
            raise RuntimeError("Standardizer is not fitted: call fit(x_train) first")
        if self.fitted_mode == "feature" and x.ndim >= 1 and x.shape[1:] != self.mean.shape:
            raise DataError(
                f"Standardizer was fitted on samples of shape {self.mean.shape} but got "
                f"{x.shape[1:]}"
            )
        if self.fitted_mode == "channel" and self.mean.ndim and x.shape[-1] != self.mean.shape[0]:
            raise DataError(
                f"Standardizer was fitted on {self.mean.shape[0]} channels but got {x.shape[-1]}"
            )
        return self.mean, self.std

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Returns ``(x - mean) / std`` as float32 (a new array)."""
        x = np.asarray(x)
        mean, std = self._check(x)
        return ((x.astype(np.float32) - mean) / std).astype(np.float32)

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """Fits on `x` and returns it transformed."""
        return self.fit(x).transform(x)

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        """Returns ``x * std + mean`` (e.g. to report regression outputs in data units)."""
        x = np.asarray(x)
        mean, std = self._check(x)
        return (x.astype(np.float32) * std + mean).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        """Returns the settings and fitted numbers as a JSON-serialisable dict."""
        return {
            "mode": self.mode,
            "epsilon": self.epsilon,
            "fitted_mode": self.fitted_mode,
            "mean": None if self.mean is None else self.mean.tolist(),
            "std": None if self.std is None else self.std.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Standardizer:
        """Rebuilds a Standardizer from `to_dict` output."""
        s = cls(mode=data.get("mode", "auto"), epsilon=data.get("epsilon", 1e-7))
        if data.get("mean") is not None:
            s.mean = np.asarray(data["mean"], dtype=np.float32)
            s.std = np.asarray(data["std"], dtype=np.float32)
            s.fitted_mode = data.get("fitted_mode") or s.mode
        return s

    def __repr__(self) -> str:
        state = f"fitted {self.fitted_mode}" if self.fitted else "not fitted"
        return f"Standardizer(mode={self.mode!r}, {state})"


def apply_standardizer(x: Any, standardizer: Standardizer | None) -> Any:
    """Returns `x` standardised by a fitted `standardizer`; `x` itself without one.

    The one place lamina applies a run's standardiser: to the training, validation
    and test parts in `train`, and to new inputs in `predict`, `evaluate`,
    `predict_uncertainty`, the visualizations and the engine.

    Args:
        x: Inputs ``(n, ...)`` in the units of the training data.
        standardizer: A `Standardizer`, or None (then `x` is returned unchanged).

    Example:
        >>> x_model = apply_standardizer(x_new, run.standardizer())
    """
    if standardizer is None or not standardizer.fitted:
        return x
    return standardizer.transform(x)


def standardize_targets(y: Any, x: Any, task: str | None, standardizer: Standardizer | None) -> Any:
    """Returns targets in the model's units: a reconstruction's targets are standardised too.

    A model that reconstructs its inputs is trained to output standardised inputs, so
    its targets (arrays shaped like the inputs) get the same standardiser; other
    targets are returned as they are.

    Args:
        y: Targets ``(n, ...)``, or None.
        x: The inputs they belong to (raw or standardised: only the shape is read).
        task: The dataset's task.
        standardizer: The run's `Standardizer`, or None.
    """
    if task == "reconstruction" and y is not None and np.shape(y) == np.shape(x):
        return apply_standardizer(y, standardizer)
    return y
