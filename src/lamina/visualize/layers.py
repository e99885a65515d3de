"""Helpers shared by visualizations: resolving layers, checking inputs, scoring outputs.

Every problem raises :class:`~lamina.visualize.errors.VisualizationError` with a message
that lists the valid choices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.errors import VisualizationError


def _layers(model: Any) -> list[Any]:
    return [la for la in model.layers if type(la).__name__ != "InputLayer"]


def layer_names(model: Any) -> list[str]:
    """Returns the names of the model's layers (without the input layer)."""
    return [la.name for la in _layers(model)]


def output_shape(layer: Any) -> tuple[Any, ...]:
    """Returns a layer's output shape including the batch axis."""
    shape = layer.output.shape
    return tuple(shape)


def is_spatial(layer: Any) -> bool:
    """True if the layer outputs a 2-D ``(B, H, W, C)`` or 1-D ``(B, T, C)`` feature map."""
    try:
        return len(output_shape(layer)) in (3, 4)
    except (AttributeError, ValueError, TypeError):
        return False


def spatial_layer_names(model: Any) -> list[str]:
    """Returns the names of the layers with a spatial (1-D or 2-D) output."""
    return [la.name for la in _layers(model) if is_spatial(la)]


def _describe(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names) if names else "(none)"


def resolve_layer(
    model: Any, layer: str | int | None, *, spatial: bool = False, default: str = "last"
) -> Any:
    """Returns a layer of `model` from its name or its index.

    Args:
        model: A tf_keras model.
        layer: A layer name, an index into the model's layers (without the input
            layer; negative counts from the end), or None for the default.
        spatial: Require a layer with a 1-D or 2-D feature-map output.
        default: With ``layer=None``: ``"last"`` (last spatial layer if `spatial`,
            else the last layer) or ``"first"``.

    Raises:
        VisualizationError: Unknown name, index out of range or a non-spatial layer
            for a spatial method; the message lists the valid choices.
    """
    all_layers = _layers(model)
    names = [la.name for la in all_layers]
    if layer is None:
        pool = [la for la in all_layers if is_spatial(la)] if spatial else all_layers
        if not pool:
            raise VisualizationError(
                "this model has no layer with a spatial output (1-D or 2-D feature "
                f"maps); its layers are: {_describe(names)}"
            )
        return pool[-1] if default == "last" else pool[0]
    if isinstance(layer, bool) or not isinstance(layer, (str, int, np.integer)):
        raise VisualizationError(
            f"layer must be a layer name or an index, got {layer!r}; layers: {_describe(names)}"
        )
    if isinstance(layer, str):
        found = [la for la in all_layers if la.name == layer]
        if not found:
            raise VisualizationError(
                f"unknown layer {layer!r}; valid layer names: {_describe(names)}"
            )
        chosen = found[0]
    else:
        n = len(all_layers)
        if not -n <= int(layer) < n:
            raise VisualizationError(
                f"layer index {layer} out of range: the model has {n} layers, "
                f"valid indices are {-n}..{n - 1} ({_describe(names)})"
            )
        chosen = all_layers[int(layer)]
    if spatial and not is_spatial(chosen):
        raise VisualizationError(
            f"layer {chosen.name!r} has no spatial output (output shape "
            f"{tuple(output_shape(chosen))}); this method needs a feature map. "
            f"Spatial layers: {_describe(spatial_layer_names(model))}"
        )
    return chosen


def n_channels(layer: Any) -> int:
    """Returns the size of the last axis of a layer's output."""
    return int(output_shape(layer)[-1])


def check_filter(layer: Any, filter: int | None) -> int | None:
    """Checks a filter (channel) index of a layer's output.

    Raises:
        VisualizationError: With the valid range.
    """
    if filter is None:
        return None
    n = n_channels(layer)
    if isinstance(filter, bool) or not isinstance(filter, (int, np.integer)) or not 0 <= filter < n:
        raise VisualizationError(
            f"filter {filter!r} out of range for layer {layer.name!r}, which has {n} "
            f"filters: valid range is 0..{n - 1}"
        )
    return int(filter)


def input_shape(model: Any) -> tuple[Any, ...]:
    """Returns the model's (first) input shape without the batch axis."""
    shape = model.inputs[0].shape
    return tuple(None if d is None else int(d) for d in shape[1:])


def prepare_input(model: Any, x: Any, name: str = "input", batch: bool = False) -> np.ndarray:
    """Returns `x` as a float32 batch for `model`.

    A single sample (the model's input shape) gets a batch axis; a 2-D image given to
    a model with one channel gets the channel axis.

    Args:
        model: The model.
        x: An array: one sample, or a batch when `batch` is True.
        name: The parameter's name, used in messages.
        batch: Whether `x` is a batch (a dataset) rather than one sample.

    Raises:
        VisualizationError: If the shape does not fit (expected vs got).
    """
    if x is None:
        raise VisualizationError(f"{name} is required: give a numpy array")
    arr = np.asarray(x, dtype="float32")
    expected = input_shape(model)

    def fits(shape: tuple[int, ...]) -> bool:
        return len(shape) == len(expected) and all(
            e is None or e == s for e, s in zip(expected, shape, strict=True)
        )

    want = "(N, " + ", ".join("?" if e is None else str(e) for e in expected) + ")"
    one = "(" + ", ".join("?" if e is None else str(e) for e in expected) + ")"
    if batch:
        if arr.ndim == len(expected) and expected[-1] == 1 and fits((*arr.shape, 1)[1:]):
            arr = arr[..., None]
        if arr.ndim != len(expected) + 1 or not fits(arr.shape[1:]):
            raise VisualizationError(
                f"{name} has the wrong shape: expected {want}, got {arr.shape}"
            )
        return arr
    if fits(arr.shape):
        return arr[None]
    if arr.ndim == len(expected) + 1 and fits(arr.shape[1:]):
        return arr[:1] if arr.shape[0] >= 1 else arr
    if arr.ndim == len(expected) - 1 and expected[-1] == 1 and fits((*arr.shape, 1)):
        return arr[None, ..., None]
    raise VisualizationError(
        f"{name} has the wrong shape: expected {one} (or a batch {want}), got {arr.shape}"
    )


def to_tensor_output(out: Any) -> Any:
    """Returns a tensor for a model output; a distribution (probabilistic head) gives its mean."""
    if isinstance(out, (list, tuple)):
        out = out[0]
    if hasattr(out, "mean") and not isinstance(out, np.ndarray):
        try:
            return out.mean()
        except NotImplementedError:
            if hasattr(out, "probs_parameter"):
                return out.probs_parameter()
            raise
    return out


def feature_model(model: Any, layers: list[Any], with_output: bool = False) -> Any:
    """Returns a model from the inputs of `model` to the outputs of `layers`.

    Args:
        model: A functional or Sequential tf_keras model.
        layers: Layers whose outputs are returned.
        with_output: Also return the model's own output (last).
    """
    from lamina.keras import keras

    # an output layer's own `output` may differ from the model's output tensor (e.g. a
    # tfp DistributionLambda head): use the model's
    own = dict(
        zip([id(la) for la in getattr(model, "_output_layers", [])], model.outputs, strict=False)
    )
    outputs = [own.get(id(la), la.output) for la in layers]
    if with_output:
        outputs.append(model.outputs[0])
    return keras.Model(model.inputs, outputs)


def class_score(out: Any, class_index: int | None, first: Any = None) -> tuple[Any, int]:
    """Returns the per-sample score of a class and the class used.

    Args:
        out: Model output tensor ``(B, K)`` (or ``(B,)`` / ``(B, 1)`` for one score).
        class_index: The class; None picks the top class of the first sample.
        first: Unused placeholder for symmetry.

    Raises:
        VisualizationError: If `class_index` is out of range.
    """
    from lamina.keras import tf

    out = tf.reshape(out, (tf.shape(out)[0], -1))
    k = int(out.shape[-1])
    if class_index is None:
        class_index = int(np.argmax(np.asarray(out[0]))) if k > 1 else 0
    if isinstance(class_index, bool) or not 0 <= int(class_index) < k:
        raise VisualizationError(
            f"class_index {class_index!r} out of range: the model has {k} outputs, "
            f"valid range is 0..{k - 1}"
        )
    return out[:, int(class_index)], int(class_index)


def to_display(x: np.ndarray) -> np.ndarray:
    """Returns one sample as an image: ``(H, W)`` for 1 channel, ``(H, W, 3)`` for 3."""
    x = np.asarray(x)
    if x.ndim == 3 and x.shape[-1] == 1:
        return x[..., 0]
    if x.ndim == 3 and x.shape[-1] == 3:
        return x
    if x.ndim == 3:
        return x.mean(axis=-1)
    if x.ndim == 2 and x.shape[-1] == 1:  # 1-D signal (T, 1) -> a strip
        return x.T
    return x


def scoring_model(model: Any, layers: list[Any] | None = None, logits: bool = True) -> Any:
    """Returns ``f(x) -> (activations of layers, class scores)``.

    The scores are taken before the softmax when the model ends in a Dense layer with a
    softmax activation (a saturated softmax has vanishing gradients; Simonyan et al.
    and Selvaraju et al. use the unnormalised score), otherwise they are the model's
    output (the mean of a probabilistic head).

    Args:
        model: The model.
        layers: Layers whose activations are returned too.
        logits: Use the pre-softmax score when possible.
    """
    from lamina.keras import keras, tf

    layers = list(layers or [])
    last = model.layers[-1]
    act = getattr(last, "activation", None)
    if logits and type(last).__name__ == "Dense" and getattr(act, "__name__", "") == "softmax":
        sub = keras.Model(model.inputs, [la.output for la in layers] + [last.input])

        def run(x: Any) -> Any:
            outs = sub(x, training=False)
            outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
            z = tf.matmul(outs[-1], last.kernel)
            if last.bias is not None:
                z = z + last.bias
            return outs[:-1], z

        return run
    if layers:
        sub = feature_model(model, layers, with_output=True)

        def run(x: Any) -> Any:
            outs = list(sub(x, training=False))
            return outs[:-1], to_tensor_output(outs[-1])

        return run
    return lambda x: ([], to_tensor_output(model(x, training=False)))
