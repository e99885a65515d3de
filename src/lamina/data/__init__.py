"""lamina's data layer: datasets, file loaders, splits, standardisation, augmentation.

`load_data` turns any data source (a dataset name, a file, arrays) into a `Dataset`.

Importing this package is cheap: TensorFlow is imported only inside the functions
that need it (`make_tf_dataset`, `apply_augmentation`), and Qt never.

Example:
    >>> from lamina.data import load_csv, split_dataset, Standardizer, make_tf_dataset
    >>> ds = load_csv("stars.csv", target="class")
    >>> parts = split_dataset(ds, validation=0.2, test=0.1, seed=0)
    >>> scaler = Standardizer().fit(parts.train.x)
    >>> train = make_tf_dataset(scaler.transform(parts.train.x), parts.train.y)
"""

from __future__ import annotations

from lamina.data.augment import Augmentation, apply_augmentation, augment_batch
from lamina.data.dataset import TASKS, Dataset
from lamina.data.errors import DataError
from lamina.data.loaders import (
    load_csv,
    load_file,
    load_fits,
    load_hdf5,
    load_image_folder,
    load_numpy,
)
from lamina.data.pipeline import make_tf_dataset
from lamina.data.sources import load_data
from lamina.data.splits import Splits, split_dataset
from lamina.data.standardize import Standardizer, apply_standardizer

__all__ = [
    "TASKS",
    "Augmentation",
    "DataError",
    "Dataset",
    "Splits",
    "Standardizer",
    "apply_augmentation",
    "apply_standardizer",
    "augment_batch",
    "load_csv",
    "load_data",
    "load_file",
    "load_fits",
    "load_hdf5",
    "load_image_folder",
    "load_numpy",
    "make_tf_dataset",
    "split_dataset",
]
