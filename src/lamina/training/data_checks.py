"""Checking that a dataset fits a built model, before anything is trained or written."""

from __future__ import annotations

from typing import Any

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.spec import ModelSpec
from lamina.training.targets import model_output_size


def check_against_model(ds: Dataset, spec: ModelSpec, model: Any) -> None:
    """Checks that the data fit the model's input and output; raises `DataError` if not."""
    n_out = model_output_size(model)
    head = spec.layers and spec.compile.loss is None
    if ds.task in ("classification", "segmentation"):
        ds.validate(input_shape=tuple(spec.input.shape), n_outputs=None if head else n_out)
        return
    ds.validate(input_shape=tuple(spec.input.shape))
    if head or ds.y is None or n_out is None:
        return
    y_last = 1 if ds.y.ndim == 1 else int(ds.y.shape[-1])
    if y_last != n_out:
        raise DataError(
            f"the targets have {y_last} value(s) per sample (y shape {tuple(ds.y.shape)}) but "
            f"the model outputs {n_out}; set the last layer's units to {y_last}",
            source=ds.source,
        )
