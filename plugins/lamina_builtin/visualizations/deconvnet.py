"""The deconvnet of Zeiler & Fergus (2014): project an activation back to pixel space.

Starting from one feature map (all other activations of the layer set to zero), the
signal goes back through the model layer by layer, in reverse order of the forward
pass, with the deconvnet's rules:

- max pooling -> **max unpooling** with the switches recorded in the forward pass
  (each value goes back to the position of the maximum it came from);
- ReLU -> **rectification** of the backward signal (``relu(signal)``);
- convolution -> **transposed filtering** with the same filters (``conv_transpose``);
- Dense -> multiplication by the transposed weights;
- batch normalization (inference) -> the transpose of its per-channel affine map,
  a multiplication by ``gamma / sqrt(var + eps)``;
- dropout and noise -> identity; flatten/reshape -> reshape; add -> the signal goes
  to every branch (and is summed where the branches started).

Layers without a rule here (e.g. lamina's ``ResidualBlock``) are crossed with their
vector-Jacobian product, with every ReLU inside them switched to the deconvnet rule;
their names are listed in ``meta["generic_layers"]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.keras import keras, tf
from lamina.visualize.layers import (
    check_filter,
    prepare_input,
    resolve_layer,
    to_display,
)
from lamina.visualize.result import Result
from lamina_builtin.visualizations._relu import is_relu, swapped_relus
from lamina_builtin.visualizations.gradients import peak, stack_pair
from lamina_builtin.visualizations.signals import as_curves

_IDENTITY = {
    "Dropout",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
}


def _inbound(layer: Any) -> list[Any]:
    """The layers whose outputs feed `layer` (first call of the layer)."""
    inputs = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
    return [t._keras_history.layer for t in inputs]


def _ancestors(model: Any, target: Any) -> list[Any]:
    """Layers from the input to `target`, in forward (topological) order."""
    seen: set[int] = set()
    stack = [target]
    while stack:
        la = stack.pop()
        if id(la) in seen:
            continue
        seen.add(id(la))
        if type(la).__name__ != "InputLayer":
            stack.extend(_inbound(la))
    order = [model.inputs[0]._keras_history.layer, *model.layers]
    out, done = [], set()
    for la in order:
        if id(la) in seen and id(la) not in done:
            out.append(la)
            done.add(id(la))
    return out


def _rectify_if_relu(layer: Any, s: Any) -> Any:
    act = getattr(layer, "activation", None)
    return tf.nn.relu(s) if act is not None and is_relu(act) else s


def _unpool(layer: Any, s: Any, x_in: Any) -> Any:
    """Max unpooling with the switches of the forward pass."""
    one_d = len(x_in.shape) == 3
    xi = x_in[:, None] if one_d else x_in
    pool = layer.pool_size if isinstance(layer.pool_size, (list, tuple)) else (layer.pool_size,)
    strides = layer.strides if isinstance(layer.strides, (list, tuple)) else (layer.strides,)
    if one_d:
        pool, strides = (1, pool[0]), (1, strides[0])
    _, switches = tf.nn.max_pool_with_argmax(
        xi,
        ksize=list(pool),
        strides=list(strides),
        padding=layer.padding.upper(),
        include_batch_in_index=True,
    )
    size = tf.cast(tf.size(xi), tf.int64)
    flat = tf.scatter_nd(tf.reshape(switches, [-1, 1]), tf.reshape(s, [-1]), [size])
    out = tf.reshape(flat, tf.shape(xi))
    return out[:, 0] if one_d else out


def _back(layer: Any, s: Any, x_in: list[Any], generic: list[str]) -> list[Any]:
    """The deconvnet's backward step through one layer: signals for each input."""
    cls = type(layer).__name__
    x0 = x_in[0]
    if cls in _IDENTITY:
        return [s]
    if cls in ("Conv2D", "Conv1D") and getattr(layer, "groups", 1) == 1:
        s = _rectify_if_relu(layer, s)
        if cls == "Conv2D":
            out = tf.nn.conv2d_transpose(
                s,
                layer.kernel,
                output_shape=tf.shape(x0),
                strides=layer.strides,
                padding=layer.padding.upper(),
                dilations=layer.dilation_rate,
            )
        else:
            out = tf.nn.conv1d_transpose(
                s,
                layer.kernel,
                output_shape=tf.shape(x0),
                strides=layer.strides[0],
                padding=layer.padding.upper(),
                dilations=layer.dilation_rate[0],
            )
        return [out]
    if cls == "Dense" and len(x0.shape) == 2:
        s = _rectify_if_relu(layer, s)
        return [tf.matmul(s, layer.kernel, transpose_b=True)]
    if cls in ("MaxPooling2D", "MaxPooling1D"):
        return [_unpool(layer, s, x0)]
    if cls in ("ReLU", "Activation"):
        if cls == "ReLU" or is_relu(layer.activation):
            return [tf.nn.relu(s)]
        return [s]
    if cls == "BatchNormalization" and layer.axis in ([-1], [len(x0.shape) - 1], -1):
        scale = tf.math.rsqrt(layer.moving_variance + layer.epsilon)
        if layer.gamma is not None:
            scale = scale * layer.gamma
        return [s * scale]
    if cls in ("Flatten", "Reshape"):
        return [tf.reshape(s, tf.shape(x0))]
    if cls == "Add":
        return [s for _ in x_in]
    if cls == "Concatenate":
        sizes = [int(x.shape[layer.axis]) for x in x_in]
        return list(tf.split(s, sizes, axis=layer.axis))
    # generic: vector-Jacobian product with deconvnet ReLUs inside
    generic.append(layer.name)
    xs = [tf.convert_to_tensor(x) for x in x_in]
    with swapped_relus(layer, "deconv"), tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = layer(xs if len(xs) > 1 else xs[0], training=False)
    grads = tape.gradient(y, xs, output_gradients=s)
    return [tf.zeros_like(x) if g is None else g for g, x in zip(grads, xs, strict=True)]


def deconvnet(
    model: Any,
    input: Any,
    layer: str | int | None = None,
    filter: int | None = None,
    unit: str = "max",
    axis: Any = None,
) -> Result:
    """Deconvnet projection (Zeiler & Fergus) of one feature map back to pixel space.

    The forward pass records every layer's input (and thus the max-pooling switches);
    the chosen activation then travels back through unpooling, rectification and
    transposed filtering with the same filters. See the module docs for every rule.

    Args:
        input: One input sample.
        layer: Layer name or index; defaults to the last spatial layer.
        filter: The feature map to project; defaults to the one holding the layer's
            strongest activation (the top unit).
        unit: ``"max"`` projects only the strongest activation of the map (as in the
            paper's figures); ``"all"`` projects the whole map. Defaults to `"max"`.
        axis: The axis of a 1-D input (`lamina.visualize.axis.SignalAxis` or its dict),
            filled from the data set by ``lamina viz`` and the app; 1-D results are
            drawn as curves against it. Defaults to `None` (the index).
    """
    chosen = resolve_layer(model, layer, spatial=layer is None)
    check_filter(chosen, filter)
    if unit not in ("max", "all"):
        raise ValueError(f"unit must be 'max' or 'all', got {unit!r}")
    x = prepare_input(model, input)
    path = _ancestors(model, chosen)
    inner = [la for la in path if type(la).__name__ != "InputLayer"]
    recorder = keras.Model(model.inputs, [la.output for la in inner])
    outs = recorder(x, training=False)
    outs = outs if isinstance(outs, (list, tuple)) else [outs]
    value: dict[int, Any] = {id(la): o for la, o in zip(inner, outs, strict=True)}
    value[id(path[0])] = tf.convert_to_tensor(x)

    act = np.asarray(value[id(chosen)])[0]
    if filter is None:
        filter = int(np.unravel_index(int(np.argmax(act)), act.shape)[-1])
    fmap = act[..., filter]
    mask = np.zeros_like(act)
    if unit == "max":
        pos = np.unravel_index(int(np.argmax(fmap)), fmap.shape)
        mask[(*pos, filter)] = fmap[pos]
    else:
        pos = ()
        mask[..., filter] = fmap
    signal: dict[int, Any] = {id(chosen): tf.convert_to_tensor(mask[None])}
    generic: list[str] = []
    for la in reversed(inner):
        s = signal.pop(id(la), None)
        if s is None:
            continue
        sources = _inbound(la)
        back = _back(la, s, [value[id(src)] for src in sources], generic)
        for src, b in zip(sources, back, strict=True):
            signal[id(src)] = signal[id(src)] + b if id(src) in signal else b
    recon = np.asarray(signal.get(id(path[0]), tf.zeros_like(x)))[0]
    strength = np.abs(recon).sum(axis=-1)
    img = to_display(recon)
    where = f" at {tuple(int(p) for p in pos)}" if pos else ""
    res = Result(
        "deconvnet",
        stack_pair(to_display(x[0]), img),
        ["input", f"{chosen.name}[{filter}]{where}"],
        {
            "layer": chosen.name,
            "filter": filter,
            "unit": unit,
            "position": [int(p) for p in pos],
            "activation": float(fmap.max()),
            "map": recon,
            "peak": peak(strength),
            "generic_layers": generic,
            "cmap": "gray",
            "suptitle": f"deconvnet projection of {chosen.name}[{filter}]",
        },
    )
    return as_curves(res, x, axis)
