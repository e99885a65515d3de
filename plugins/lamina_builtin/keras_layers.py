"""Keras's own layers, registered into the catalogue with palette groups and examples."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, layers


@keras.saving.register_keras_serializable(package="lamina")
class MultiHeadSelfAttention(layers.MultiHeadAttention):
    """Multi-head self-attention: Keras's `MultiHeadAttention` with query = key = value.

    In a stack each item has one input, so this item attends a sequence to itself.
    The scores of the last call are kept in `last_attention_scores`
    (batch, heads, T, T) so they can be shown.

    Args:
        num_heads: Number of attention heads.
        key_dim: Size of each head for query and key.
        dropout: Dropout rate on the attention weights. Defaults to `0.0`.
    """

    def call(self, inputs: Any, training: Any = None) -> Any:  # type: ignore[override]
        output, scores = super().call(
            inputs, inputs, return_attention_scores=True, training=training
        )
        self.last_attention_scores = scores
        return output


_POS = {"min": 1}
_RATE = {"rate": {"min": 0.0, "max": 1.0}}
_IMG = [8, 8, 2]
_SEQ = [6, 3]

#: (class, category, example params, example input shape, schema overrides)
KERAS_LAYERS: list[tuple[type, str, dict[str, Any], list[int], dict[str, Any]]] = [
    (layers.Dense, "core", {"units": 3}, [5], {"units": _POS}),
    (layers.Activation, "core", {"activation": "relu"}, [5], {}),
    (layers.Flatten, "core", {}, _IMG, {"data_format": None}),
    (layers.Reshape, "core", {"target_shape": [4, 4, 8]}, _IMG, {}),
    (layers.Dropout, "regularization", {"rate": 0.5}, [5], {**_RATE, "noise_shape": None}),
    (
        layers.SpatialDropout2D,
        "regularization",
        {"rate": 0.3},
        _IMG,
        {**_RATE, "data_format": None},
    ),
    (
        layers.GaussianNoise,
        "regularization",
        {"stddev": 0.1},
        [5],
        {"stddev": {"type": "float", "min": 0.0}},
    ),
    (
        layers.Conv1D,
        "convolution",
        {"filters": 2, "kernel_size": 3},
        _SEQ,
        {"filters": _POS, "data_format": None},
    ),
    (
        layers.Conv2D,
        "convolution",
        {"filters": 2, "kernel_size": 3},
        _IMG,
        {"filters": _POS, "data_format": None, "padding": {"choices": ["valid", "same"]}},
    ),
    (
        layers.Conv2DTranspose,
        "convolution",
        {"filters": 2, "kernel_size": 3, "strides": 2},
        _IMG,
        {"filters": _POS, "data_format": None, "padding": {"choices": ["valid", "same"]}},
    ),
    (
        layers.SeparableConv2D,
        "convolution",
        {"filters": 2, "kernel_size": 3},
        _IMG,
        {"filters": _POS, "data_format": None, "padding": {"choices": ["valid", "same"]}},
    ),
    (
        layers.ZeroPadding2D,
        "convolution",
        {"padding": 1},
        _IMG,
        {"padding": {"type": "int_or_tuple", "choices": None}, "data_format": None},
    ),
    (layers.MaxPooling1D, "pooling", {"pool_size": 2}, _SEQ, {"data_format": None}),
    (layers.AveragePooling1D, "pooling", {"pool_size": 2}, _SEQ, {"data_format": None}),
    (
        layers.MaxPooling2D,
        "pooling",
        {"pool_size": 2},
        _IMG,
        {"data_format": None, "padding": {"choices": ["valid", "same"]}},
    ),
    (
        layers.AveragePooling2D,
        "pooling",
        {"pool_size": 2},
        _IMG,
        {"data_format": None, "padding": {"choices": ["valid", "same"]}},
    ),
    (layers.GlobalMaxPooling1D, "pooling", {}, _SEQ, {"data_format": None}),
    (layers.GlobalAveragePooling1D, "pooling", {}, _SEQ, {"data_format": None}),
    (layers.GlobalMaxPooling2D, "pooling", {}, _IMG, {"data_format": None}),
    (layers.GlobalAveragePooling2D, "pooling", {}, _IMG, {"data_format": None}),
    (layers.UpSampling1D, "pooling", {"size": 2}, _SEQ, {}),
    (
        layers.UpSampling2D,
        "pooling",
        {"size": 2},
        _IMG,
        {
            "data_format": None,
            "interpolation": {"type": "choice", "choices": ["nearest", "bilinear"]},
        },
    ),
    (layers.BatchNormalization, "normalization", {}, _IMG, {}),
    (layers.LayerNormalization, "normalization", {}, [5], {}),
    (layers.SimpleRNN, "recurrent", {"units": 3}, _SEQ, {"units": _POS}),
    (layers.LSTM, "recurrent", {"units": 3}, _SEQ, {"units": _POS}),
    (layers.GRU, "recurrent", {"units": 3}, _SEQ, {"units": _POS}),
    (
        layers.Embedding,
        "embedding",
        {"input_dim": 10, "output_dim": 4},
        [6],
        {"input_dim": _POS, "output_dim": _POS, "sparse": None},
    ),
    (layers.LeakyReLU, "activation", {"alpha": 0.2}, [5], {"alpha": {"type": "float", "min": 0.0}}),
    (layers.ELU, "activation", {}, [5], {"alpha": {"type": "float"}}),
    (layers.PReLU, "activation", {}, [5], {}),
    (layers.Softmax, "activation", {}, [5], {}),
    (
        MultiHeadSelfAttention,
        "attention",
        {"num_heads": 2, "key_dim": 4},
        _SEQ,
        {"num_heads": _POS, "key_dim": _POS, "attention_axes": None},
    ),
]

#: names under which a Keras class is registered when it differs from its class name
NAMES = {MultiHeadSelfAttention: "MultiHeadAttention"}


def register_keras_layers(register: Any) -> None:
    """Registers the Keras layers of `KERAS_LAYERS`."""
    for cls, category, params, shape, overrides in KERAS_LAYERS:
        register(
            cls,
            name=NAMES.get(cls, cls.__name__),
            category=category,
            params=overrides,
            example={
                "params": params,
                "input_shape": shape,
                "input_dtype": "int32" if cls is layers.Embedding else "float32",
            },
        )
