"""Probabilistic output heads: the last item of a spec, making ``model(x)`` a distribution.

Each head is a function of its parameters returning ``[Dense(params_size),
DistributionLambda(...)]``. The builder applies the two layers in order and, when
``compile.loss`` is null, compiles with ``negative_log_likelihood``.

Shapes: every head except `Categorical` predicts ``event_size`` real (or count, or
binary) values per sample; its distribution has batch shape ``[batch]`` and event
shape ``[event_size]``, so targets are ``(n, event_size)`` (or ``(n,)`` when
``event_size`` is 1) and ``log_prob`` gives one number per sample. `Categorical`
takes **integer class labels** ``(n,)`` or ``(n, 1)`` (as
``sparse_categorical_crossentropy`` does), not one-hot vectors.

``model.predict(x)`` (the tensor a head's distribution converts to) is the
distribution's mean, or its mode for `Categorical` and `Bernoulli`; use
`lamina_probability.predict.predict_distribution` for spread, quantiles and samples.

The trainer calls `check_targets` before fitting so a wrong target shape or an
impossible target value (negative counts...) is reported at the head's item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from lamina.keras import keras, tf

# isort: split
import tensorflow_probability as tfp  # after lamina.keras, which selects tf_keras

tfd = tfp.distributions
tfpl = tfp.layers

__all__ = [
    "Bernoulli",
    "Categorical",
    "IndependentNormal",
    "Laplace",
    "LogNormal",
    "MixtureNormal",
    "Normal",
    "NormalFixedScale",
    "Poisson",
    "StudentT",
    "check_targets",
    "validate_targets",
]


def _check_size(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")


def _mean(d: Any) -> Any:
    return d.mean()


def _mode(d: Any) -> Any:
    return d.mode()


def _scale(raw: Any, min_scale: float) -> Any:
    return min_scale + tf.math.softplus(raw)


def NormalFixedScale(event_size: int = 1, scale: float = 1.0) -> list[Any]:
    """Normal distribution with a learned mean and a fixed scale.

    With ``scale=1`` its negative log-likelihood is ``0.5 * (y - mu)^2 + const``: the
    same minimiser and gradient as the mean squared error (halved). It is "MSE seen as
    a probabilistic model": its spread does not depend on the input.

    Args:
        event_size: Number of target values per sample. Defaults to `1`.
        scale: The fixed standard deviation. Defaults to `1.0`.
    """
    _check_size("event_size", event_size)
    if not scale > 0:
        raise ValueError(f"scale must be positive. Received: scale={scale!r}")
    return [
        keras.layers.Dense(event_size),
        tfpl.DistributionLambda(
            lambda t: tfd.Independent(tfd.Normal(loc=t, scale=scale), reinterpreted_batch_ndims=1),
            convert_to_tensor_fn=_mean,
        ),
    ]


def _location_scale_head(family: Any, event_size: int, min_scale: float) -> list[Any]:
    """Dense(2k) -> independent `family(loc, min_scale + softplus(raw))` over k targets."""
    _check_size("event_size", event_size)
    k = event_size
    return [
        keras.layers.Dense(2 * k),
        tfpl.DistributionLambda(
            lambda t: tfd.Independent(
                family(loc=t[..., :k], scale=_scale(t[..., k:], min_scale)),
                reinterpreted_batch_ndims=1,
            ),
            convert_to_tensor_fn=_mean,
        ),
    ]


def Normal(event_size: int = 1, min_scale: float = 1e-3) -> list[Any]:
    """Normal distribution with learned mean and input-dependent (heteroscedastic) scale.

    The dense layer predicts ``2 * event_size`` numbers: the means and raw scales; the
    standard deviation is ``min_scale + softplus(raw)``.

    Args:
        event_size: Number of target values per sample. Defaults to `1`.
        min_scale: Lower bound of the predicted standard deviation. Defaults to `0.001`.
    """
    return _location_scale_head(tfd.Normal, event_size, min_scale)


def IndependentNormal(event_size: int = 2) -> list[Any]:
    """Several independent Normal targets, each with learned mean and scale.

    Uses ``tfp.layers.IndependentNormal``; the same model as `Normal` with
    ``event_size`` targets, kept for users following the TFP course.

    Args:
        event_size: Number of target values per sample. Defaults to `2`.
    """
    _check_size("event_size", event_size)
    return [
        keras.layers.Dense(tfpl.IndependentNormal.params_size(event_size)),
        tfpl.IndependentNormal(event_size, convert_to_tensor_fn=_mean),
    ]


def StudentT(event_size: int = 1, df: float | None = None, min_scale: float = 1e-3) -> list[Any]:
    """Student's t distribution: a Normal with heavy tails, robust to outliers.

    Args:
        event_size: Number of target values per sample. Defaults to `1`.
        df: Degrees of freedom; ``None`` learns them per input (kept above 2 so the
            variance exists). Defaults to `None`.
        min_scale: Lower bound of the predicted scale. Defaults to `0.001`.
    """
    _check_size("event_size", event_size)
    if df is not None and not df > 0:
        raise ValueError(f"df must be positive or None. Received: df={df!r}")
    k = event_size
    n_params = 2 * k if df is not None else 3 * k

    def make(t: Any) -> Any:
        dof = df if df is not None else 2.0 + tf.math.softplus(t[..., 2 * k :])
        return tfd.Independent(
            tfd.StudentT(df=dof, loc=t[..., :k], scale=_scale(t[..., k : 2 * k], min_scale)),
            reinterpreted_batch_ndims=1,
        )

    return [keras.layers.Dense(n_params), tfpl.DistributionLambda(make, convert_to_tensor_fn=_mean)]


def Laplace(event_size: int = 1, min_scale: float = 1e-3) -> list[Any]:
    """Laplace distribution with learned location and scale (the likelihood behind MAE).

    Args:
        event_size: Number of target values per sample. Defaults to `1`.
        min_scale: Lower bound of the predicted scale. Defaults to `0.001`.
    """
    return _location_scale_head(tfd.Laplace, event_size, min_scale)


def LogNormal(event_size: int = 1, min_scale: float = 1e-3) -> list[Any]:
    """Log-normal distribution for positive targets (fluxes, masses, times).

    ``log(y)`` is Normal with learned mean and scale. Targets must be > 0.

    Args:
        event_size: Number of target values per sample. Defaults to `1`.
        min_scale: Lower bound of the scale of ``log(y)``. Defaults to `0.001`.
    """
    return _location_scale_head(tfd.LogNormal, event_size, min_scale)


def Poisson(event_size: int = 1) -> list[Any]:
    """Poisson distribution for counts (photons, events), with a learned log-rate.

    Targets must be non-negative integers.

    Args:
        event_size: Number of counts per sample. Defaults to `1`.
    """
    _check_size("event_size", event_size)
    return [
        keras.layers.Dense(event_size),
        tfpl.DistributionLambda(
            lambda t: tfd.Independent(tfd.Poisson(log_rate=t), reinterpreted_batch_ndims=1),
            convert_to_tensor_fn=_mean,
        ),
    ]


def Bernoulli(event_size: int = 1) -> list[Any]:
    """Bernoulli distribution for 0/1 targets (one or several independent labels).

    ``model.predict`` gives the most likely label; ``predict_distribution`` gives the
    probability of 1 as its mean.

    Args:
        event_size: Number of binary labels per sample. Defaults to `1`.
    """
    _check_size("event_size", event_size)
    return [
        keras.layers.Dense(event_size),
        tfpl.DistributionLambda(
            lambda t: tfd.Independent(
                tfd.Bernoulli(logits=t, dtype=tf.float32), reinterpreted_batch_ndims=1
            ),
            convert_to_tensor_fn=_mode,
        ),
    ]


def Categorical(num_classes: int = 2) -> list[Any]:
    """Categorical distribution over ``num_classes`` classes, for integer labels.

    Targets are integer class labels ``0 .. num_classes-1`` of shape ``(n,)`` or
    ``(n, 1)`` (like ``sparse_categorical_crossentropy``), not one-hot vectors.
    ``model.predict`` gives the most likely class, shape ``(n, 1)``.

    Args:
        num_classes: Number of classes. Defaults to `2`.
    """
    _check_size("num_classes", num_classes)
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2. Received: num_classes={num_classes!r}")
    return [
        keras.layers.Dense(num_classes),
        tfpl.DistributionLambda(
            lambda t: tfd.Independent(
                tfd.Categorical(logits=t[..., None, :], dtype=tf.float32),
                reinterpreted_batch_ndims=1,
            ),
            convert_to_tensor_fn=_mode,
        ),
    ]


def MixtureNormal(event_size: int = 1, components: int = 3) -> list[Any]:
    """Mixture of ``components`` Normal distributions (multi-modal targets).

    Learns per input the mixture weights, means and scales (``tfp.layers.MixtureNormal``);
    fits targets a single Normal cannot, e.g. ``y = +-f(x) + noise``.

    Args:
        event_size: Number of target values per sample. Defaults to `1`.
        components: Number of mixture components. Defaults to `3`.
    """
    _check_size("event_size", event_size)
    _check_size("components", components)
    return [
        keras.layers.Dense(tfpl.MixtureNormal.params_size(components, [event_size])),
        tfpl.MixtureNormal(components, [event_size], convert_to_tensor_fn=_mean),
    ]


#: registered name -> (function, kind of target values, summary of the targets)
HEADS: dict[str, Any] = {
    "NormalFixedScale": (NormalFixedScale, "real", {"event_size": 1}),
    "Normal": (Normal, "real", {"event_size": 1}),
    "IndependentNormal": (IndependentNormal, "real", {"event_size": 2}),
    "StudentT": (StudentT, "real", {"event_size": 1}),
    "Laplace": (Laplace, "real", {"event_size": 1}),
    "LogNormal": (LogNormal, "positive", {"event_size": 1}),
    "Poisson": (Poisson, "count", {"event_size": 1}),
    "Bernoulli": (Bernoulli, "binary", {"event_size": 1}),
    "Categorical": (Categorical, "class", {"num_classes": 3}),
    "MixtureNormal": (MixtureNormal, "real", {"event_size": 1, "components": 2}),
}


def validate_targets(kind: str, params: Mapping[str, Any], y: Any, where: str) -> None:
    """Checks targets against a head; raises a ValueError starting with `where`.

    Args:
        kind: The head's target kind (its entry's ``targets``): ``"real"``, ``"positive"``,
            ``"count"``, ``"binary"`` or ``"class"``.
        params: The head's parameters (defaults filled in).
        y: The targets, ``(n,)`` or ``(n, k)``.
        where: The located head, e.g. ``"layers[3] (Poisson)"``.

    Raises:
        ValueError: On a size mismatch or an impossible target value.
    """
    y = np.asarray(y)
    if y.ndim == 0 or y.ndim > 2:
        raise ValueError(f"{where}: targets must have shape (n,) or (n, k); got shape {y.shape}")
    given = 1 if y.ndim == 1 else int(y.shape[1])
    expected = 1 if kind == "class" else int(params.get("event_size", 1))
    if given != expected:
        if kind == "class":
            hint = (
                f"the Categorical head takes integer labels of shape (n,) or (n, 1), "
                f"got shape {y.shape}"
                + (" (one-hot? use y.argmax(axis=1))" if given == params.get("num_classes") else "")
            )
        else:
            hint = (
                f"the head predicts {expected} value(s) per sample (event_size={expected}) "
                f"but the targets have {given} (shape {y.shape}); set event_size={given}"
            )
        raise ValueError(f"{where}: target size mismatch: {hint}")
    if not np.issubdtype(y.dtype, np.number) and y.dtype != bool:
        raise ValueError(f"{where}: targets must be numbers, got dtype {y.dtype}")
    yf = y.astype("float64")
    bad_nan = ~np.isfinite(yf)
    if bad_nan.any():
        raise ValueError(f"{where}: {int(bad_nan.sum())} target value(s) are NaN or infinite")

    def fail(mask: np.ndarray, what: str) -> None:
        idx = np.argwhere(mask)[0]
        first = ", ".join(str(int(i)) for i in idx)
        value = yf[tuple(idx)]
        raise ValueError(
            f"{where}: {what}; {int(mask.sum())} bad value(s), first y[{first}] = {value:g}"
        )

    if kind == "positive" and (yf <= 0).any():
        fail(yf <= 0, "log-normal targets must be > 0")
    if kind == "count":
        if (yf < 0).any():
            fail(yf < 0, "count targets must be non-negative (the Poisson head models counts)")
        if (yf != np.round(yf)).any():
            fail(yf != np.round(yf), "count targets must be integers")
    if kind == "binary" and ((yf != 0) & (yf != 1)).any():
        fail((yf != 0) & (yf != 1), "Bernoulli targets must be 0 or 1")
    if kind == "class":
        n = int(params.get("num_classes", 2))
        bad = (yf < 0) | (yf >= n) | (yf != np.round(yf))
        if bad.any():
            fail(bad, f"class labels must be integers in 0..{n - 1}")


def check_targets(spec_or_model: Any, y: Any, registry: Any = None) -> None:
    """Checks training targets against the head ending a spec (or a built model).

    Does nothing when the stack does not end with a head of this plug-in. The trainer
    calls it before ``fit`` so problems are reported at the head's item.

    Args:
        spec_or_model: A spec (`ModelSpec`, dict or path) or a model built by lamina.
        y: The targets.
        registry: The catalogue; defaults to the process-wide one.

    Raises:
        ValueError: Naming ``layers[i]`` and the sizes or the bad values.
    """
    from lamina.build import resolve_item, spec_of
    from lamina.plugins import get_registry
    from lamina.spec import load_spec

    registry = registry or get_registry()
    if hasattr(spec_or_model, "layers") and hasattr(spec_or_model, "predict"):
        spec = spec_of(spec_or_model, registry)
    else:
        spec = load_spec(spec_or_model)
    if not spec.layers:
        return
    i = len(spec.layers) - 1
    item = spec.layers[i]
    entry = resolve_item(registry, item)
    if entry is None or entry.kind != "head" or entry.targets is None:
        return
    params = {p.name: p.default for p in entry.params}
    params.update(item.params)
    validate_targets(entry.targets, params, y, f"layers[{i}] ({item.type})")
