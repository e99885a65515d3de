"""Batches per call into TensorFlow: chosen from the batch time, same numbers as one per call."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.training import CancelToken
from lamina.training.steps import TARGET_SECONDS, choose_steps


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


def lenet(n_classes=3):
    spec = lamina.architecture("lenet", n_classes=n_classes, epochs=3, filters=[4, 8])
    training = {**spec.training.model_dump(mode="json"), "seed": 0}
    return spec.copy_with(training=training)


@pytest.mark.parametrize("model", ["course MLP", "LeNet"])
def test_a_cancel_is_seen_after_the_call_under_way(digits, model):
    if model == "LeNet":
        spec, data = lenet(), lamina.load_data("galaxies", params={"n": 150})
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
    chosen = result.info["steps_per_execution"]
    # the next call is the last one: at most the batches of one call ran after the cancel
    assert 1 <= ran_after <= max(chosen["used"])
    for seconds, n in chosen["changes"]:
        assert n == 1 or n * seconds <= TARGET_SECONDS
