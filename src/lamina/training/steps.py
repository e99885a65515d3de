"""Batches per call into TensorFlow (Keras's ``steps_per_execution``), chosen from the step time.

A bare ``model.fit`` returns to Python after every batch: for small models that round
trip costs more than the batch (the course's MLP on digits trains 1.6x faster with 32
batches per call). lamina measures the time of a batch during the fit and runs as many
batches per call as fit in `TARGET_SECONDS` (at most an epoch's worth), so that:

- a cancel is seen within one call (lamina checks it after every call);
- batch progress events still flow (a call ends at least every `TARGET_SECONDS`);
- the numbers are the same: the same batches, in the same order, through the same
  training step (only how often Python looks in between changes).

An explicit ``training.steps_per_execution`` in the spec fixes the number instead.
"""

from __future__ import annotations

import time
from typing import Any

from lamina.keras import keras

#: Longest time one call into TensorFlow should take (seconds): a cancel is seen within
#: it (the issue's bound is 0.5 s) and batch events flow at least 1 / it per second.
TARGET_SECONDS = 0.25
#: The most a chosen number grows from one call to the next (a bad first guess is cheap).
GROWTH = 4


def choose_steps(step_seconds: float, steps_per_epoch: int, target: float = TARGET_SECONDS) -> int:
    """The batches per call so that one call takes at most `target` seconds.

    Args:
        step_seconds: The measured time of one batch.
        steps_per_epoch: The batches of an epoch (the most one call runs).
        target: The longest a call should take. Defaults to `TARGET_SECONDS`.

    Returns:
        A whole number from 1 to `steps_per_epoch` (1 when one batch takes `target` or more).
    """
    cap = max(1, int(steps_per_epoch))
    if step_seconds <= 0:
        return cap
    return max(1, min(cap, int(target / step_seconds)))


def prepare_functions(model: Any, first: int) -> None:
    """Makes the model's train, test and predict functions loop over several batches.

    Keras builds a one-batch function when ``steps_per_execution`` is 1 when the
    function is made; a later change of the number would then be ignored by the
    function but not by Keras's batch counting (wrong numbers). So the functions are
    made now, looping as many times as the number says when they are called.

    Keras's own loop (an autograph ``for`` whose outputs are undefined before it)
    traces the training step twice; for models with Keras's own ``train_step`` and
    ``test_step`` lamina makes the loop with ``tf.while_loop`` instead, which traces it
    once (a bare ``fit`` traces it once too) and returns the same metrics.
    """
    model.steps_per_execution = max(2, first)
    if _plain_steps(model):
        model.train_function = _looped(model, model.train_step, model._train_counter)
        model.test_function = _looped(model, model.test_step, model._test_counter)
    else:
        model.train_function = None
        model.make_test_function(force=True)
    model.predict_function = None  # made when first used, for the number then in use


def _plain_steps(model: Any) -> bool:
    """True if the model trains and tests with Keras's own steps, on one device, traced."""
    from lamina.keras import tf

    base = keras.Model
    own = all(
        getattr(type(model), name) is getattr(base, name)
        for name in ("train_step", "test_step", "compute_metrics", "get_metrics_result")
    )
    return (
        own
        and not model.jit_compile
        and not model.run_eagerly
        and not tf.distribute.has_strategy()
        and getattr(model, "_cluster_coordinator", None) is None
    )


def _looped(model: Any, step: Any, counter: Any) -> Any:
    """A ``tf.function`` running `step` ``steps_per_execution`` times; returns the metrics."""
    from lamina.keras import tf

    def function(iterator: Any) -> Any:
        def body(i: Any) -> tuple[Any]:
            outputs = step(next(iterator))
            with tf.control_dependencies(tf.nest.flatten(outputs)):
                counter.assign_add(1)
            return (i + 1,)

        steps = tf.cast(model._steps_per_execution, tf.int64)
        tf.while_loop(lambda i: i < steps, body, (tf.constant(0, tf.int64),))
        return model.get_metrics_result()

    return tf.function(function, reduce_retracing=True)


class AutoStepsPerExecution(keras.callbacks.Callback):
    """Sets ``steps_per_execution`` from the measured time of a batch (see the module).

    The first call of the fit (it traces the training function) is not measured; every
    later call gives the time per batch, from which `choose_steps` picks the next number
    (growing at most `GROWTH` times per call, shrinking at once).

    Attributes:
        choices: ``(batch seconds, chosen number)`` of every decision, in order.
        steps: The number in use.
    """

    def __init__(self, target: float = TARGET_SECONDS) -> None:
        super().__init__()
        self.target = float(target)
        self.choices: list[tuple[float, int]] = []
        self.steps = 1
        self._pending: int | None = None
        self._t_call = 0.0
        self._calls = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Starts from one batch per call."""
        self.choices, self.steps, self._pending, self._calls = [], 1, None, 0
        self.model.steps_per_execution.assign(1)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Applies a number chosen at the end of the last epoch."""
        if self._pending is not None:
            self._set(self._pending)

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Starts timing the call."""
        self._t_call = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Measures the call and chooses the next number."""
        seconds = time.perf_counter() - self._t_call
        self._calls += 1
        if self._calls == 1:
            return  # the first call traces the function
        ran = int(self.model.steps_per_execution.numpy())
        step_seconds = seconds / max(ran, 1)
        per_epoch = int(self.params.get("steps") or 1)
        chosen = min(choose_steps(step_seconds, per_epoch, self.target), self.steps * GROWTH)
        self.choices.append((step_seconds, chosen))
        if chosen == self.steps:
            return
        if batch + 1 >= per_epoch:
            self._pending = chosen  # Keras resets the number after an epoch's last call
        else:
            self._set(chosen)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Leaves the model as compiled: one batch per call."""
        self._set(1)

    def _set(self, steps: int) -> None:
        self.steps, self._pending = steps, None
        self.model.steps_per_execution.assign(steps)
        # Keras makes a one-batch predict function when the number is 1: an epoch hook's
        # predict gets a new function for the new number
        self.model.predict_function = None
