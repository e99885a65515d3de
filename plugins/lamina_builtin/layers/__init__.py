"""lamina's own layers and blocks, registered in the built-in catalogue.

Each layer lives in its own module; `register_custom_layers` registers them all with
the `register` callback of the `register_layers` hook.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lamina_builtin.layers.maxout import Maxout
from lamina_builtin.layers.positional_encoding import PositionalEncoding, sinusoidal_encoding
from lamina_builtin.layers.residual_block import ResidualBlock
from lamina_builtin.layers.square_sum_pooling1d import SquareSumPooling1D
from lamina_builtin.layers.square_sum_pooling2d import SquareSumPooling2D
from lamina_builtin.layers.sum_pooling1d import SumPooling1D
from lamina_builtin.layers.sum_pooling2d import SumPooling2D
from lamina_builtin.layers.transformer_encoder import TransformerEncoder
from lamina_builtin.layers.unet import UNet

__all__ = [
    "CUSTOM_LAYERS",
    "Maxout",
    "PositionalEncoding",
    "ResidualBlock",
    "SquareSumPooling1D",
    "SquareSumPooling2D",
    "SumPooling1D",
    "SumPooling2D",
    "TransformerEncoder",
    "UNet",
    "register_custom_layers",
    "sinusoidal_encoding",
]

# (class, category, summary, example): the example is small and valid, as the
# registry-wide test builds, saves and reloads every entry with it.
CUSTOM_LAYERS: list[tuple[type, str, str, dict[str, Any]]] = [
    (
        SumPooling1D,
        "pooling",
        "Sum over a sliding window of steps (average pooling without the division).",
        {"params": {"pool_size": 2}, "input_shape": [8, 3]},
    ),
    (
        SumPooling2D,
        "pooling",
        "Sum over a sliding 2D window (average pooling without the division).",
        {"params": {"pool_size": 2}, "input_shape": [8, 8, 2]},
    ),
    (
        SquareSumPooling1D,
        "pooling",
        "Sum of squares over a sliding window of steps; L2 pooling with sqrt=True.",
        {"params": {"pool_size": 2, "sqrt": True}, "input_shape": [8, 3]},
    ),
    (
        SquareSumPooling2D,
        "pooling",
        "Sum of squares over a sliding 2D window; L2 pooling with sqrt=True.",
        {"params": {"pool_size": 2}, "input_shape": [8, 8, 2]},
    ),
    (
        Maxout,
        "dense",
        "Maximum over several linear pieces per unit (Goodfellow et al., 2013).",
        {"params": {"units": 4, "pieces": 3}, "input_shape": [6]},
    ),
    (
        PositionalEncoding,
        "attention",
        "Adds a sinusoidal or learned positional encoding to a sequence.",
        {"params": {"max_length": 16}, "input_shape": [10, 8]},
    ),
    (
        TransformerEncoder,
        "attention",
        "Transformer encoder block: self-attention and feed-forward, residual + norm.",
        {
            "params": {"num_heads": 2, "key_dim": 4, "ff_dim": 16, "dropout": 0.0},
            "input_shape": [6, 8],
        },
    ),
    (
        ResidualBlock,
        "block",
        "ResNet basic block: two convolutions with batch norm and a shortcut.",
        {"params": {"filters": 4, "strides": 2}, "input_shape": [8, 8, 3]},
    ),
    (
        UNet,
        "block",
        "A whole U-Net: encoder, decoder and skip connections, as one item.",
        {"params": {"depth": 1, "base_filters": 2, "out_channels": 1}, "input_shape": [8, 8, 1]},
    ),
]


def register_custom_layers(register: Callable[..., Any]) -> None:
    """Registers lamina's own layers and blocks with a `register_layers` callback.

    Args:
        register: The callback of the `register_layers` hook, called as
            `register(cls, category=..., summary=..., example=...)`.
    """
    for cls, category, summary, example in CUSTOM_LAYERS:
        register(cls, category=category, summary=summary, example=example)
