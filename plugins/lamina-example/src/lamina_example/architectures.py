"""The example architecture template: an MLP for photometry."""

from __future__ import annotations

from typing import Any


def photometry_mlp(
    n_bands: int = 5,
    hidden_units: tuple[int, ...] = (32, 32),
    softening: float = 1.0,
    learning_rate: float = 0.003,
    epochs: int = 60,
) -> dict[str, Any]:
    """Fluxes in a few bands -> a positive quantity (e.g. a star's temperature).

    The fluxes go through `example.AsinhStretch` (log-like for bright sources, linear
    near zero), then Dense layers, then `example.PositiveHead` with its default loss.

    Args:
        n_bands: Number of photometric bands (input features). Defaults to `5`.
        hidden_units: Width of each hidden layer. Defaults to `(32, 32)`.
        softening: Initial softening of the asinh stretch. Defaults to `1.0`.
        learning_rate: Learning rate of Adam. Defaults to `0.003`.
        epochs: Number of training epochs. Defaults to `60`.
    """
    if n_bands < 1:
        raise ValueError(f"n_bands must be a positive integer. Received: n_bands={n_bands}")
    items: list[dict[str, Any]] = [
        {"type": "example.AsinhStretch", "params": {"softening": softening}}
    ]
    for units in hidden_units:
        items.append({"type": "Dense", "params": {"units": units, "activation": "relu"}})
    items.append({"type": "example.PositiveHead", "params": {"units": 1}})
    return {
        "spec_version": 1,
        "name": "photometry_mlp",
        "description": "Fluxes -> asinh stretch -> MLP -> a positive value.",
        "input": {"shape": [n_bands], "dtype": "float32"},
        "layers": items,
        "compile": {
            "loss": None,  # the head's default: example.log_cosh_relative
            "optimizer": {"type": "Adam", "params": {"learning_rate": learning_rate}},
            "metrics": ["mae"],
        },
        "training": {"epochs": epochs, "batch_size": 32},
    }
