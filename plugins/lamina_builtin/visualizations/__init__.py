"""lamina's built-in visualizations: looking inside a network.

Each visualization is a function ``fn(model, **params) -> lamina.visualize.Result``.
`register_builtin_visualizations` adds them to the catalogue; the built-in plug-in
calls it from its ``register_visualizations`` hook.
"""

from __future__ import annotations

import inspect
from typing import Any

from lamina_builtin.visualizations.activations import activation_histograms, feature_maps
from lamina_builtin.visualizations.ascent import class_model, deep_dream
from lamina_builtin.visualizations.deconvnet import deconvnet
from lamina_builtin.visualizations.diagnostics import confusion_matrix, training_curves
from lamina_builtin.visualizations.gradcam import gradcam
from lamina_builtin.visualizations.gradients import guided_backprop, saliency
from lamina_builtin.visualizations.occlusion import occlusion
from lamina_builtin.visualizations.top9 import top9
from lamina_builtin.visualizations.weights import filters, weight_histograms

_IMG = {"input_shape": [16, 16, 1]}
_HIDE: dict[str, Any] = {"model": None, "axis": None}
_ARRAY = {"type": "any", "help": "A numpy array given by the caller."}

#: (function, name, category, summary, example params, schema overrides)
VISUALIZATIONS: list[tuple[Any, str, str, str, dict[str, Any], dict[str, Any]]] = [
    (
        filters,
        "filters",
        "weights",
        "Learned convolution kernels (or Dense weights) as images.",
        {"layer": 0},
        {"mode": {"type": "choice", "choices": ["auto", "colour", "sum", "channel"]}},
    ),
    (
        weight_histograms,
        "weight_histograms",
        "diagnostics",
        "Histograms of each layer's weights.",
        {},
        {},
    ),
    (
        feature_maps,
        "feature_maps",
        "activations",
        "Activations of a layer for one input, one image per channel.",
        {"layer": 0},
        {"input": _ARRAY},
    ),
    (
        activation_histograms,
        "activation_histograms",
        "diagnostics",
        "Histograms of each layer's activations over a batch.",
        {},
        {"input": _ARRAY},
    ),
    (
        top9,
        "top9",
        "activations",
        "The dataset inputs (patches) that activate a filter most.",
        {"filter": 0},
        {"data": _ARRAY, "k": {"min": 1}, "filter": {"min": 0}},
    ),
    (
        deconvnet,
        "deconvnet",
        "projection",
        "Deconvnet projection of a feature map to pixel space (Zeiler & Fergus).",
        {},
        {"input": _ARRAY, "unit": {"type": "choice", "choices": ["max", "all"]}},
    ),
    (
        guided_backprop,
        "guided_backprop",
        "projection",
        "Guided backpropagation of a class score or a filter.",
        {},
        {"input": _ARRAY},
    ),
    (
        saliency,
        "saliency",
        "attribution",
        "Gradient saliency map, vanilla or SmoothGrad.",
        {},
        {"input": _ARRAY, "smooth_samples": {"min": 0}, "noise": {"min": 0.0}},
    ),
    (
        gradcam,
        "gradcam",
        "attribution",
        "Grad-CAM class activation map (Grad-CAM++ option).",
        {},
        {"input": _ARRAY},
    ),
    (
        occlusion,
        "occlusion",
        "attribution",
        "Occlusion sensitivity: class score drop under a sliding patch.",
        {"patch": 4, "stride": 2},
        {"input": _ARRAY, "patch": {"min": 1}, "stride": {"min": 1}},
    ),
    (
        deep_dream,
        "deep_dream",
        "synthesis",
        "Gradient ascent on the input to excite a layer (octaves, jitter).",
        {"steps": 5},
        {"input": _ARRAY, "on_step": None, "steps": {"min": 1}, "octaves": {"min": 1}},
    ),
    (
        class_model,
        "class_model",
        "synthesis",
        "The image that maximises a class score with an L2 (and TV) penalty.",
        {"steps": 5},
        {"on_step": None, "steps": {"min": 1}, "l2": {"min": 0.0}, "tv": {"min": 0.0}},
    ),
    (
        training_curves,
        "training_curves",
        "diagnostics",
        "Training vs validation loss and metrics per epoch.",
        {},
        {"history": _ARRAY},
    ),
    (
        confusion_matrix,
        "confusion_matrix",
        "diagnostics",
        "Confusion matrix from true and predicted classes.",
        {},
        {"y_true": _ARRAY, "y_pred": _ARRAY},
    ),
]


def register_builtin_visualizations(register: Any) -> None:
    """Registers every built-in visualization with a ``register`` callback."""
    for fn, name, category, summary, example, overrides in VISUALIZATIONS:
        overrides = dict(overrides)
        if "layer" in inspect.signature(fn).parameters:
            overrides["layer"] = {
                "type": "any",  # nullable already: the signature's default is None
                "help": "A layer name or an index (None for the default).",
            }
        register(
            fn,
            name=name,
            category=category,
            summary=summary,
            params={**_HIDE, **overrides},
            example={"params": example, **_IMG},
        )
