"""Using a trained model: `predict`, `evaluate` and `predict_uncertainty`.

Each takes a tf_keras model, a saved `Run` or the `RunResult` of `train`. Given a run,
its standardiser (fitted on its training part) is applied to the inputs first, so data
can be passed in the units of the training set.

Example:
    >>> run = lamina.load_run("proj/runs/run-1")
    >>> probs = lamina.predict(run, x_new)
    >>> lamina.evaluate(run, x_test, y_test)["accuracy"]
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np

from lamina.data.standardize import apply_standardizer, standardize_targets


class Unwrapped:
    """A model, a `Run` or a `RunResult`, seen one way: its model, spec and standardiser.

    What a run holds is read when first asked for (a `Run` rebuilds its model from its
    files, with the final weights).

    Args:
        model_or_run: A tf_keras model (built by lamina or not), a `Run` or a `RunResult`.
    """

    def __init__(self, model_or_run: Any) -> None:
        self.source = model_or_run
        self.is_run = hasattr(model_or_run, "standardizer") and hasattr(model_or_run, "spec")

    @cached_property
    def model(self) -> Any:
        """The tf_keras model."""
        if not self.is_run:
            return self.source
        model = self.source.model
        if callable(model) and not hasattr(model, "predict"):
            model = model()  # Run.model(): rebuilt from the run's files
        return model

    @cached_property
    def spec(self) -> Any:
        """The `ModelSpec` (None for a model lamina did not build)."""
        if self.is_run:
            return self.source.spec
        from lamina.build import SPEC_ATTRIBUTE

        return getattr(self.source, SPEC_ATTRIBUTE, None)

    @cached_property
    def standardizer(self) -> Any:
        """The run's `Standardizer`, or None (a bare model, or a run without one)."""
        if not self.is_run:
            return None
        standardizer = self.source.standardizer
        if callable(standardizer) and not hasattr(standardizer, "transform"):
            standardizer = standardizer()  # Run.standardizer(): read from run.json
        return standardizer


def unwrap(model_or_run: Any) -> Unwrapped:
    """Returns the model, spec and standardiser of a model, a `Run` or a `RunResult`.

    Example:
        >>> parts = unwrap(lamina.load_run("proj/runs/run-1"))
        >>> parts.model, parts.spec, parts.standardizer
    """
    return model_or_run if isinstance(model_or_run, Unwrapped) else Unwrapped(model_or_run)


def _inputs(x: Any, parts: Unwrapped, standardize: bool) -> np.ndarray:
    """`x` as float32, standardised by the run's standardiser if `standardize`."""
    x = np.asarray(x, dtype=np.float32)
    return apply_standardizer(x, parts.standardizer) if standardize else x


def predict(
    model_or_run: Any, x: np.ndarray, batch_size: int = 256, standardize: bool = True
) -> np.ndarray:
    """Returns the model's outputs for `x`.

    Given a `Run` (or a `RunResult`), the run's standardiser (fitted on its training
    data) is applied to `x` first, so raw data in the units of the training set can be
    passed as they are.

    Args:
        model_or_run: A tf_keras model, a `Run` or a `RunResult`.
        x: Inputs ``(n, ...)``.
        batch_size: Samples per forward pass. Defaults to `256`.
        standardize: Apply the run's standardiser. Defaults to `True`.

    Example:
        >>> probs = lamina.predict(lamina.load_run("proj/runs/run-1"), x_new)
    """
    parts = unwrap(model_or_run)
    x = _inputs(x, parts, standardize)
    out = parts.model.predict(x, batch_size=batch_size, verbose=0)
    return np.asarray(out)


def predict_uncertainty(
    model_or_run: Any, x: np.ndarray, standardize: bool = True, **options: Any
) -> Any:
    """Predicts with uncertainty: mean, standard deviation, quantiles, intervals, samples.

    The model must end in a head whose plug-in declares ``predict_distribution``
    (every head of the probability plug-in does). For models with Bayesian layers the
    result aggregates several forward passes and separates aleatoric from epistemic
    spread.

    Example:
        >>> pred = lamina.predict_uncertainty(run, x_new, passes=50)
        >>> low, high = pred.intervals[0.95]

    Args:
        model_or_run: A model built by lamina, a `Run` or a `RunResult`.
        x: Inputs ``(n, ...)`` in the units of the training data.
        standardize: Apply the run's standardiser. Defaults to `True`.
        **options: Passed to the head's function (``n_samples``, ``quantiles``,
            ``passes``, ``seed``).

    Raises:
        ValueError: If the model does not end in such a head.
    """
    from lamina.build import resolve_item
    from lamina.plugins import get_registry

    parts = unwrap(model_or_run)
    spec = parts.spec
    last = spec.layers[-1] if spec is not None and spec.layers else None
    entry = resolve_item(get_registry(), last) if last is not None else None
    fn = entry.predict_distribution if entry is not None else None
    if not callable(fn):
        raise ValueError(
            f"layers[-1] ({last.type if last else '?'}) is not a probabilistic head: "
            "predictions with uncertainty need a model ending in a head such as 'Normal' "
            "or 'MixtureNormal'"
        )
    return fn(parts.model, _inputs(x, parts, standardize), **options)


def classification_report(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    class_names: list[str] | None = None,
    n_classes: int | None = None,
) -> dict[str, Any]:
    """Returns the confusion matrix and per-class precision, recall, F1 and support."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y_true = np.asarray(y_true).astype(np.int64).ravel()
    y_pred = np.asarray(y_pred).astype(np.int64).ravel()
    k = n_classes or (len(class_names) if class_names else int(max(y_true.max(), y_pred.max())) + 1)
    labels = list(range(k))
    names = list(class_names) if class_names and len(class_names) == k else [str(i) for i in labels]
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    return {
        "class_names": names,
        "confusion_matrix": cm.astype(int).tolist(),
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(names)
        },
    }


def evaluate(
    model_or_run: Any,
    x: np.ndarray,
    y: np.ndarray | None = None,
    task: str | None = None,
    class_names: list[str] | None = None,
    batch_size: int = 256,
    standardize: bool = True,
) -> dict[str, Any]:
    """Returns test metrics; for classifiers also a confusion matrix and per-class scores.

    Args:
        model_or_run: A compiled tf_keras model, a `Run` or a `RunResult`.
        x: Test inputs (raw: a run's standardiser is applied when `standardize`).
        y: Test targets (int labels for classification; for a reconstruction, raw
            inputs, standardised like `x`).
        task: ``"classification"``, ``"regression"``, ... Defaults to classification
            when `y` holds integers.
        class_names: Names of the classes, for the report.
        batch_size: Samples per forward pass. Defaults to `256`.
        standardize: Apply the run's standardiser. Defaults to `True`.

    Returns:
        ``{"n": ..., "loss": ..., <metric>: ..., "confusion_matrix": [[...]],
        "class_names": [...], "per_class": {name: {"precision", "recall", "f1",
        "support"}}}`` (the last three for classifiers only).
    """
    from lamina.training.targets import model_output_size, one_hot_targets

    parts = unwrap(model_or_run)
    model = parts.model
    if isinstance(x, (list, tuple)):  # several inputs (graph: node features + adjacency)
        x = [np.asarray(part, dtype=np.float32) for part in x]
        n = len(x[0])
    else:
        x = _inputs(x, parts, standardize)
        n = len(x)
    y_arr = None if y is None else np.asarray(y)
    if task is None:
        task = "classification" if y_arr is not None and y_arr.dtype.kind in "iub" else "regression"
    if standardize and not isinstance(x, list):
        y_arr = standardize_targets(y_arr, x, task, parts.standardizer)
    y_fit = one_hot_targets(parts.spec, y_arr, model_output_size(model))
    out: dict[str, Any] = {"n": int(n)}
    if getattr(model, "optimizer", None) is not None and y_fit is not None:
        if isinstance(x, (list, tuple)):  # several inputs (graphs)
            values = model.evaluate(x, y_fit, batch_size=batch_size, verbose=0, return_dict=True)
        else:
            values = model.evaluate(_batches(x, y_fit, batch_size), verbose=0, return_dict=True)
        out.update({k: float(v) for k, v in values.items()})
    if task == "classification" and y_arr is not None and y_arr.ndim == 1:
        probs = _called(model, x, batch_size)
        if probs.ndim == 2 and probs.shape[1] > 1:
            pred = probs.argmax(axis=1)
        else:
            pred = (probs.reshape(len(probs), -1)[:, 0] > 0.5).astype(np.int64)
        n_classes = probs.shape[1] if probs.ndim == 2 and probs.shape[1] > 1 else 2
        out.update(classification_report(y_arr, pred, class_names, n_classes))
        out.setdefault("accuracy", float(np.mean(pred == y_arr)))
    return out


def _called(model: Any, x: Any, batch_size: int) -> np.ndarray:
    """The model's outputs for `x`, called batch by batch (as ``predict`` gives them).

    Calling the model costs no trace of a predict function (in a whole course job on
    digits the trace took longer than the test evaluation itself); inputs or outputs
    other than one array each go through ``predict``.
    """
    from lamina.keras import tf

    if isinstance(x, (list, tuple)) or len(x) == 0:
        return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    chunks = []
    for start in range(0, len(x), batch_size):
        out = model(x[start : start + batch_size], training=False)
        if not isinstance(out, tf.Tensor):
            return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
        chunks.append(out.numpy())
    return np.concatenate(chunks)


def _batches(x: Any, y: Any, batch_size: int) -> Any:
    """The test part as the validation part was fed to ``fit`` (a ``tf.data`` pipeline).

    Batches of the same kind as the validation's reuse the test function ``fit`` traced
    (arrays would trace it again); the batches and their order are those of arrays.
    """
    from lamina.data.pipeline import make_tf_dataset

    return make_tf_dataset(x, y, batch_size=batch_size, shuffle=False)
