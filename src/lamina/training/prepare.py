"""Preparing a dataset for `fit`: split, standardise, shape the targets, batch.

The standardiser is fitted on the training part only and applied to every part;
targets become one-hot vectors where the loss wants them; the training part is
shuffled and augmented on the fly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lamina.data.augment import Augmentation
from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.data.splits import Splits, split_dataset
from lamina.data.standardize import Standardizer, apply_standardizer, standardize_targets
from lamina.spec import ModelSpec
from lamina.training.targets import class_weights, one_hot_targets


@dataclass
class PreparedData:
    """A dataset split and shaped for one model.

    Attributes:
        spec: The spec being trained.
        task: The dataset's task.
        n_out: The model's output size (None if unknown).
        graph: The inputs are node features + adjacency (no standardiser then).
        splits: The train/validation/test parts.
        standardizer: Fitted on the training part, or None.
        augmentation: Applied to training batches, or None.
        seed: Seed of the split, the shuffle and the augmentation.
        train: The training part as a ``tf.data.Dataset`` (shuffled, augmented).
        validation: The validation part as a ``tf.data.Dataset``, or None.
        class_weight: Keras's ``class_weight`` (classification only), or None.
    """

    spec: ModelSpec
    task: str
    n_out: int | None
    graph: bool
    splits: Splits
    standardizer: Standardizer | None
    augmentation: Augmentation | None
    seed: int
    train: Any = None
    validation: Any = None
    class_weight: dict[int, float] | None = None

    def inputs(self, part: Dataset) -> Any:
        """The model inputs of a part: standardised features (graphs: x, a[, e])."""
        if self.graph:
            extra = [part.extras["e"]] if "e" in part.extras else []
            return (part.x, part.extras["a"], *extra)
        return apply_standardizer(part.x, self.standardizer)

    def targets(self, part: Dataset) -> np.ndarray | None:
        """The targets of a part as the loss wants them (one-hot, standardised images)."""
        y = standardize_targets(part.y, part.x, self.task, self.standardizer)
        if self.task == "classification":
            y = one_hot_targets(self.spec, y, self.n_out)
        return y

    def batches(self, part: Dataset, training: bool) -> Any:
        """A ``tf.data.Dataset`` of a part (shuffled and augmented if `training`)."""
        from lamina.data.pipeline import make_tf_dataset

        ts = self.spec.training
        if not training:
            return make_tf_dataset(
                self.inputs(part), self.targets(part), batch_size=ts.batch_size, shuffle=False
            )
        return make_tf_dataset(
            self.inputs(part),
            self.targets(part),
            batch_size=ts.batch_size,
            shuffle=ts.shuffle,
            seed=self.seed,
            augmentation=self.augmentation,
        )

    def info(self) -> dict[str, Any]:
        """What ``run.json`` records about the split, standardiser, augmentation, weights."""
        ts = self.spec.training
        return {
            "split": {
                "validation": ts.validation_split,
                "test": ts.test_split,
                "seed": self.seed,
                "sizes": {k: int(len(v)) for k, v in self.splits.indices.items()},
                "given": list(self.splits.given),
            },
            "standardizer": None if self.standardizer is None else self.standardizer.to_dict(),
            "augmentation": None if self.augmentation is None else self.augmentation.to_dict(),
            "class_weight": self.class_weight,
        }


def check_parts(spec: ModelSpec, ds: Dataset, splits: Splits) -> None:
    """Refuses a split whose asked-for validation or test part came out empty.

    Raises:
        DataError: Saying how many samples each part needs (nothing is written yet).
    """
    ts = spec.training
    asked = {"validation_split": ts.validation_split, "test_split": ts.test_split}
    got = {"validation_split": splits.validation, "test_split": splits.test}
    empty = [k for k, fraction in asked.items() if fraction and got[k] is None]
    if not empty:
        return
    n = len(ds)
    needs = "; ".join(f"{k} {asked[k]:g} needs at least {_needed(asked[k])} samples" for k in empty)
    raise DataError(
        f"{n} sample{'s' if n != 1 else ''} is too few for the split: {needs} "
        "(for one sample in that part); give more data, or set training.validation_split / "
        "training.test_split to 0 to train without that part",
        source=ds.source or str(ds.name),
    )


def _needed(fraction: float) -> int:
    """The fewest samples of which `fraction` rounds to one (as `split_dataset` counts)."""
    n = math.ceil(0.5 / fraction)  # the fewest with fraction * n >= 0.5
    return n if round(fraction * n) >= 1 else n + 1  # 0.5 itself rounds to 0 (to even)


def prepare_data(spec: ModelSpec, ds: Dataset, n_out: int | None, seed: int) -> PreparedData:
    """Splits `ds`, fits the standardiser on its training part, batches the parts.

    Args:
        spec: The spec being trained (its ``training`` settings).
        ds: The whole dataset, already checked against the model.
        n_out: The model's output size, for one-hot targets.
        seed: Seed of the split, the shuffle and the augmentation.
    """
    ts = spec.training
    splits = split_dataset(
        ds,
        validation=ts.validation_split,
        test=ts.test_split,
        seed=seed,
        stratify=ds.task == "classification",
    )
    check_parts(spec, ds, splits)
    graph = "a" in ds.extras  # node features + adjacency (see lamina_graph)
    standardizer = Standardizer().fit(splits.train.x) if ts.standardize and not graph else None
    augmentation = Augmentation.from_dict(ts.augmentation) if ts.augmentation else None
    data = PreparedData(
        spec=spec,
        task=ds.task,
        n_out=n_out,
        graph=graph,
        splits=splits,
        standardizer=standardizer,
        augmentation=augmentation,
        seed=seed,
    )
    data.train = data.batches(splits.train, training=True)
    if splits.validation is not None:
        data.validation = data.batches(splits.validation, training=False)
    if ds.task == "classification":
        data.class_weight = class_weights(ts.class_weight, splits.train.y, ds.n_classes or n_out)
    return data
