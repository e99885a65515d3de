"""Typed curves for visualizations that are not images: spectra, time series, learning curves.

A visualization returns its curves in ``Result.panels``, a list of `CurvePanel`; each panel
is one set of axes holding `Curve`s that share an x axis (with its name and unit) and
`LineMarker`s (named vertical lines such as Hα). `lamina.visualize.save_png` draws them.

Example:
    >>> import numpy as np
    >>> from lamina.visualize import Curve, CurvePanel, LineMarker, Result
    >>> wl = np.linspace(6400, 6700, 256)
    >>> flux = 1 + np.exp(-0.5 * ((wl - 6563) / 5) ** 2)
    >>> panel = CurvePanel(
    ...     [Curve(flux, wl, "flux"), Curve(flux - 1, wl, "saliency", kind="band")],
    ...     x_label="wavelength", x_unit="Å", markers=[LineMarker(6563, "Hα")],
    ... )
    >>> res = Result("saliency", np.zeros((0,)), panels=[panel])
    >>> res.save_png("saliency.png")  # doctest: +SKIP

Curves and panels are frozen, hold plain numpy arrays, and go through the engine's wire
as dicts (`CurvePanel.to_dict` / `CurvePanel.from_dict`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.visualize.errors import VisualizationError

#: The ways a curve can be drawn.
CURVE_KINDS = ("line", "band", "steps")


def axis_label(name: str, unit: str = "") -> str:
    """Returns an axis label such as ``"wavelength [Å]"`` (just `name` without a unit)."""
    if unit and name:
        return f"{name} [{unit}]"
    return name or (f"[{unit}]" if unit else "")


@dataclass(frozen=True, eq=False)
class Curve:
    """One curve: values `y` against `x` (the index 0..N-1 when `x` is None).

    Args:
        y: The values (1-D).
        x: Their positions on the x axis (same length), e.g. wavelengths. Defaults to
            `None` (the index).
        label: The legend entry. Defaults to ``""`` (no entry).
        kind: ``"line"`` (a line), ``"band"`` (a coloured band filled from zero under the
            signal on the same x axis, with its own y scale: attributions) or ``"steps"``
            (a step line, for binned values). Defaults to ``"line"``.

    Raises:
        VisualizationError: If `kind` is unknown, `y` is not 1-D or `x` differs in length.
    """

    y: np.ndarray
    x: np.ndarray | None = None
    label: str = ""
    kind: str = "line"

    def __post_init__(self) -> None:
        y = np.asarray(self.y, dtype="float64")
        if y.ndim > 1:
            y = np.squeeze(y)
        if y.ndim != 1:
            raise VisualizationError(
                f"curve {self.label!r}: y must be 1-D, got shape {np.shape(self.y)}"
            )
        object.__setattr__(self, "y", y)
        if self.x is not None:
            x = np.asarray(self.x, dtype="float64").reshape(-1)
            if x.shape != y.shape:
                raise VisualizationError(
                    f"curve {self.label!r}: x has {x.size} values but y has {y.size}"
                )
            object.__setattr__(self, "x", x)
        if self.kind not in CURVE_KINDS:
            raise VisualizationError(
                f"curve {self.label!r}: unknown kind {self.kind!r}; "
                f"valid kinds: {', '.join(CURVE_KINDS)}"
            )

    @property
    def xs(self) -> np.ndarray:
        """The x values (the index when `x` is None)."""
        return self.x if self.x is not None else np.arange(self.y.size, dtype="float64")

    def to_dict(self) -> dict[str, Any]:
        """Returns the curve as JSON-safe data."""
        return {
            "y": self.y.tolist(),
            "x": None if self.x is None else self.x.tolist(),
            "label": self.label,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Curve:
        """Returns the curve written by `to_dict`."""
        return cls(data["y"], data.get("x"), data.get("label", ""), data.get("kind", "line"))


@dataclass(frozen=True)
class LineMarker:
    """A named vertical line at `x` (e.g. Hα at its observed wavelength).

    Args:
        x: Its position on the x axis.
        label: Its name, written next to the line.
    """

    x: float
    label: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", float(self.x))

    def to_dict(self) -> dict[str, Any]:
        """Returns the marker as JSON-safe data."""
        return {"x": self.x, "label": self.label}


@dataclass(frozen=True, eq=False)
class CurvePanel:
    """One set of axes: curves on a shared x axis, with labels, units and markers.

    Args:
        curves: The `Curve`s drawn in this panel.
        title: The panel's title. Defaults to ``""``.
        x_label: The x axis's name (``"wavelength"``, ``"epoch"``). Defaults to ``""``.
        y_label: The y axis's name (``"flux"``). Defaults to ``""``.
        x_unit: The x axis's unit (``"Å"``); the axis reads ``"wavelength [Å]"``.
            Defaults to ``""``.
        y_unit: The y axis's unit. Defaults to ``""``.
        markers: Named vertical lines (`LineMarker`). Defaults to none.
        log_y: A logarithmic y axis. Defaults to `False`.
        spans: Shaded x ranges ``(start, stop, label)``, e.g. where a model over-fits.
            Defaults to none.
    """

    curves: Sequence[Curve]
    title: str = ""
    x_label: str = ""
    y_label: str = ""
    x_unit: str = ""
    y_unit: str = ""
    markers: Sequence[LineMarker] = ()
    log_y: bool = False
    spans: Sequence[tuple[float, float, str]] = field(default=())

    def __post_init__(self) -> None:
        curves = tuple(self.curves)
        bad = [c for c in curves if not isinstance(c, Curve)]
        if bad:
            raise VisualizationError(
                f"panel {self.title!r}: curves must be Curve objects, got {type(bad[0]).__name__}"
            )
        object.__setattr__(self, "curves", curves)
        object.__setattr__(self, "markers", tuple(self.markers))
        object.__setattr__(
            self, "spans", tuple((float(a), float(b), str(t)) for a, b, t in self.spans)
        )

    @property
    def x_axis_label(self) -> str:
        """The x axis's label, e.g. ``"wavelength [Å]"``."""
        return axis_label(self.x_label, self.x_unit)

    @property
    def y_axis_label(self) -> str:
        """The y axis's label."""
        return axis_label(self.y_label, self.y_unit)

    def to_dict(self) -> dict[str, Any]:
        """Returns the panel as JSON-safe data (for the engine's wire and run records)."""
        return {
            "curves": [c.to_dict() for c in self.curves],
            "title": self.title,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "x_unit": self.x_unit,
            "y_unit": self.y_unit,
            "markers": [m.to_dict() for m in self.markers],
            "log_y": self.log_y,
            "spans": [list(s) for s in self.spans],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurvePanel:
        """Returns the panel written by `to_dict`."""
        return cls(
            [Curve.from_dict(c) for c in data.get("curves", [])],
            title=data.get("title", ""),
            x_label=data.get("x_label", ""),
            y_label=data.get("y_label", ""),
            x_unit=data.get("x_unit", ""),
            y_unit=data.get("y_unit", ""),
            markers=[LineMarker(m["x"], m["label"]) for m in data.get("markers", [])],
            log_y=bool(data.get("log_y", False)),
            spans=[tuple(s) for s in data.get("spans", [])],
        )


def panels_from_dicts(items: Iterable[dict[str, Any]] | None) -> list[CurvePanel]:
    """Returns the panels of a result that went through the wire (``meta["panels"]``)."""
    return [CurvePanel.from_dict(d) for d in items or []]
