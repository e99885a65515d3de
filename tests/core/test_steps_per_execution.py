"""Batches per call into TensorFlow: chosen from the batch time, same numbers as one per call."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.training import CancelToken
from lamina.training.steps import QUIET_TARGET_SECONDS, TARGET_SECONDS, choose_steps


def test_choose_steps_keeps_a_call_within_the_target():
    assert TARGET_SECONDS <= 0.25  # cancel within 0.5 s, >= 2 batch events per second
    assert choose_steps(0.001, 36, target=0.1) == 36  # 100 would fit: capped at an epoch
    assert choose_steps(0.001, 500, target=0.1) == 100
    assert choose_steps(0.03, 500, target=0.1) == 3
    assert choose_steps(0.5, 500) == 1  # a batch longer than the target: one per call
    assert choose_steps(0.0, 7) == 7
    for seconds in np.geomspace(1e-5, 1.0, 40):
        n = choose_steps(float(seconds), 10_000)
        assert n == 1 or n * seconds <= TARGET_SECONDS
        assert (n + 1) * seconds > TARGET_SECONDS or n == 10_000


def mlp(steps_per_execution=None, epochs=3, dropout=True):
    layers = ["Flatten", lamina.item("Dense", units=32, activation="relu")]
    if dropout:
        layers.append(lamina.item("Dropout", rate=0.3))
    layers.append(lamina.item("Dense", units=10, activation="softmax"))
    spec = lamina.make_spec(
        [8, 8, 1],
        layers,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=epochs,
        seed=7,
    )
    training = {**spec.training.model_dump(mode="json"), "steps_per_execution": steps_per_execution}
    return spec.copy_with(training=training)


@pytest.fixture(scope="module")
def one_per_call(digits):
    return lamina.train(mlp(1), data=digits(900))


def test_automatic_choice_gives_the_same_history_as_one_batch_per_call(digits, one_per_call):
    auto = lamina.train(mlp(None), data=digits(900))
    chosen = auto.info["steps_per_execution"]
    assert chosen["auto"] and max(chosen["used"]) > 1  # it did run several batches per call
    assert auto.history == one_per_call.history
    assert auto.metrics["loss"] == one_per_call.metrics["loss"]
    for a, b in zip(auto.model.get_weights(), one_per_call.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(auto.model.steps_per_execution.numpy()) == 1  # left as compiled
    # Keras's batch counter (TensorBoard's step) counts every batch, as in a bare fit
    assert int(auto.model._train_counter.numpy()) == int(auto.model.optimizer.iterations.numpy())
    assert int(auto.model._train_counter.numpy()) == int(one_per_call.model._train_counter.numpy())
    for seconds, n in chosen["changes"]:  # every choice bounds a call's time
        assert n == 1 or n * seconds <= chosen["target_seconds"]


def test_an_explicit_setting_overrides_the_choice(digits, one_per_call):
    fixed = lamina.train(mlp(5), data=digits(900))
    assert fixed.info["steps_per_execution"] == 5
    assert int(fixed.model.steps_per_execution.numpy()) == 5
    assert fixed.history == one_per_call.history
    assert one_per_call.info["steps_per_execution"] == 1


def test_early_stopping_still_stops_at_the_same_epoch(digits):
    def spec(spe):
        s = mlp(spe, epochs=30, dropout=False)
        training = {
            **s.training.model_dump(mode="json"),
            "early_stopping": {"monitor": "val_loss", "patience": 0, "min_delta": 0.5},
        }
        return s.copy_with(training=training)

    auto, one = (lamina.train(spec(v), data=digits(600)) for v in (None, 1))
    assert auto.info["early_stopped"] == one.info["early_stopped"]
    assert auto.history == one.history and len(auto.history["loss"]) < 30


def lenet(n_classes=3, steps_per_execution=None):
    spec = lamina.architecture("lenet", n_classes=n_classes, epochs=3, filters=[4, 8])
    training = {
        **spec.training.model_dump(mode="json"),
        "seed": 0,
        "steps_per_execution": steps_per_execution,
    }
    return spec.copy_with(training=training)


@pytest.mark.parametrize("model", ["course MLP", "LeNet"])
def test_a_cancel_is_seen_before_the_next_batch(digits, model):
    if model == "LeNet":  # four batches an epoch, all in one call
        spec, data = lenet(steps_per_execution=4), lamina.load_data("galaxies", params={"n": 150})
    else:
        spec, data = mlp(None, epochs=5), digits(900)
    token = CancelToken()
    seen = {}

    def cancel_after_first_epoch(context):
        if context.epoch == 0:
            seen["iterations"] = int(context.model.optimizer.iterations.numpy())
            token.cancel()

    result = lamina.train(spec, data=data, cancel=token, epoch_hooks=[cancel_after_first_epoch])
    assert result.status == "cancelled"
    ran_after = int(result.model.optimizer.iterations.numpy()) - seen["iterations"]
    # lamina's loop reads the stop flag before every batch: none ran after the cancel,
    # although the call would have run several
    assert ran_after == 0
    chosen = result.info["steps_per_execution"]
    if model == "LeNet":
        assert chosen == 4
    else:  # no batch events and a token that tells: calls bounded for Ctrl-C only
        assert chosen["target_seconds"] == QUIET_TARGET_SECONDS


def test_a_cancel_from_another_thread_stops_the_call_under_way(digits):
    """The token is cancelled by tf.data's thread while a call of a whole epoch runs."""
    from lamina.data.pipeline import make_tf_dataset
    from lamina.keras import tf
    from lamina.training.callbacks import EventCallback
    from lamina.training.steps import GraphCancel, prepare_functions

    data = digits(900)
    model = lamina.build_model(mlp(None, epochs=1))
    batches = make_tf_dataset(data.x, data.y, batch_size=8, shuffle=False)
    per_epoch = int(batches.cardinality())
    token = CancelToken()
    cancel_at = 20

    def maybe_cancel(index):
        if int(index) == cancel_at:
            token.cancel()  # runs in tf.data's thread, during the call
        return index

    counted = tf.data.Dataset.zip((batches, tf.data.Dataset.range(per_epoch)))
    counted = counted.map(
        lambda batch, i: (batch, tf.numpy_function(maybe_cancel, [i], tf.int64)),
    ).map(lambda batch, _: batch)
    stop = prepare_functions(model, per_epoch)  # one call runs the whole epoch
    events = EventCallback(cancel=token)
    model.fit(counted, epochs=3, verbose=0, callbacks=[GraphCancel(token, stop), events])
    ran = int(model.optimizer.iterations.numpy())
    assert events.cancelled and events.last_epoch == -1
    # the loop saw the flag a few batches after it was set (the prefetched ones at most)
    assert cancel_at - 4 <= ran <= cancel_at + 1 < per_epoch
    # after the fit the loop runs whole calls again
    model.fit(batches, epochs=1, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == ran + per_epoch
    assert token._listeners == []


def test_the_call_target_is_bounded_when_python_must_look_between_batches(digits):
    from lamina.training.steps import QUIET_TARGET_SECONDS, call_target

    class SearchToken(CancelToken):  # computes `cancelled`: only seen between calls
        @property
        def cancelled(self):
            return False

    model = lamina.build_model(mlp(None))
    assert call_target(model, batch_events=False, cancel=None) == QUIET_TARGET_SECONDS
    assert call_target(model, batch_events=False, cancel=CancelToken()) == QUIET_TARGET_SECONDS
    assert call_target(model, batch_events=True, cancel=None) == TARGET_SECONDS
    assert call_target(model, batch_events=False, cancel=SearchToken()) == TARGET_SECONDS
    assert QUIET_TARGET_SECONDS <= 1.0


def test_with_batch_events_a_call_is_bounded_by_the_short_target(digits):
    from lamina.training import BatchEnded

    events = []
    result = lamina.train(mlp(None), data=digits(900), batch_events=True, on_event=events.append)
    chosen = result.info["steps_per_execution"]
    assert chosen["target_seconds"] == TARGET_SECONDS
    for seconds, n in chosen["changes"]:  # >= 1 / TARGET_SECONDS calls (batch events) a second
        assert n == 1 or n * seconds <= TARGET_SECONDS
    assert any(isinstance(e, BatchEnded) for e in events)


def test_one_slow_call_does_not_drop_the_number(monkeypatch):
    """A call slowed down by a busy machine: the median of the recent calls decides."""
    from lamina.keras import tf
    from lamina.training import steps as steps_module

    class Model:
        steps_per_execution = tf.Variable(1, dtype=tf.int64)
        predict_function = None

    clock = [0.0]
    monkeypatch.setattr(steps_module.time, "perf_counter", lambda: clock[0])
    auto = steps_module.AutoStepsPerExecution(target=0.5)
    auto.set_model(Model())
    auto.set_params({"steps": 1000})
    auto.on_train_begin()
    used = []
    for batch, per_step in enumerate([0.01] * 5 + [1.0] + [0.01] * 2 + [1.0, 1.0, 1.0]):
        auto.on_train_batch_begin(batch)
        clock[0] += per_step * auto.steps
        auto.on_train_batch_end(batch)
        used.append(auto.steps)
    # 1 (first call, traced), then x4 per call up to 50; the lone slow call changes nothing;
    # three slow calls in the last five: the machine is slow now, one batch per call
    assert used == [1, 4, 16, 50, 50, 50, 50, 50, 50, 1, 1]
    assert auto.choices[4] == (0.01, 50)


def test_a_number_chosen_mid_epoch_applies_at_once_and_one_at_its_end_waits(monkeypatch):
    """Keras sets the number back after an epoch's last call: a choice made there waits."""
    from lamina.keras import tf
    from lamina.training import steps as steps_module

    class Model:
        steps_per_execution = tf.Variable(7, dtype=tf.int64)  # as a previous fit left it
        predict_function = "made for the old number"

    model = Model()
    clock = [0.0]
    monkeypatch.setattr(steps_module.time, "perf_counter", lambda: clock[0])
    auto = steps_module.AutoStepsPerExecution(target=0.5)
    auto.set_model(model)
    auto.set_params({"steps": 10})
    auto.on_train_begin()
    assert int(model.steps_per_execution.numpy()) == 1  # every fit starts from one per call

    def call(batch):
        auto.on_train_batch_begin(batch)
        clock[0] += 0.01 * int(model.steps_per_execution.numpy())
        auto.on_train_batch_end(batch)

    call(0)  # traces the function: not measured
    assert auto.choices == [] and auto.steps == 1
    call(8)  # ends before the epoch's last batch: 0.5 s / 0.01 s caps at 10, grows x4 at most
    assert auto.choices == [(pytest.approx(0.01), 4)]
    assert auto.steps == 4 and int(model.steps_per_execution.numpy()) == 4
    assert model.predict_function is None  # made again for the new number
    call(9)  # the epoch's last call: the next number waits for the next epoch
    assert auto.choices[-1] == (pytest.approx(0.01), 10)
    assert auto.steps == 4 and int(model.steps_per_execution.numpy()) == 4
    auto.on_epoch_begin(1)
    assert auto.steps == 10 and int(model.steps_per_execution.numpy()) == 10
    auto.on_train_end()
    assert int(model.steps_per_execution.numpy()) == 1  # left as compiled


def test_only_models_with_keras_own_steps_get_the_graph_loop():
    from lamina.keras import keras
    from lamina.training.steps import QUIET_TARGET_SECONDS, _plain_steps, call_target

    def compiled(cls=keras.Sequential, **compile_args):
        model = cls([keras.layers.Dense(2, input_shape=(3,))])
        model.compile("sgd", "mse", **compile_args)
        return model

    class OwnStep(keras.Sequential):
        def train_step(self, data):
            return super().train_step(data)

    assert _plain_steps(compiled())
    assert call_target(compiled(), batch_events=False, cancel=None) == QUIET_TARGET_SECONDS
    for model in (compiled(OwnStep), compiled(run_eagerly=True), compiled(jit_compile=True)):
        assert not _plain_steps(model)
        assert call_target(model, batch_events=False, cancel=None) == TARGET_SECONDS


def test_run_json_records_each_change_of_the_number():
    from types import SimpleNamespace

    from lamina.training.fitting import _chosen

    steps = SimpleNamespace(
        target=0.25, choices=[(0.3, 1), (0.1, 2), (0.1, 2), (0.0312345678, 8), (0.2, 1)]
    )
    assert _chosen(steps) == {
        "auto": True,
        "target_seconds": 0.25,
        "used": [1, 2, 8, 1],
        "changes": [[0.1, 2], [0.031235, 8], [0.2, 1]],
    }
    assert _chosen(None)["used"] == [1] and _chosen(None)["changes"] == []
