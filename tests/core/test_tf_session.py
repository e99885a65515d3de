"""Runs in a row free the earlier runs' traced graphs (issue 15: search memory)."""

from __future__ import annotations

import gc
import weakref

import numpy as np

import lamina
from lamina.training import tf_session


def _spec():
    return lamina.make_spec(
        [8, 8, 1],
        [
            lamina.item("Flatten"),
            lamina.item("Dense", units=16, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        epochs=1,
        batch_size=32,
        seed=1,
    )


def _func_graphs() -> list:
    from tensorflow.python.framework.func_graph import FuncGraph

    return [o for o in gc.get_objects() if isinstance(o, FuncGraph)]


def test_the_next_run_frees_the_graphs_an_earlier_run_traced(digits):
    data = digits(96)
    earlier = {id(g) for g in _func_graphs()}
    first = lamina.train(_spec(), data=data)
    first_graphs = [weakref.ref(g) for g in _func_graphs() if id(g) not in earlier]
    added = set(tf_session._added_by_runs)
    # the fit and the evaluation traced their step loops
    assert sum(g().name.startswith("while_body") for g in first_graphs) >= 2
    assert added, "the first run's fit registered no custom gradient"
    registry = tf_session._registry()
    assert added <= set(registry)
    del first

    second = lamina.train(_spec(), data=data)

    assert not added & set(registry), "the earlier run's custom gradients are still registered"
    alive = [ref().name for ref in first_graphs if ref() is not None]
    assert alive == [], f"graphs of the earlier run are still alive: {alive}"
    # The model of the newest run keeps working once its own entries are dropped: its
    # traced functions already hold their gradients.
    tf_session.forget_earlier_runs()
    before = second.model.get_weights()
    second.model.fit(data.x[:64], data.y[:64], epochs=1, batch_size=32, verbose=0)
    after = second.model.get_weights()
    assert any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True))


def test_forgetting_earlier_runs_counts_the_entries_it_dropped():
    from lamina.keras import tf

    tf_session.forget_earlier_runs()  # what earlier tests' runs left

    def trace_a_custom_gradient():
        @tf.custom_gradient
        def identity(x):
            return x, lambda dy: dy

        tf.function(identity).get_concrete_function(tf.TensorSpec([], tf.float32))

    with tf_session.run_scope():
        for _ in range(3):
            trace_a_custom_gradient()
    added = set(tf_session._added_by_runs)
    assert len(added) == 3
    registry = tf_session._registry()
    del registry[sorted(added)[0]]  # one is gone already: not counted
    assert tf_session.forget_earlier_runs() == 2
    assert not added & set(registry)
    assert tf_session.forget_earlier_runs() == 0
