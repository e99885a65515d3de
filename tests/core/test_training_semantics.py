"""What training does, checked with numbers on tiny data.

- the standardiser's mean and std are those of the training part alone;
- balanced class weights are ``n / (k * n_c)`` over the training part;
- a classifier's train, validation and test parts keep the class proportions;
- after early stopping with restore, the model holds the best epoch's weights;
- ``weights.best.h5`` holds the best epoch's weights (re-evaluated: its validation loss
  is the history's best);
- a cancelled run keeps the weights of the last completed epoch.

The weights of every epoch are captured with an epoch hook (a public argument of
`lamina.train`), which runs after the epoch's callbacks.
"""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import item


def tabular(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features whose scale grows with the row (any subset has its own mean), and
    imbalanced labels 60/40/20 %."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, size=(n, 4)) * (1 + np.arange(n)[:, None] / 10) + np.arange(n)[
        :, None
    ] * np.array([0.5, -1.0, 0.0, 2.0])
    y = np.repeat([0, 1, 2], [n // 2, n // 3, n - n // 2 - n // 3])
    y = y[rng.permutation(n)]
    return x.astype("float32"), y.astype("int64")


def classifier(**training) -> lamina.ModelSpec:
    return lamina.make_spec(
        [4],
        [item("Dense", units=8, activation="relu"), item("Dense", units=3, activation="softmax")],
        loss="sparse_categorical_crossentropy",
        **training,
    )


class Snapshots:
    """An epoch hook that keeps a copy of the weights after every epoch."""

    def __init__(self) -> None:
        self.weights: dict[int, list[np.ndarray]] = {}

    def __call__(self, ctx) -> None:
        self.weights[ctx.epoch] = [w.copy() for w in ctx.model.get_weights()]


def same_weights(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


def test_standardiser_uses_the_training_part_only():
    x, y = tabular()
    spec = classifier(
        epochs=1, batch_size=32, validation_split=0.25, test_split=0.2, standardize=True
    )
    result = lamina.train(spec, data=(x, y))
    idx = result.splits.indices
    train, val, test = (np.asarray(idx[k]) for k in ("train", "validation", "test"))
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(len(x)))
    assert len(val) == 30 and len(test) == 24

    s = result.standardizer
    np.testing.assert_allclose(s.mean, x[train].astype("float64").mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(s.std, x[train].astype("float64").std(axis=0), rtol=1e-5)
    # the test is informative: the whole data set has other numbers
    assert not np.allclose(s.mean, x.mean(axis=0), rtol=1e-2)
    assert not np.allclose(s.std, x.std(axis=0), rtol=1e-2)
    assert result.info["standardizer"]["mean"] == pytest.approx(s.mean.tolist())


def test_balanced_class_weights_follow_the_formula():
    x, y = tabular()
    spec = classifier(epochs=1, batch_size=32, class_weight="balanced")
    result = lamina.train(spec, data=(x, y))
    y_train = y[np.asarray(result.splits.indices["train"])]
    n, k = len(y_train), 3
    counts = np.bincount(y_train, minlength=k)
    assert len(set(counts.tolist())) == 3  # imbalanced: an inversion would show
    expected = {c: n / (k * counts[c]) for c in range(k)}
    assert result.info["class_weight"] == pytest.approx(expected, rel=1e-9)
    # the rarest class weighs most
    cw = result.info["class_weight"]
    assert max(cw, key=cw.get) == int(np.argmin(counts))


def test_a_classifier_s_parts_keep_the_class_proportions():
    """Training splits a classification data set stratified: 150/50 labels give a test
    part of 20 with 15/5, a validation part of 40 with 30/10 (exactly, for any seed)."""
    from lamina.data.dataset import Dataset
    from lamina.training.prepare import prepare_data

    rng = np.random.default_rng(0)
    y = rng.permutation(np.repeat([0, 1], [150, 50]))
    ds = Dataset(
        x=rng.normal(size=(200, 4)).astype("float32"), y=y, name="two", task="classification"
    )
    spec = classifier(validation_split=0.2, test_split=0.1)
    for seed in range(3):
        splits = prepare_data(spec, ds, n_out=3, seed=seed).splits
        counts = {
            part: np.bincount(y[np.asarray(splits.indices[part])], minlength=2).tolist()
            for part in ("train", "validation", "test")
        }
        assert counts == {"train": [105, 35], "validation": [30, 10], "test": [15, 5]}, seed


def noise_task(n: int = 160, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Random labels: a big model overfits, the validation loss rises after a few epochs."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=n)


def overfitting_spec(**training) -> lamina.ModelSpec:
    return lamina.make_spec(
        [4],
        [item("Dense", units=64, activation="relu"), item("Dense", units=3, activation="softmax")],
        loss="sparse_categorical_crossentropy",
        optimizer={"type": "Adam", "params": {"learning_rate": 0.05}},
        batch_size=16,
        validation_split=0.25,
        test_split=0.0,
        seed=3,
        **training,
    )


@pytest.fixture(scope="module")
def early_stopped_run(tmp_path_factory):
    x, y = noise_task()
    spec = overfitting_spec(
        epochs=20,
        early_stopping={"monitor": "val_loss", "patience": 2, "restore_best_weights": True},
    )
    snaps = Snapshots()
    project = tmp_path_factory.mktemp("es") / "project"
    # with a cancel token, as the app and the CLI train: the run then also keeps the last
    # whole epoch's weights in memory for a cancel, which must not undo the restore
    result = lamina.train(
        spec,
        data=(x, y),
        project=project,
        epoch_hooks=[snaps],
        checkpoint_interval=0,
        cancel=lamina.CancelToken(),
    )
    return result, snaps


def test_early_stopping_restores_the_best_epoch_weights(early_stopped_run):
    result, snaps = early_stopped_run
    val_loss = result.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert "early_stopped" in result.info, "the case must stop early"
    last = result.info["epochs_run"] - 1
    assert best < last and len(val_loss) == last + 1
    assert result.info["best_epoch"] == best
    assert result.info["early_stopped"]["best_epoch"] == best
    # the best epoch's and the last epoch's weights differ: restoring is visible
    assert not same_weights(snaps.weights[best], snaps.weights[last])
    assert same_weights(result.model.get_weights(), snaps.weights[best])


def test_best_weights_file_holds_the_best_epoch(early_stopped_run):
    result, snaps = early_stopped_run
    run = lamina.load_run(result.path)
    best = int(np.argmin(result.history["val_loss"]))
    model = run.model("best")
    assert same_weights(model.get_weights(), snaps.weights[best])
    assert same_weights(run.model("final").get_weights(), snaps.weights[best])
    # re-evaluated on the validation part, the file's weights give the history's best loss
    val = result.splits.validation
    loss = model.evaluate(val.x, val.y, verbose=0, batch_size=len(val))
    loss = loss[0] if isinstance(loss, list) else loss
    assert loss == pytest.approx(result.history["val_loss"][best], rel=1e-4)


def test_best_weights_file_without_restore(tmp_path):
    """Without restoring, the final weights are the last epoch's; the best file stays
    the best epoch's."""
    x, y = noise_task()
    spec = overfitting_spec(
        epochs=20,
        early_stopping={"monitor": "val_loss", "patience": 2, "restore_best_weights": False},
    )
    snaps = Snapshots()
    result = lamina.train(spec, data=(x, y), project=tmp_path / "p", epoch_hooks=[snaps])
    best = int(np.argmin(result.history["val_loss"]))
    last = result.info["epochs_run"] - 1
    assert best < last
    run = lamina.load_run(result.path)
    assert same_weights(run.model("best").get_weights(), snaps.weights[best])
    assert same_weights(run.model("final").get_weights(), snaps.weights[last])
    assert same_weights(result.model.get_weights(), snaps.weights[last])


class CancelDuringThirdEpoch(lamina.CancelToken):
    """Says "cancelled" at the end of the third batch of the third epoch.

    Its `cancelled` is computed, so lamina asks it after every call into TensorFlow
    (one batch per call here): three batches of the third epoch run and move the
    weights before the run stops, deterministically.
    """

    def __init__(self) -> None:
        super().__init__()
        self.second_epoch_done = False
        self.reads = 0

    @property
    def cancelled(self) -> bool:
        if self.second_epoch_done:
            self.reads += 1
        return self.reads >= 3


def test_cancel_keeps_the_last_completed_epoch():
    x, y = noise_task()
    spec = overfitting_spec(epochs=6, steps_per_execution=1)
    token = CancelDuringThirdEpoch()
    snaps = Snapshots()

    def mark_second_epoch(ctx) -> None:
        if ctx.epoch == 1:
            token.second_epoch_done = True

    result = lamina.train(spec, data=(x, y), cancel=token, epoch_hooks=[snaps, mark_second_epoch])
    assert result.status == "cancelled"
    assert result.info["epochs_run"] == 2
    assert len(result.history["loss"]) == 2
    # three batches of the third epoch ran (the hook sees its end): its weights moved
    assert token.reads == 3
    assert not same_weights(snaps.weights[2], snaps.weights[1])
    assert same_weights(result.model.get_weights(), snaps.weights[1])
    assert result.reason == "cancelled during epoch 3; the weights are those of epoch 2"


def test_a_cancel_before_the_first_epoch_ends_says_so_and_skips_the_test_metrics():
    from lamina.training import events as ev

    x, y = noise_task(n=48)
    spec = classifier(epochs=3, batch_size=8, validation_split=0.25, test_split=0.25, seed=0)
    token = lamina.CancelToken()
    token.cancel()
    seen = []
    result = lamina.train(spec, data=(x, y), cancel=token, on_event=seen.append)
    assert result.status == "cancelled"
    reason = "cancelled before the first epoch ended; the weights are the initial ones"
    assert result.reason == reason
    assert result.info["epochs_run"] == 0 and result.history == {}
    assert result.metrics == {}  # no epoch ran: the model is not evaluated on the test part
    (cancelled,) = [e for e in seen if isinstance(e, ev.RunCancelled)]
    assert (cancelled.last_epoch, cancelled.message) == (-1, reason)
    (started,) = [e for e in seen if isinstance(e, ev.RunStarted)]
    assert started.steps_per_epoch == 3  # 24 training samples in batches of 8


def test_balanced_class_weights_count_one_hot_rows_and_refuse_other_targets():
    from lamina.data.errors import DataError
    from lamina.training.targets import class_weights

    labels = np.array([0, 0, 0, 1, 2, 2])
    one_hot = np.eye(3)[labels]
    expected = {0: 6 / 9, 1: 6 / 3, 2: 6 / 6}
    assert class_weights("balanced", labels, 3) == pytest.approx(expected)
    assert class_weights("balanced", one_hot, 3) == pytest.approx(expected)  # not ignored
    assert class_weights({1: 2.0}, one_hot, 3) == {1: 2.0}
    # four classes of which the labels show three: k = 4, the absent class counts once
    assert class_weights("balanced", labels, 4) == pytest.approx(
        {0: 6 / 12, 1: 6 / 4, 2: 6 / 8, 3: 6 / 4}
    )
    with pytest.raises(DataError, match=r"^training.class_weight: .*shape \(6, 3\)"):
        class_weights("balanced", one_hot * 0.5, 3)  # not labels, not one-hot
    assert class_weights(None, one_hot * 0.5, 3) is None


def test_a_run_records_how_long_it_took():
    import time

    x, y = tabular(60)
    started = time.perf_counter()
    result = lamina.train(classifier(epochs=2, validation_split=0.0, test_split=0.0), data=(x, y))
    wall = time.perf_counter() - started
    timings = result.info["timings"]
    assert len(timings["epoch_seconds"]) == 2
    assert 0 < sum(timings["epoch_seconds"]) <= timings["fit_seconds"]
    assert timings["fit_seconds"] <= timings["total_seconds"] <= wall


def test_regression_targets_must_match_the_model_s_outputs_when_both_are_known():
    """Before training, (n, 2) targets refuse a model with 3 outputs; targets that are not
    there (y None) or a model whose output size is unknown are left to Keras."""
    from types import SimpleNamespace

    from lamina.data.dataset import Dataset
    from lamina.data.errors import DataError
    from lamina.training.data_checks import check_against_model

    spec = lamina.make_spec([4], [item("Dense", units=3)], loss="mse", epochs=1)
    x = np.zeros((10, 4), "float32")
    three = SimpleNamespace(output_shape=(None, 3))
    with pytest.raises(DataError, match=r"2 value\(s\) per sample .* the model outputs 3"):
        check_against_model(
            Dataset(x, np.zeros((10, 2), "float32"), "t", "regression"), spec, three
        )
    check_against_model(Dataset(x, np.zeros((10, 3), "float32"), "t", "regression"), spec, three)
    check_against_model(Dataset(x, None, "t", "regression"), spec, three)
    unknown = SimpleNamespace(output_shape=(None, None))
    check_against_model(Dataset(x, np.zeros((10, 2), "float32"), "t", "regression"), spec, unknown)


def test_a_cancel_in_the_second_epoch_keeps_the_first_and_is_evaluated_on_the_test_part():
    """Cancelled as the first epoch ends: the run keeps epoch 1's weights, says so, and
    (one epoch ran) reports the test metrics of those weights."""
    from lamina.training import events as ev

    x, y = noise_task(n=48)
    spec = classifier(epochs=3, batch_size=8, validation_split=0.25, test_split=0.25, seed=0)
    token = lamina.CancelToken()

    def cancel_after_the_first_epoch(event) -> None:
        if isinstance(event, ev.EpochEnded) and event.epoch == 0:
            token.cancel()

    result = lamina.train(spec, data=(x, y), cancel=token, on_event=cancel_after_the_first_epoch)
    assert result.status == "cancelled" and result.info["epochs_run"] == 1
    assert result.reason == "cancelled during epoch 2; the weights are those of epoch 1"
    assert set(result.metrics) >= {"loss", "accuracy"}
    test_x, test_y = result.splits.test.x, result.splits.test.y
    loss = np.atleast_1d(result.model.evaluate(test_x, test_y, verbose=0))[0]
    assert result.metrics["loss"] == pytest.approx(loss, rel=1e-5)


def test_the_output_size_of_a_model_not_yet_built_is_unknown():
    from lamina.keras import keras
    from lamina.training.targets import model_output_size

    class Unbuilt(keras.Model):
        def call(self, x):
            return x

    assert model_output_size(Unbuilt()) is None
    built = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    assert model_output_size(built) == 4


def test_training_batches_are_shuffled_and_validation_batches_keep_their_order():
    from lamina.data.dataset import Dataset
    from lamina.training.prepare import prepare_data

    x = np.arange(80, dtype="float32").reshape(40, 2)
    ds = Dataset(x=x, y=np.arange(40) % 2, name="ramp", task="classification")
    spec = classifier(validation_split=0.25, batch_size=5, seed=0)
    data = prepare_data(spec, ds, n_out=2, seed=0)
    seen = np.concatenate([np.asarray(b[0]) for b in data.validation])
    np.testing.assert_allclose(seen, data.inputs(data.splits.validation), rtol=1e-6)
    trained = np.concatenate([np.asarray(b[0]) for b in data.train])
    given = data.inputs(data.splits.train)
    assert not np.allclose(trained, given)  # another order
    np.testing.assert_allclose(np.sort(trained[:, 0]), np.sort(given[:, 0]), rtol=1e-6)
