"""Seeds and op determinism for one training run, restored when the run ends.

TensorFlow's op determinism is process-wide and changes more than training: random ops
without a seed and ``tf.timestamp`` raise while it is on, and on a GPU some ops move to
the CPU. A seeded run switches it on for itself and back off afterwards, so what the
process does next (an unseeded run, a visualization, the user's own code) is unchanged.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def seeded_run(seed: int | None) -> Iterator[None]:
    """Seeds Python, NumPy and TensorFlow and makes ops deterministic inside the block.

    Example:
        >>> with seeded_run(0):
        ...     model.fit(data, epochs=2)   # the same history every time on a CPU

    Args:
        seed: The seed; None changes nothing.
    """
    if seed is None:
        yield
        return
    from lamina.keras import keras

    keras.utils.set_random_seed(int(seed))
    was_on = op_determinism_enabled()
    _tf_config().enable_op_determinism()
    try:
        yield
    finally:
        if not was_on:
            _tf_config().disable_op_determinism()


def op_determinism_enabled() -> bool:
    """True while TensorFlow's op determinism is on."""
    return bool(_tf_config().is_op_determinism_enabled())


def _tf_config() -> Any:
    """TensorFlow's config module: in 2.21 only it has the query and the switch-off."""
    from lamina.keras import tf  # sets TF_USE_LEGACY_KERAS before TensorFlow loads

    del tf
    return importlib.import_module("tensorflow.python.framework.config")
