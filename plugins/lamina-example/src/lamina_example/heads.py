"""The example head: a positive output for fluxes, temperatures, counts..."""

from __future__ import annotations

from typing import Any

from lamina.keras import layers


def PositiveHead(units: int = 1) -> list[Any]:  # noqa: N802 - a catalogue name
    """A Dense layer followed by softplus: outputs that are always positive.

    For targets that cannot be negative (fluxes, temperatures, masses). Unless the spec
    names a loss, `example.log_cosh_relative` is compiled with it.

    Args:
        units: Number of positive values predicted per sample. Defaults to `1`.
    """
    if units < 1:
        raise ValueError(f"units must be a positive integer. Received: units={units}")
    return [layers.Dense(units), layers.Activation("softplus")]
