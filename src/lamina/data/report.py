"""Plain-text lines that say what a training run's data are, for the CLI and the run log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Classes listed with their counts before "... (N classes)".
MAX_CLASSES_SHOWN = 12


def data_report(
    dataset: Mapping[str, Any],
    parts: Mapping[str, Any] | None = None,
    given: Sequence[str] = (),
) -> list[str]:
    """Describes a dataset and its split in two or three lines.

    Example:
        >>> data_report(ds.summary(), splits.summary(), splits.given)
        ['data: digits: 1797 samples, x (1797, 8, 8, 1) float32, y (1797,) int64',
         'classes: 0 178, 1 182, ...',
         'split: train 1257, validation 360, test 180 (drawn by fractions)']

    Args:
        dataset: `Dataset.summary()`.
        parts: `Splits.summary()`, or None before the split.
        given: `Splits.given`: the parts the data named.
    """
    source = dataset.get("source") or ""
    name = dataset.get("name", "data")
    where = f" ({source})" if source and source != name else ""
    y = (
        f", y {tuple(dataset['y_shape'])} {dataset['y_dtype']}"
        if dataset.get("y_shape") is not None
        else ", no targets"
    )
    lines = [
        f"data: {name}{where}: {dataset.get('n', '?')} samples, "
        f"x {tuple(dataset.get('x_shape') or ())} {dataset.get('x_dtype', '?')}{y}, "
        f"task {dataset.get('task', '?')}"
    ]
    counts = dataset.get("class_counts") or {}
    if counts:
        shown = [f"{c} {k}" for c, k in list(counts.items())[:MAX_CLASSES_SHOWN]]
        more = f", ... ({len(counts)} classes)" if len(counts) > MAX_CLASSES_SHOWN else ""
        lines.append("classes: " + ", ".join(shown) + more)
    if parts is not None:
        sizes = ", ".join(
            f"{part} {(parts.get(part) or {}).get('n', 0)}"
            for part in ("train", "validation", "test")
        )
        how = _how_split(given)
        lines.append(f"split: {sizes} ({how})")
    return lines


def _how_split(given: Sequence[str]) -> str:
    named = [p for p in ("validation", "test") if p in given]
    if not named:
        return "drawn by fractions"
    if len(named) == 2:
        return "as given by the data"
    other = "test" if named == ["validation"] else "validation"
    return f"{named[0]} given by the data, {other} drawn from its training samples"
