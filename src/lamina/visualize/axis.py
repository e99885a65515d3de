"""The axis of a 1-D signal (wavelength, time, frequency) and its named lines.

A data set declares the axis of its samples in ``extras["axis"]`` (plain data, so it can
live in a file's metadata as well as in a generator)::

    extras["axis"] = {
        "name": "wavelength",          # the axis's name
        "unit": "Å",                   # its unit ("" for none)
        "values": "wavelength",        # an extras key holding the (L,) values, or a list
        "signal": "flux",              # what the samples are (the y axis), optional
        "lines": {"Hα": 6563.0},       # named positions at rest, optional
        "redshift": "redshift",        # a per-sample extras key: lines at rest * (1 + z)
    }

Visualizations that take an ``axis`` parameter receive a `SignalAxis` (``lamina viz``, the
app and `lamina.visualize.runs.visualize_run` fill it from the run's data set); in a
script, build it with `SignalAxis.of`. Without a declaration a signal is drawn against
its index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from lamina.visualize.curves import LineMarker, axis_label
from lamina.visualize.errors import VisualizationError


@dataclass(frozen=True, eq=False)
class SignalAxis:
    """The x axis of 1-D samples: name, unit, values and named lines.

    Args:
        name: The axis's name. Defaults to ``"index"``.
        unit: Its unit. Defaults to ``""``.
        values: ``(L,)`` positions of the samples' pixels; None for the index.
        signal: What the samples' values are (``"flux"``). Defaults to ``""``.
        lines: Named positions at rest (``{"Hα": 6563.0}``). Defaults to none.
        redshift: One redshift per sample the visualization is given (the input, or
            each row of ``data``); lines are drawn at ``rest * (1 + z)``. None: at rest.
    """

    name: str = "index"
    unit: str = ""
    values: np.ndarray | None = None
    signal: str = ""
    lines: Mapping[str, float] = field(default_factory=dict)
    redshift: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.values is not None:
            object.__setattr__(self, "values", np.asarray(self.values, dtype="float64").ravel())
        if self.redshift is not None:
            z = np.atleast_1d(np.asarray(self.redshift, dtype="float64")).ravel()
            object.__setattr__(self, "redshift", z)
        object.__setattr__(self, "lines", {str(k): float(v) for k, v in self.lines.items()})

    @property
    def label(self) -> str:
        """The axis label, e.g. ``"wavelength [Å]"``."""
        return axis_label(self.name, self.unit)

    def positions(self, length: int, full: int | None = None) -> np.ndarray:
        """Returns the x values of `length` pixels spread over the whole signal.

        A feature map shorter than the input (after pooling) gets the positions of the
        centres of the input stretches its pixels cover.

        Args:
            length: The number of pixels to place.
            full: The input's length when the axis has no values (the index).
        """
        n = self.values.size if self.values is not None else int(full or length)
        centres = (np.arange(length) + 0.5) * (n / length) - 0.5
        if self.values is None:
            return centres
        if length == n:
            return np.asarray(self.values)
        return np.interp(centres, np.arange(n), self.values)

    def step(self) -> float:
        """The mean distance between neighbouring pixels (1 for the index)."""
        if self.values is None or self.values.size < 2:
            return 1.0
        return float((self.values[-1] - self.values[0]) / (self.values.size - 1))

    def markers(self, sample: int = 0) -> list[LineMarker]:
        """Returns the named lines of sample `sample` (shifted by its redshift)."""
        z = 0.0
        if self.redshift is not None and self.redshift.size:
            z = float(self.redshift[min(sample, self.redshift.size - 1)])
        return [LineMarker(rest * (1.0 + z), name) for name, rest in self.lines.items()]

    def for_samples(self, indices: int | Sequence[int]) -> SignalAxis:
        """Returns the axis with the redshifts of the samples at `indices` only."""
        if self.redshift is None:
            return self
        idx = np.atleast_1d(np.asarray(indices, dtype=np.int64))
        return replace(self, redshift=self.redshift[idx])

    def to_dict(self) -> dict[str, Any]:
        """Returns the axis as JSON-safe data."""
        return {
            "name": self.name,
            "unit": self.unit,
            "values": None if self.values is None else self.values.tolist(),
            "signal": self.signal,
            "lines": dict(self.lines),
            "redshift": None if self.redshift is None else self.redshift.tolist(),
        }

    @classmethod
    def coerce(cls, value: Any) -> SignalAxis | None:
        """Returns `value` as a `SignalAxis` (from a dict such as `to_dict` writes)."""
        if value is None or isinstance(value, SignalAxis):
            return value
        if isinstance(value, Mapping):
            known = {"name", "unit", "values", "signal", "lines", "redshift"}
            unknown = sorted(set(value) - known)
            if unknown:
                raise VisualizationError(
                    f"axis: unknown key {unknown[0]!r}; valid keys: {', '.join(sorted(known))}"
                )
            return cls(**{k: v for k, v in value.items() if v is not None or k == "values"})
        raise VisualizationError(f"axis must be a SignalAxis or a dict, got {type(value).__name__}")

    @classmethod
    def of(cls, dataset: Any, samples: int | Sequence[int] | None = None) -> SignalAxis | None:
        """Returns the axis a data set declares in ``extras["axis"]`` (None without one).

        Args:
            dataset: A `lamina.data.Dataset`.
            samples: The samples the visualization will see (their redshifts are kept);
                None keeps every sample's.

        Raises:
            VisualizationError: If the declaration names an extras key the data set
                lacks or has values of the wrong length.
        """
        extras = getattr(dataset, "extras", None) or {}
        decl = extras.get("axis")
        if not decl:
            return None
        where = f"{getattr(dataset, 'source', '') or getattr(dataset, 'name', 'dataset')}"
        if not isinstance(decl, Mapping):
            raise VisualizationError(f"{where}: extras['axis'] must be a dict, got {decl!r}")
        values = _lookup(extras, decl.get("values"), where, "values")
        x = np.asarray(dataset.x)
        if values is not None and x.ndim >= 2 and np.size(values) != x.shape[1]:
            raise VisualizationError(
                f"{where}: the axis has {np.size(values)} values but the samples have "
                f"{x.shape[1]} pixels"
            )
        redshift = _lookup(extras, decl.get("redshift"), where, "redshift")
        axis = cls(
            name=str(decl.get("name", "index")),
            unit=str(decl.get("unit", "")),
            values=values,
            signal=str(decl.get("signal", "")),
            lines=dict(decl.get("lines") or {}),
            redshift=redshift,
        )
        return axis if samples is None else axis.for_samples(samples)


def _lookup(extras: Mapping[str, Any], ref: Any, where: str, what: str) -> Any:
    if ref is None:
        return None
    if isinstance(ref, str):
        if ref not in extras:
            raise VisualizationError(
                f"{where}: extras['axis'][{what!r}] names {ref!r}, which is not in the data "
                f"set's extras ({', '.join(sorted(extras))})"
            )
        return np.asarray(extras[ref])
    return np.asarray(ref)
