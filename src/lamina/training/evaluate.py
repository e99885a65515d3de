"""Test metrics, confusion matrices and per-class precision/recall, and predictions."""

from __future__ import annotations

from typing import Any

import numpy as np


def _unwrap(model_or_run: Any) -> tuple[Any, Any, Any]:
    """Returns (model, spec, standardizer) of a model, a `Run` or a `RunResult`."""
    from lamina.build import SPEC_ATTRIBUTE

    if hasattr(model_or_run, "standardizer") and hasattr(model_or_run, "spec"):
        standardizer = model_or_run.standardizer
        if callable(standardizer) and not hasattr(standardizer, "transform"):
            standardizer = standardizer()
        model = model_or_run.model
        if callable(model) and not hasattr(model, "predict"):
            model = model()
        return model, model_or_run.spec, standardizer
    return model_or_run, getattr(model_or_run, SPEC_ATTRIBUTE, None), None


def _one_hot_if_needed(spec: Any, y: np.ndarray | None, n_out: int | None) -> np.ndarray | None:
    from lamina.training.data_source import uses_one_hot

    if y is None or spec is None or not uses_one_hot(spec) or y.ndim != 1 or not n_out:
        return y
    return np.eye(n_out, dtype=np.float32)[y.astype(np.int64)]


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
    model, _, standardizer = _unwrap(model_or_run)
    x = np.asarray(x, dtype=np.float32)
    if standardize and standardizer is not None and standardizer.fitted:
        x = standardizer.transform(x)
    out = model.predict(x, batch_size=batch_size, verbose=0)
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

    model, spec, standardizer = _unwrap(model_or_run)
    last = spec.layers[-1] if spec is not None and spec.layers else None
    entry = resolve_item(get_registry(), last) if last is not None else None
    fn = entry.predict_distribution if entry is not None else None
    if not callable(fn):
        raise ValueError(
            f"layers[-1] ({last.type if last else '?'}) is not a probabilistic head: "
            "predictions with uncertainty need a model ending in a head such as 'Normal' "
            "or 'MixtureNormal'"
        )
    x = np.asarray(x, dtype=np.float32)
    if standardize and standardizer is not None and standardizer.fitted:
        x = standardizer.transform(x)
    return fn(model, x, **options)


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
        y: Test targets (int labels for classification).
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
    from lamina.training.data_source import model_output_size

    model, spec, standardizer = _unwrap(model_or_run)
    if isinstance(x, (list, tuple)):  # several inputs (graph: node features + adjacency)
        x = [np.asarray(part, dtype=np.float32) for part in x]
        n = len(x[0])
    else:
        x = np.asarray(x, dtype=np.float32)
        if standardize and standardizer is not None and standardizer.fitted:
            x = standardizer.transform(x)
        n = len(x)
    y_arr = None if y is None else np.asarray(y)
    if task is None:
        task = "classification" if y_arr is not None and y_arr.dtype.kind in "iub" else "regression"
    n_out = model_output_size(model)
    y_fit = _one_hot_if_needed(spec, y_arr, n_out)
    out: dict[str, Any] = {"n": int(n)}
    if getattr(model, "optimizer", None) is not None and y_fit is not None:
        values = model.evaluate(x, y_fit, batch_size=batch_size, verbose=0, return_dict=True)
        out.update({k: float(v) for k, v in values.items()})
    if task == "classification" and y_arr is not None and y_arr.ndim == 1:
        probs = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
        if probs.ndim == 2 and probs.shape[1] > 1:
            pred = probs.argmax(axis=1)
        else:
            pred = (probs.reshape(len(probs), -1)[:, 0] > 0.5).astype(np.int64)
        n_classes = probs.shape[1] if probs.ndim == 2 and probs.shape[1] > 1 else 2
        out.update(classification_report(y_arr, pred, class_names, n_classes))
        out.setdefault("accuracy", float(np.mean(pred == y_arr)))
    return out
