"""Batches per call into TensorFlow (Keras's ``steps_per_execution``), chosen from the step time.

A bare ``model.fit`` returns to Python after every batch: for small models that round
trip costs more than the batch (the course's MLP on digits trains 1.6x faster with 32
batches per call). lamina measures the time of a batch during the fit and runs as many
batches per call as fit in a target time (`call_target`; at most an epoch's worth), so
that:

- a cancel stops within one batch: lamina's training loop reads a stop flag before
  every batch, which a `CancelToken` sets when it is cancelled (`GraphCancel`); a
  token that cannot tell (or a model with its own ``train_step``) is checked after
  every call, and calls then take at most `TARGET_SECONDS`;
- batch progress events still flow: with batch events a call ends at least every
  `TARGET_SECONDS`; without them, at least every `QUIET_TARGET_SECONDS` (how long
  Ctrl-C and Python's signal handlers may wait);
- the numbers are the same: the same batches, in the same order, through the same
  training step (only how often Python looks in between changes).

An explicit ``training.steps_per_execution`` in the spec fixes the number instead.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from lamina.keras import keras

#: Longest time one call into TensorFlow should take (seconds) when batch events are
#: sent (they flow at least 1 / it per second) or a cancel is only seen between calls
#: (the bound on a cancel is 0.5 s).
TARGET_SECONDS = 0.25
#: Longest time of a call when nothing needs Python between batches: Ctrl-C and
#: Python's signal handlers wait at most about this long.
QUIET_TARGET_SECONDS = 1.0
#: The most a chosen number grows from one call to the next (a bad first guess is cheap).
GROWTH = 4
#: The batch time is the median of the last this many calls' (one call slowed down by a
#: busy machine does not drop the number to 1).
RECENT_CALLS = 5


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


def call_target(model: Any, batch_events: bool, cancel: Any) -> float:
    """The longest a call into TensorFlow should take for this fit (seconds).

    Args:
        model: The compiled model (lamina's own loop stops within a batch on a cancel).
        batch_events: Batch events are sent.
        cancel: The run's `CancelToken`, or None.
    """
    in_graph = _plain_steps(model) and (cancel is None or cancel.tells_listeners)
    if batch_events or not in_graph:
        return TARGET_SECONDS
    return QUIET_TARGET_SECONDS


class GraphStop:
    """The flag lamina's training loop reads before every batch (`GraphCancel` sets it)."""

    def __init__(self) -> None:
        from lamina.keras import tf

        self.flag = tf.Variable(False, trainable=False, name="lamina_stop")

    def set(self) -> None:
        """Stops the loop before its next batch."""
        self.flag.assign(True)

    def clear(self) -> None:
        """Lets the loop run again."""
        self.flag.assign(False)


class GraphCancel(keras.callbacks.Callback):
    """Sets the loop's stop flag when the run's `CancelToken` is cancelled, during the fit."""

    def __init__(self, cancel: Any, stop: GraphStop) -> None:
        super().__init__()
        self.cancel = cancel
        self.stop = stop

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Listens to the token (a token cancelled already stops the first call)."""
        self.stop.clear()
        self.cancel.add_listener(self.stop.set)
        if self.cancel.cancelled:
            self.stop.set()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Stops listening; the model's loop runs again in a later fit."""
        self.cancel.remove_listener(self.stop.set)
        self.stop.clear()


def prepare_functions(model: Any, first: int) -> GraphStop | None:
    """Makes the model's train, test and predict functions loop over several batches.

    Keras builds a one-batch function when ``steps_per_execution`` is 1 when the
    function is made; a later change of the number would then be ignored by the
    function but not by Keras's batch counting (wrong numbers). So the functions are
    made now, looping as many times as the number says when they are called.

    Keras's own loop (an autograph ``for`` whose outputs are undefined before it)
    traces the training step twice; for models with Keras's own ``train_step`` and
    ``test_step`` lamina makes the loop with ``tf.while_loop`` instead, which traces it
    once (a bare ``fit`` traces it once too) and returns the same metrics. Its training
    loop reads a stop flag before every batch.

    Returns:
        The training loop's stop flag, or None for a model with its own steps (Keras's
        loop, which runs every batch of a call).
    """
    model.steps_per_execution = max(2, first)
    stop = None
    if _plain_steps(model):
        stop = GraphStop()
        model.train_function = _looped(model, model.train_step, model._train_counter, stop)
        model.test_function = _looped(model, model.test_step, model._test_counter)
    else:
        model.train_function = None
        model.make_test_function(force=True)
    model.predict_function = None  # made when first used, for the number then in use
    return stop


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


def _looped(model: Any, step: Any, counter: Any, stop: GraphStop | None = None) -> Any:
    """A ``tf.function`` running `step` ``steps_per_execution`` times; returns the metrics.

    With `stop`, the loop ends early once its flag is set (checked before every step).
    """
    from lamina.keras import tf

    def function(iterator: Any) -> Any:
        def body(i: Any) -> tuple[Any]:
            outputs = step(next(iterator))
            with tf.control_dependencies(tf.nest.flatten(outputs)):
                counter.assign_add(1)
            return (i + 1,)

        def go_on(i: Any) -> Any:
            more = i < steps
            if stop is None:
                return more
            return tf.logical_and(more, tf.logical_not(stop.flag.read_value()))

        steps = tf.cast(model._steps_per_execution, tf.int64)
        tf.while_loop(go_on, body, (tf.constant(0, tf.int64),))
        return model.get_metrics_result()

    return tf.function(function, reduce_retracing=True)


class AutoStepsPerExecution(keras.callbacks.Callback):
    """Sets ``steps_per_execution`` from the measured time of a batch (see the module).

    The first call of the fit (it traces the training function) is not measured; every
    later call gives the time per batch; the median of the last `RECENT_CALLS` calls'
    times is the batch time from which `choose_steps` picks the next number (growing
    at most `GROWTH` times per call, shrinking at once).

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
        self._recent: list[float] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Starts from one batch per call."""
        self.choices, self.steps, self._pending, self._calls = [], 1, None, 0
        self._recent = []
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
        self._recent = [*self._recent[-(RECENT_CALLS - 1) :], seconds / max(ran, 1)]
        step_seconds = statistics.median(self._recent)
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
