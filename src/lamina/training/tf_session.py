"""A fresh tf_keras session for each run, without what TensorFlow keeps of earlier runs.

`keras.backend.clear_session` frees what tf_keras holds, but TensorFlow itself keeps one
entry per graph-mode custom gradient in its process-wide gradient registry for ever:
``tf.custom_gradient`` registers ``CustomGradient-<uid>`` while a function is traced and
never removes it. tf_keras's optimizer makes one in every traced train function (it sums
gradients with ``ReplicaContext.all_reduce``), and the entry holds the forward tensors, so
the whole traced graph of that train function stays alive: a few MB per run, which adds up
over the runs of an app session or the trials of a search.

`run_scope` notes the entries a run added; `fresh_session`, called
before the next run (and by a search after each trial), drops them. An entry is only read
while a function that uses it is traced; the traced train and test functions of a model
that is still in use already hold their gradients, so they keep working.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_PREFIX = "CustomGradient-"
_added_by_runs: set[str] = set()


def _registry() -> dict:
    """TensorFlow's gradient registry (private: TensorFlow has no call to unregister)."""
    from tensorflow.python.framework import ops

    return ops._gradient_registry._registry


def _custom_gradient_keys() -> set[str]:
    return {key for key in _registry() if key.startswith(_PREFIX)}


@contextmanager
def run_scope() -> Iterator[None]:
    """Notes the custom gradients registered inside, for the next `fresh_session` to drop."""
    before = _custom_gradient_keys()
    try:
        yield
    finally:
        _added_by_runs.update(_custom_gradient_keys() - before)


def forget_earlier_runs() -> int:
    """Drops the custom gradients that earlier runs' fits registered.

    Returns:
        The number of registry entries dropped.
    """
    registry = _registry()
    dropped = sum(registry.pop(key, None) is not None for key in _added_by_runs)
    _added_by_runs.clear()
    return dropped


def fresh_session() -> None:
    """Clears what earlier runs left in tf_keras and TensorFlow, so runs in a row do not pile up."""
    from lamina.keras import keras

    keras.backend.clear_session()
    forget_earlier_runs()
    gc.collect()
