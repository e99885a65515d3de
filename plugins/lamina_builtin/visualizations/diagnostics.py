"""Training diagnostics: learning curves and the confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.curves import Curve, CurvePanel, LineMarker
from lamina.visualize.errors import VisualizationError
from lamina.visualize.result import Result


def training_curves(model: Any = None, history: Any = None) -> Result:
    """Training vs validation curves of each metric: the over-fitting picture.

    When the validation loss starts rising while the training loss keeps falling, the
    model over-fits; the best epoch (lowest validation loss) is marked.

    Args:
        history: A dict ``{"loss": [...], "val_loss": [...], ...}`` or a Keras
            ``History``; defaults to ``model.history`` when a model is given.
    """
    if history is None and model is not None:
        history = getattr(model, "history", None)
    history = getattr(history, "history", history)
    if not isinstance(history, dict) or not history:
        raise VisualizationError(
            "history must be a dict like {'loss': [...], 'val_loss': [...]} "
            f"or a Keras History, got {type(history).__name__}"
        )
    series: dict[str, dict[str, list[float]]] = {}
    for key, values in history.items():
        metric = key[4:] if key.startswith("val_") else key
        if metric == "lr" or metric == "learning_rate":
            continue
        label = "validation" if key.startswith("val_") else "training"
        series.setdefault(metric, {})[label] = [float(v) for v in values]
    best = None
    if "loss" in series and "validation" in series["loss"]:
        best = int(np.argmin(series["loss"]["validation"]))
    meta: dict[str, Any] = {
        "plot": "curves",
        "series": series,
        "best_epoch": best,
        "suptitle": "training curves",
        "columns": len(series),
    }
    if best is not None:
        val = series["loss"]["validation"]
        meta["overfitting"] = best < len(val) - 1 and val[-1] > val[best]
        meta["suptitle"] += f" (best epoch {best + 1})"
    panels = [_metric_panel(metric, lines, best) for metric, lines in series.items()]
    return Result("training_curves", np.zeros((0,)), list(series), meta, panels=panels)


def _metric_panel(metric: str, lines: dict[str, list[float]], best: int | None) -> CurvePanel:
    """One metric's training and validation curves against the epoch (1..N)."""
    curves = [
        Curve(values, np.arange(1, len(values) + 1), label) for label, values in lines.items()
    ]
    markers, spans = [], []
    if best is not None:
        markers.append(LineMarker(best + 1, "best"))
        n_val = len(lines.get("validation", []))
        if best + 1 < n_val:
            spans.append((best + 1, n_val, "over-fitting"))
    return CurvePanel(curves, title=metric, x_label="epoch", markers=markers, spans=spans)


def confusion_matrix(
    model: Any = None,
    y_true: Any = None,
    y_pred: Any = None,
    labels: list[str] | None = None,
    normalize: bool = True,
) -> Result:
    """Confusion matrix of true vs predicted classes.

    Args:
        y_true: True class indices (N,) or one-hot (N, K).
        y_pred: Predicted class indices (N,) or scores/probabilities (N, K).
        labels: Class names; default to the indices.
        normalize: Divide each row by its count (recall per class). Defaults to `True`.
    """
    if y_true is None or y_pred is None:
        raise VisualizationError("confusion_matrix needs y_true and y_pred arrays")
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    yt = yt.argmax(axis=-1) if yt.ndim == 2 and yt.shape[1] > 1 else yt.reshape(-1)
    yp = yp.argmax(axis=-1) if yp.ndim == 2 and yp.shape[1] > 1 else yp.reshape(-1)
    if yt.shape != yp.shape:
        raise VisualizationError(
            f"y_true and y_pred differ in length: {yt.shape[0]} vs {yp.shape[0]}"
        )
    yt, yp = yt.astype(int), np.rint(yp).astype(int)
    k = int(max(yt.max(initial=0), yp.max(initial=0)) + 1)
    if labels:
        k = max(k, len(labels))
    m = np.zeros((k, k), dtype="float64")
    np.add.at(m, (yt, yp), 1)
    counts = m.copy()
    accuracy = float(np.trace(counts) / max(counts.sum(), 1))
    if normalize:
        m = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    return Result(
        "confusion_matrix",
        m.astype("float32"),
        ["confusion matrix"],
        {
            "plot": "matrix",
            "counts": counts.astype(int).tolist(),
            "normalized": normalize,
            "labels": list(labels) if labels else [str(i) for i in range(k)],
            "accuracy": accuracy,
            "suptitle": f"confusion matrix (accuracy {accuracy:.1%})",
        },
    )
