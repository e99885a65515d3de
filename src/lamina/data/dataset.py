"""The in-memory dataset that every data source of lamina returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from lamina.data.errors import DataError

#: The tasks a dataset can be made for.
TASKS = ("classification", "regression", "reconstruction", "segmentation", "forecast")

#: How many offending positions an error message lists before "...".
MAX_REPORTED = 5

#: Cell texts (lower case) that mean "no value".
MISSING_CELLS = ("", "na", "n/a", "nan", "null", "none")

#: The parts a dataset is split into, and the other names a file may use for them.
SPLIT_PARTS = ("train", "validation", "test")
SPLIT_ALIASES = {
    "train": "train",
    "training": "train",
    "validation": "validation",
    "val": "validation",
    "valid": "validation",
    "test": "test",
    "testing": "test",
}


@dataclass
class Dataset:
    """Features, targets and metadata of one dataset, held in memory.

    Args:
        x: Features, ``(n, ...)`` float32: images channels-last ``(n, h, w, c)``,
            spectra ``(n, L, 1)``, sequences ``(n, T, F)``, tables ``(n, F)``.
        y: Targets or None: int labels ``(n,)`` for classification, floats ``(n,)`` or
            ``(n, k)`` for regression and forecasts, arrays for reconstruction and
            segmentation (a segmentation mask holds int class indices).
        name: A short name (the generator or the file stem).
        task: One of `TASKS`.
        class_names: Names of the classes, index = label (classification, segmentation).
        feature_names: Names of the features (tables).
        description: A sentence or two for the app.
        source: File path or generator name; used in every error message.
        extras: Anything else, e.g. ground-truth noise sigma or feature positions.
            Per-sample arrays (first dimension ``n``) are sliced along with the
            samples by `subset`; list their keys in ``extras["per_sample"]`` to be
            explicit (otherwise every array with first dimension ``n`` counts).
        split: The part each sample belongs to when the data come split (a file's
            ``split`` column, ``x_train``/``x_test`` arrays, ``train/`` and ``test/``
            folders): ``"train"``, ``"validation"`` or ``"test"`` per sample (``val``,
            ``valid``, ``training`` and ``testing`` are read too). `split_dataset`
            keeps the parts it names. Defaults to None (split by fractions).

    Example:
        >>> ds = Dataset(x=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]), name="toy",
        ...              task="classification", class_names=["a", "b"])
        >>> ds.summary()["class_counts"]
        {'a': 2, 'b': 2}
    """

    x: np.ndarray
    y: np.ndarray | None
    name: str
    task: str
    class_names: list[str] | None = None
    feature_names: list[str] | None = None
    description: str = ""
    source: str = ""
    extras: dict = field(default_factory=dict)
    split: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not self.source:
            self.source = self.name
        if self.task not in TASKS:
            raise DataError(
                f"unknown task {self.task!r}; expected one of {', '.join(TASKS)}",
                source=self.source,
            )
        self.x = _as_float32(self.x, "x", self.source)
        if self.x.ndim < 1:
            raise DataError("x must have a sample dimension, got a scalar", source=self.source)
        if self.y is not None:
            self.y = np.asarray(self.y)
            if self.y.ndim < 1 or len(self.y) != len(self.x):
                raise DataError(
                    f"x has {len(self.x)} samples but y has "
                    f"{len(self.y) if self.y.ndim else 'no'} (shapes {self.x.shape} and "
                    f"{self.y.shape})",
                    source=self.source,
                )
            if self.task in ("classification", "segmentation"):
                self.y = _as_labels(self.y, self.source)
            elif self.y.dtype.kind in "biuf" and self.y.dtype != np.float32:
                self.y = self.y.astype(np.float32)
        if self.class_names is not None:
            self.class_names = [str(c) for c in self.class_names]
        if self.feature_names is not None:
            self.feature_names = [str(c) for c in self.feature_names]
        if self.split is not None:
            self.split = normalize_split(self.split, len(self.x), self.source)

    # ------------------------------------------------------------------ properties
    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def n(self) -> int:
        """The number of samples."""
        return len(self)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one sample of `x` (the model's input shape)."""
        return tuple(int(d) for d in self.x.shape[1:])

    @property
    def n_classes(self) -> int | None:
        """The number of classes (classification, segmentation), else None."""
        if self.class_names is not None:
            return len(self.class_names)
        if self.task in ("classification", "segmentation") and self.y is not None and self.y.size:
            return int(self.y.max()) + 1
        return None

    def class_counts(self) -> dict[str, int]:
        """Returns ``{class name: number of samples}`` (pixels for segmentation)."""
        if self.y is None or self.task not in ("classification", "segmentation"):
            return {}
        n_classes = self.n_classes or 0
        counts = np.bincount(self.y.ravel().astype(np.int64), minlength=n_classes)
        names = self.class_names or [str(i) for i in range(len(counts))]
        return {(names[i] if i < len(names) else str(i)): int(c) for i, c in enumerate(counts)}

    # ------------------------------------------------------------------ derived datasets
    def per_sample_keys(self) -> list[str]:
        """Returns the keys of `extras` that hold one entry per sample."""
        if "per_sample" in self.extras:
            return [k for k in self.extras["per_sample"] if k in self.extras]
        return [
            k
            for k, v in self.extras.items()
            if isinstance(v, np.ndarray) and v.ndim >= 1 and len(v) == len(self)
        ]

    def subset(self, indices: Sequence[int] | np.ndarray, name: str | None = None) -> Dataset:
        """Returns the samples at `indices` (per-sample extras are sliced too).

        Args:
            indices: Integer indices or a boolean mask.
            name: The new dataset's name. Defaults to this dataset's name.
        """
        idx = np.asarray(indices)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.int64)
        extras = dict(self.extras)
        for key in self.per_sample_keys():
            extras[key] = np.asarray(self.extras[key])[idx]
        return replace(
            self,
            x=self.x[idx],
            y=None if self.y is None else self.y[idx],
            name=name or self.name,
            extras=extras,
            split=None if self.split is None else self.split[idx],
        )

    def split_counts(self) -> dict[str, int] | None:
        """Returns ``{part: number of samples}`` of a split given by the data, or None."""
        if self.split is None:
            return None
        return {part: int(np.count_nonzero(self.split == part)) for part in SPLIT_PARTS}

    # ------------------------------------------------------------------ reports
    def summary(self) -> dict[str, Any]:
        """Returns a JSON-serialisable description: sizes, dtypes, classes, task, source."""
        out: dict[str, Any] = {
            "name": self.name,
            "task": self.task,
            "source": self.source,
            "description": self.description,
            "n": len(self),
            "x_shape": list(self.x.shape),
            "x_dtype": str(self.x.dtype),
            "y_shape": None if self.y is None else list(self.y.shape),
            "y_dtype": None if self.y is None else str(self.y.dtype),
            "class_names": self.class_names,
            "class_counts": self.class_counts() or None,
            "feature_names": self.feature_names,
            "extras": sorted(str(k) for k in self.extras),
            "split_counts": self.split_counts(),
        }
        if self.x.size:
            finite = np.isfinite(self.x)
            if finite.any():
                values = self.x[finite]
                out["x_range"] = [float(values.min()), float(values.max())]
        if self.y is not None and self.y.size and self.y.dtype.kind == "f":
            finite_y = self.y[np.isfinite(self.y)]
            if finite_y.size:
                out["y_range"] = [float(finite_y.min()), float(finite_y.max())]
        return out

    def validate(self, input_shape: tuple | None = None, n_outputs: int | None = None) -> None:
        """Checks the data, alone and against a model; raises `DataError` on a problem.

        Checks, in order: NaN/inf values in `x` and `y` (naming the first few rows and
        columns), the shape of one sample against the model's `input_shape` (a leading
        batch dimension of None is ignored; None matches any size), and for
        classification and segmentation that every label fits the model's
        `n_outputs` (``n_outputs=1`` means a sigmoid output: labels 0 and 1).

        Args:
            input_shape: The model's input shape, e.g. ``(64, 64, 1)``. Defaults to
                no check.
            n_outputs: The number of outputs of the model (classes). Defaults to no
                check.

        Raises:
            DataError: Naming the source and the first offending rows, columns or labels.
        """
        self._check_finite(self.x, "x")
        if self.y is not None and self.y.dtype.kind == "f":
            self._check_finite(self.y, "y")
        if input_shape is not None:
            self._check_input_shape(tuple(input_shape))
        if n_outputs is not None:
            self._check_labels(int(n_outputs))

    def _column_name(self, flat_index: int, sample_shape: tuple[int, ...]) -> str:
        if len(sample_shape) == 1:
            if self.feature_names and flat_index < len(self.feature_names):
                return f"column {self.feature_names[flat_index]!r}"
            return f"column {flat_index}"
        if len(sample_shape) == 0:
            return "value"
        pos = np.unravel_index(flat_index, sample_shape)
        return f"position {tuple(int(p) for p in pos)}"

    def _check_finite(self, array: np.ndarray, what: str) -> None:
        if array.size == 0 or array.dtype.kind not in "fc":
            return
        bad = ~np.isfinite(array)
        if not bad.any():
            return
        flat = bad.reshape(len(array), -1)
        values = array.reshape(len(array), -1)
        sample_shape = array.shape[1:]
        rows, cols = np.nonzero(flat)
        places = []
        for r, c in zip(rows[:MAX_REPORTED], cols[:MAX_REPORTED], strict=True):
            kind = "NaN" if np.isnan(values[r, c]) else "inf"
            places.append(f"row {int(r)} {self._column_name(int(c), sample_shape)} ({kind})")
        more = ", ..." if len(rows) > MAX_REPORTED else ""
        bad_rows = np.unique(rows)
        raise DataError(
            f"{what} has {len(rows)} NaN/inf value(s) in {len(bad_rows)} row(s): "
            f"{', '.join(places)}{more}. Remove or fill these rows.",
            source=self.source,
            row=int(rows[0]),
            column=int(cols[0]),
        )

    def _check_input_shape(self, input_shape: tuple) -> None:
        expected = tuple(input_shape)
        got = self.input_shape
        if len(expected) == len(got) + 1 and expected[0] is None:
            expected = expected[1:]
        ok = len(expected) == len(got) and all(
            e is None or int(e) == g for e, g in zip(expected, got, strict=True)
        )
        if ok:
            return
        hint = ""
        if len(expected) == len(got) + 1 and expected[-1] == 1 and tuple(expected[:-1]) == got:
            hint = " (add a channel axis: x[..., None])"
        elif int(np.prod(got)) == int(np.prod([e or 0 for e in expected])):
            hint = f" (same number of values: reshape x to (n, {', '.join(map(str, expected))}))"
        raise DataError(
            f"the model expects inputs of shape {_fmt_shape(expected)} per sample but the "
            f"data has {_fmt_shape(got)} (x shape {_fmt_shape(self.x.shape)}){hint}",
            source=self.source,
        )

    def _check_labels(self, n_outputs: int) -> None:
        if self.y is None or self.task not in ("classification", "segmentation"):
            return
        limit = max(n_outputs, 2)
        flat = self.y.reshape(len(self.y), -1)
        bad = (flat < 0) | (flat >= limit)
        if not bad.any():
            return
        rows, cols = np.nonzero(bad)
        r, c = int(rows[0]), int(cols[0])
        label = int(flat[r, c])
        where = f"row {r}"
        if flat.shape[1] > 1:
            where += f" {self._column_name(c, self.y.shape[1:])}"
        if label < 0:
            problem = f"label {label} at {where} is negative"
        elif n_outputs == 1:
            problem = (
                f"label {label} at {where} but the model has 1 (sigmoid) output: "
                "labels must be 0 or 1"
            )
        else:
            problem = f"label {label} at {where} but the model has {n_outputs} outputs"
        raise DataError(
            f"{problem} ({len(rows)} bad label(s); labels found: "
            f"{int(flat.min())}..{int(flat.max())})",
            source=self.source,
            row=r,
        )


def _fmt_shape(shape: Sequence[Any]) -> str:
    items = ["None" if s is None else str(int(s)) for s in shape]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _as_float32(x: Any, what: str, source: str) -> np.ndarray:
    array = np.asarray(x)
    if array.dtype == np.float32:
        return array
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"{what} must be numeric, got dtype {array.dtype} (shape {array.shape})",
            source=source,
        )
    return array.astype(np.float32)


def normalize_split(
    values: Any,
    n: int | None,
    source: str,
    *,
    what: str = "the split",
    locate: Callable[[int], str] | None = None,
    column: str | None = None,
    key: str | None = None,
) -> np.ndarray:
    """Reads the part of each sample from part names (bytes are decoded, any case).

    Args:
        values: One name per sample: ``train``, ``validation`` or ``test`` (or
            ``training``, ``val``, ``valid``, ``testing``).
        n: The number of samples, or None not to check the length.
        source: The file or dataset, for messages.
        what: Where the names are, for messages, e.g. ``"column 'split'"``.
            Defaults to `"the split"`.
        locate: ``f(row_index) -> str`` describing a row (e.g. "line 7"). Defaults
            to "row i".
        column: The column holding the names, kept on the error. Defaults to None.
        key: The array's key in the file, kept on the error. Defaults to None.

    Returns:
        ``"train"``/``"validation"``/``"test"`` per sample.

    Raises:
        DataError: A length other than `n`, a missing value or one that names no part
            (the first rows and values are named).
    """
    where = locate or (lambda i: f"row {i}")
    array = np.asarray(values)
    if array.ndim != 1:
        raise DataError(
            f"{what} must hold one part name per sample, got shape {array.shape}", source=source
        )
    if n is not None and len(array) != n:
        raise DataError(
            f"{what} has {len(array)} part names but the data have {n} samples", source=source
        )
    texts = np.char.strip(_as_texts(array))
    lowered = np.char.lower(texts)
    missing = np.flatnonzero(np.isin(lowered, list(MISSING_CELLS)))
    if missing.size:
        r = int(missing[0])
        raise DataError(
            f"missing split value at {where(r)}, {what} ({missing.size} missing; each row "
            "needs train, validation or test)",
            source=source,
            row=r,
            column=column,
            key=key,
        )
    bad = np.flatnonzero(~np.isin(lowered, list(SPLIT_ALIASES)))
    if bad.size:
        shown = ", ".join(f"{where(int(r))} {str(texts[r])!r}" for r in bad[:MAX_REPORTED])
        more = ", ..." if bad.size > MAX_REPORTED else ""
        raise DataError(
            f"{bad.size} split value(s) in {what} are not train, validation or test: "
            f"{shown}{more} ({', '.join(a for a in SPLIT_ALIASES if a not in SPLIT_PARTS)} "
            "are read too)",
            source=source,
            row=int(bad[0]),
            column=column,
            key=key,
        )
    return np.array([SPLIT_ALIASES[t] for t in lowered], dtype="<U10")


def _as_texts(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "S":
        return np.char.decode(values, "utf-8")
    if values.dtype.kind == "O":
        return np.array([v.decode() if isinstance(v, bytes) else str(v) for v in values])
    return values.astype(str)


def _as_labels(y: np.ndarray, source: str) -> np.ndarray:
    if y.dtype.kind in "iu":
        return y.astype(np.int64, copy=False)
    if y.dtype.kind == "b":
        return y.astype(np.int64)
    if y.dtype.kind == "f":
        finite = np.isfinite(y)
        if not finite.all():
            row = int(np.flatnonzero(~finite.reshape(len(y), -1).any(axis=1))[0])
            raise DataError(f"label at row {row} is NaN/inf", source=source, row=row)
        if not np.all(y == np.round(y)):
            flat = y.reshape(len(y), -1)
            row = int(np.flatnonzero((flat != np.round(flat)).any(axis=1))[0])
            value = flat[row][flat[row] != np.round(flat[row])][0]
            raise DataError(
                f"class labels must be whole numbers; row {row} has {float(value)!r}",
                source=source,
                row=row,
            )
        return y.astype(np.int64)
    raise DataError(
        f"class labels must be integers, got dtype {y.dtype}; map names to ints "
        "(the loaders do this and set class_names)",
        source=source,
    )
