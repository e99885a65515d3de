"""The callback between Keras and lamina's events, driven by hand with a clock of our own:
batch events at most one per interval, a diverging loss located to its epoch and batch,
the epoch's record (metrics, learning rate, seconds), and the cancel token's listeners."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from lamina.training import events as ev
from lamina.training.callbacks import BestWeights, CancelToken, EventCallback


class _Model:
    """A stand-in model: the callback reads its weights, optimizer and stop flag."""

    def __init__(self, learning_rate=None) -> None:
        self.w = [np.zeros(2)]
        self.stop_training = False
        self.optimizer = (
            None
            if learning_rate is None
            else SimpleNamespace(learning_rate=learning_rate, iterations=10)
        )

    def get_weights(self):
        return [a.copy() for a in self.w]

    def set_weights(self, weights):
        self.w = [np.asarray(a).copy() for a in weights]


@pytest.fixture
def clock(monkeypatch):
    """The callback's clock, set by the test (seconds)."""
    now = {"t": 0.0}
    fake = SimpleNamespace(perf_counter=lambda: now["t"], monotonic=lambda: now["t"])
    monkeypatch.setattr("lamina.training.callbacks.time", fake)
    return now


def _callback(model, **kwargs):
    seen: list = []
    cb = EventCallback(on_event=seen.append, **kwargs)
    cb.set_model(model)
    cb.on_train_begin()
    return cb, seen


def test_batch_events_come_at_most_one_per_interval(clock):
    cb, seen = _callback(_Model(), batch_events=True, batch_interval=0.25)
    cb.on_epoch_begin(0)
    for batch, t in enumerate([0.125, 0.25, 0.375, 0.5, 0.74, 0.75]):
        clock["t"] = t
        cb.on_train_batch_end(batch, {"loss": 1.0 + batch})
    assert isinstance(seen[0], ev.EpochStarted) and seen[0].epoch == 0
    batches = [(e.batch, e.metrics["loss"]) for e in seen[1:]]
    assert batches == [(1, 2.0), (3, 4.0), (5, 6.0)]  # at 0.25, 0.5 and 0.75 s
    quiet = EventCallback(on_event=None, batch_events=True)  # nobody listens: no batch hooks
    assert not quiet.batch_events and not quiet._implements_train_batch_hooks()
    assert EventCallback(on_event=seen.append)._implements_train_batch_hooks() is False
    assert EventCallback(cancel=CancelToken())._implements_train_batch_hooks() is True


def test_a_diverging_batch_loss_stops_the_fit_and_says_where(clock):
    model = _Model()
    cb, seen = _callback(model, batch_events=True, batch_interval=0.0)
    cb.on_epoch_begin(0)
    cb.on_epoch_end(0, {"loss": 1.0})
    cb.on_epoch_begin(1)
    clock["t"] = 1.0
    cb.on_train_batch_end(2, {"loss": float("nan")})
    assert model.stop_training
    assert cb.nan_reason == (
        "the loss became nan at epoch 2, batch 3: training diverged. Lower the learning "
        "rate, standardise the inputs, or check the data for extreme values."
    )
    cb.on_epoch_end(1, {"loss": float("nan")})  # the partial epoch is not recorded
    assert cb.history == {"loss": [1.0]} and cb.last_epoch == 0
    assert not any(isinstance(e, ev.BatchEnded) for e in seen)


@pytest.mark.parametrize("key", ["loss", "val_loss"])
def test_a_non_finite_epoch_loss_stops_the_fit_unrecorded(key):
    model = _Model()
    cb, seen = _callback(model)
    cb.on_epoch_begin(0)
    cb.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0, key: math.inf})
    assert model.stop_training and cb.nan_reason.startswith(f"the {key} became inf at epoch 1:")
    assert cb.history == {} and cb.last_epoch == -1 and cb.epoch_seconds == []
    assert [type(e) for e in seen] == [ev.EpochStarted]


def test_an_epoch_is_recorded_with_its_learning_rate_and_seconds(clock):
    from lamina.keras import keras

    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    model = _Model(learning_rate=schedule)  # at iteration 10: 0.05
    cb, seen = _callback(model, cancel=CancelToken())
    clock["t"] = 3.0
    cb.on_epoch_begin(0)
    model.w = [np.array([1.0, 2.0])]
    clock["t"] = 5.5
    cb.on_epoch_end(0, {"loss": 0.5, "accuracy": "0.75"})
    (ended,) = [e for e in seen if isinstance(e, ev.EpochEnded)]
    assert ended.metrics == {"loss": 0.5, "accuracy": 0.75, "lr": pytest.approx(0.05)}
    assert ended.seconds == 2.5 and cb.epoch_seconds == [2.5] and cb.last_epoch == 0
    assert cb.history == {"loss": [0.5], "accuracy": [0.75], "lr": [pytest.approx(0.05)]}
    # cancelled in the next epoch: the weights of the whole epoch 0 come back
    cb.on_epoch_begin(1)
    model.w = [np.array([9.0, 9.0])]
    cb.cancel.cancel()
    cb.on_train_batch_end(0, {"loss": 0.4})
    assert cb.cancelled and model.stop_training
    cb.on_train_end()
    np.testing.assert_array_equal(model.w[0], [1.0, 2.0])
    plain = _Model(learning_rate=0.01)
    other, seen = _callback(plain)
    other.on_epoch_begin(0)
    other.on_epoch_end(0, {"loss": 1.0, "lr": 0.2})  # Keras's own lr wins
    assert other.history["lr"] == [0.2] and other._last_weights is None  # no token: no copy
    other.on_epoch_end(1, {"loss": 1.0})
    assert other.history["lr"] == [0.2, 0.01]


def test_the_cancel_token_tells_its_listeners_and_can_be_reused():
    token, heard = CancelToken(), []
    first, second = (lambda: heard.append(1)), (lambda: heard.append(2))
    token.add_listener(first)
    token.add_listener(second)
    token.remove_listener(second)
    token.remove_listener(second)  # not there any more: nothing happens
    token.cancel()
    assert token.cancelled and heard == [1] and token.tells_listeners
    token.reset()
    assert not token.cancelled

    class Polled(CancelToken):
        @property
        def cancelled(self) -> bool:
            return True

    assert not Polled().tells_listeners  # only seen by asking it


@pytest.mark.parametrize(
    ("monitor", "mode"),
    [
        ("val_loss", "min"),
        ("val_accuracy", "max"),
        ("auc", "max"),
        ("val_precision", "max"),
        ("recall", "max"),
        ("val_mae", "min"),
    ],
)
def test_best_weights_maximise_accuracy_like_metrics_and_minimise_the_rest(monitor, mode):
    assert BestWeights(monitor=monitor).mode == mode


def test_best_weights_fall_back_to_the_loss_and_skip_what_is_not_an_epoch():
    model = _Model()
    skipping = {"now": False}
    cb = BestWeights(monitor="val_loss", skip=lambda: skipping["now"])
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, logs in enumerate(
        [{"loss": 3.0}, {"loss": float("nan")}, {"loss": 2.0}, {"loss": 0.5}, {}]
    ):
        model.w = [np.full(2, float(epoch))]
        skipping["now"] = epoch == 3  # a cancelled, partial epoch
        cb.on_epoch_end(epoch, logs)
    assert (cb.best, cb.best_epoch) == (2.0, 2)
    np.testing.assert_array_equal(cb.weights[0], [2.0, 2.0])
