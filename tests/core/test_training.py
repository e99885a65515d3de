"""Training: the course's first script as a spec, seeds, events, cancel, NaN, data checks."""

from __future__ import annotations

import re

import numpy as np
import pytest

import lamina
from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.inference import evaluate, predict
from lamina.training import CancelToken, train
from lamina.training import events as ev


def digits_dataset(n: int | None = None) -> Dataset:
    from sklearn.datasets import load_digits

    d = load_digits()
    x, y = (d.images / 16.0)[..., None], d.target
    if n is not None:
        x, y = x[:n], y[:n]
    return Dataset(
        x=x, y=y, name="digits", task="classification", class_names=[str(i) for i in range(10)]
    )


def course_spec(**training) -> lamina.ModelSpec:
    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=128, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        name="course",
        **training,
    )


def test_course_script_reaches_95_percent_on_digits(tmp_path):
    events = []
    result = train(
        course_spec(epochs=15),
        data=digits_dataset(),
        project=tmp_path / "p",
        on_event=events.append,
    )
    assert result.status == "finished"
    assert result.metrics["accuracy"] >= 0.95
    assert np.array(result.metrics["confusion_matrix"]).shape == (10, 10)
    assert set(result.metrics["per_class"]["3"]) == {"precision", "recall", "f1", "support"}
    kinds = [e.kind for e in events]
    assert kinds[0] == "RunStarted" and kinds.count("EpochEnded") == 15
    assert "RunFinished" in kinds and "CheckpointSaved" in kinds
    assert "val_accuracy" in events[kinds.index("EpochEnded")].metrics
    from lamina.project import load_project, load_run

    run = load_run(result.path)
    assert run.status == "finished"
    assert len(run.history["loss"]) == 15
    assert run.metrics["accuracy"] == pytest.approx(result.metrics["accuracy"])
    info = run.info
    assert info["seed"] == 0 and info["device"]["device"] == "cpu"
    assert info["versions"]["tf_keras"].startswith("2.")
    assert info["data"]["n"] == 1797
    assert load_project(tmp_path / "p").runs()[0].id == run.id
    x = digits_dataset().x[:20]
    np.testing.assert_allclose(predict(run, x), result.model.predict(x, verbose=0), atol=1e-5)


def test_same_seed_same_history():
    ds = digits_dataset(300)
    spec = course_spec(epochs=2, batch_size=32, seed=7, standardize=True)
    result = train(spec, data=ds)
    first = result.history
    second = train(spec, data=ds).history
    assert result.epochs_run == len(first["loss"]) == 2
    assert first["loss"] == second["loss"]
    assert first["val_accuracy"] == second["val_accuracy"]


def test_op_determinism_is_on_during_a_seeded_run_only():
    from lamina.training.determinism import op_determinism_enabled

    during = []
    assert not op_determinism_enabled()
    result = train(
        course_spec(epochs=1, seed=3),
        data=digits_dataset(100),
        epoch_hooks=[lambda _: during.append(op_determinism_enabled())],
    )
    assert result.status == "finished" and during == [True]
    assert not op_determinism_enabled()
    during.clear()
    train(
        course_spec(epochs=1, seed=None),
        data=digits_dataset(100),
        epoch_hooks=[lambda _: during.append(op_determinism_enabled())],
    )
    assert during == [False]


def test_cancel_keeps_last_completed_epoch(tmp_path):
    token = CancelToken()
    seen = []

    def on_event(event):
        seen.append(event)
        if isinstance(event, ev.EpochEnded) and event.epoch == 1:
            token.cancel()

    result = train(
        course_spec(epochs=50, batch_size=16),
        data=digits_dataset(400),
        project=tmp_path / "p",
        on_event=on_event,
        cancel=token,
    )
    assert result.status == "cancelled"
    assert len(result.history["loss"]) == 2
    cancelled = [e for e in seen if isinstance(e, ev.RunCancelled)]
    assert cancelled and cancelled[0].last_epoch == 1 and "epoch 2" in cancelled[0].message
    from lamina.project import load_run

    run = load_run(result.path)
    assert run.status == "cancelled"
    model = run.model()
    x = digits_dataset(10).x
    np.testing.assert_allclose(
        model.predict(x, verbose=0), result.model.predict(x, verbose=0), atol=1e-6
    )


def test_nan_loss_is_a_failed_run_with_a_reason(diverging):
    spec, ds = diverging(epochs=20)
    events = []
    result = train(spec, data=ds, on_event=events.append)
    assert result.status == "failed"
    assert "diverged" in result.reason
    nan_epoch = result.info["epochs_run"] + 1  # counted from 1: the first not recorded
    assert re.search(rf"loss became (nan|-?inf) at epoch {nan_epoch}:", result.reason)
    failed = [e for e in events if isinstance(e, ev.RunFailed)]
    assert failed and "diverged" in failed[0].reason


def test_bad_shape_is_a_data_error_before_training():
    ds = Dataset(
        x=np.zeros((20, 7, 7, 1)),
        y=np.zeros(20, dtype=int),
        name="small-images",
        task="classification",
    )
    events = []
    with pytest.raises(DataError, match="small-images.*expects inputs of shape"):
        train(course_spec(epochs=1), data=ds, on_event=events.append)
    assert not any(isinstance(e, ev.EpochStarted) for e in events)


def test_labels_beyond_outputs_are_a_data_error():
    ds = digits_dataset(100)
    spec = lamina.make_spec(
        [8, 8, 1],
        ["Flatten", lamina.item("Dense", units=3, activation="softmax")],
        loss="sparse_categorical_crossentropy",
        epochs=1,
    )
    with pytest.raises(DataError, match="model has 3 outputs"):
        train(spec, data=ds)


def test_callbacks_class_weight_one_hot_and_evaluate():
    ds = digits_dataset(300)
    spec = lamina.make_spec(
        [8, 8, 1],
        ["Flatten", lamina.item("Dense", units=10, activation="softmax")],
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        epochs=4,
        standardize=True,
        class_weight="balanced",
        early_stopping={"patience": 1},
        reduce_lr_on_plateau={"patience": 1},
        validation_split=0.2,
        test_split=0.2,
    )
    result = train(spec, data=ds)
    assert result.status == "finished"
    assert result.info["class_weight"] and len(result.info["class_weight"]) == 10
    assert result.standardizer is not None and result.info["standardizer"]["mean"] is not None
    assert "lr" in result.history
    test = result.splits.test
    report = evaluate(result, test.x, test.y, task="classification")
    assert report["n"] == len(test) and "loss" in report
    assert sum(map(sum, report["confusion_matrix"])) == len(test)


def _tree(path) -> dict[str, bytes]:
    """Every file under `path` with its bytes (folders included, as empty entries)."""
    return {
        str(p.relative_to(path)): (p.read_bytes() if p.is_file() else b"")
        for p in sorted(path.rglob("*"))
    }


def test_a_run_that_cannot_start_leaves_the_project_as_it_was(tmp_path):
    project = tmp_path / "p"
    good = train(course_spec(epochs=1), data=digits_dataset(100), project=project)
    assert good.status == "finished"
    before = _tree(project)
    assert any(name.endswith("run.json") for name in before)

    wrong_shape = Dataset(
        x=np.zeros((20, 7, 7, 1)), y=np.zeros(20, dtype=int), name="small", task="classification"
    )
    three_outputs = lamina.make_spec(
        [8, 8, 1],
        ["Flatten", lamina.item("Dense", units=3, activation="softmax")],
        loss="sparse_categorical_crossentropy",
        epochs=1,
    )
    with_nan = digits_dataset(100)
    with_nan.x[7, 2, 3, 0] = np.nan
    broken_spec = course_spec(epochs=1).to_dict()
    broken_spec["layers"][1]["params"]["units"] = -4
    attempts = [
        (course_spec(epochs=1), wrong_shape, DataError, "expects inputs of shape"),
        (three_outputs, digits_dataset(100), DataError, "model has 3 outputs"),
        (course_spec(epochs=1), with_nan, DataError, "row"),
        (broken_spec, digits_dataset(100), lamina.SpecError, r"layers\[1\]"),
    ]
    for spec, data, error, message in attempts:
        events = []
        with pytest.raises(error, match=message):
            train(spec, data=data, project=project, on_event=events.append)
        assert not any(isinstance(e, ev.RunStarted) for e in events)
        assert _tree(project) == before, message  # no new run folder, nothing rewritten

    fresh = tmp_path / "fresh"
    with pytest.raises(DataError):
        train(course_spec(epochs=1), data=wrong_shape, project=fresh)
    assert not fresh.exists()


def test_a_split_given_by_the_data_is_kept(tmp_path):
    ds = digits_dataset(300)
    ds.split = np.array(["train"] * 250 + ["test"] * 50)
    events = []
    result = train(course_spec(epochs=1), data=ds, project=tmp_path / "p", on_event=events.append)
    np.testing.assert_array_equal(result.splits.test.x, ds.x[250:])  # the data's own test part
    assert len(result.splits.validation) == 50  # 0.2 of the data's 250 training samples
    assert len(result.splits.train) == 200
    assert result.info["split"]["given"] == ["train", "test"]
    started = next(e for e in events if isinstance(e, ev.RunStarted))
    assert started.split_given == ["train", "test"] and started.dataset["n"] == 300
    assert started.dataset["split_counts"] == {"train": 250, "validation": 0, "test": 50}
    log = (result.path / "log.txt").read_text()
    assert "split: train 200, validation 50, test 50 (test given by the data" in log


def test_run_json_names_the_data_it_was_trained_on(tmp_path):
    from lamina.spec import Ref
    from lamina.training.run_info import data_ref

    spec = course_spec(epochs=1)
    with_data = spec.copy_with(data={"type": "galaxies", "params": {"n": 30}})
    assert data_ref(None, None, spec) is None
    assert data_ref(None, None, with_data) == {"type": "galaxies", "params": {"n": 30}}
    assert data_ref("digits", {"n": 5}, spec) == {"type": "digits", "params": {"n": 5}}
    table = tmp_path / "stars.csv"
    table.write_text("a,b\n1,2\n")
    assert data_ref(str(table), {"target": "b"}, spec) == {
        "type": str(table.resolve()),
        "params": {"target": "b"},
    }
    assert data_ref(Ref(type="galaxies", params={"n": 30}), {"seed": 1}, spec) == {
        "type": "galaxies",
        "params": {"n": 30, "seed": 1},
    }
    assert data_ref({"type": "moons", "params": {"n": 10}}, {"noise": 0.1}, spec) == {
        "type": "moons",
        "params": {"n": 10, "noise": 0.1},
    }


def test_the_data_reference_run_json_keeps(tmp_path):
    """run.json's ``data_ref``: how `lamina evaluate` finds the data again, with its params."""
    from lamina.spec import Ref
    from lamina.training.run_info import data_ref

    spec = lamina.make_spec([8, 8, 1], ["Flatten", lamina.item("Dense", units=10)], loss="mse")
    with_data = spec.copy_with(data={"type": "digits", "params": {"n": 50}})
    assert data_ref(None, None, spec) is None
    assert data_ref(None, None, with_data) == {"type": "digits", "params": {"n": 50}}
    assert data_ref(Ref(type="digits", params={"n": 50}), {"seed": 1}, spec) == {
        "type": "digits",
        "params": {"n": 50, "seed": 1},
    }
    assert data_ref({"type": "digits"}, {"n": 9}, spec) == {"type": "digits", "params": {"n": 9}}
    assert data_ref("digits", {"n": 9}, spec) == {"type": "digits", "params": {"n": 9}}
    table = tmp_path / "stars.csv"
    table.write_text("a,b\n1,2\n")
    assert data_ref(str(table), None, spec) == {"type": str(table.resolve()), "params": {}}
    assert data_ref((np.zeros((2, 8, 8, 1)), np.zeros(2)), None, with_data) is None  # arrays


def test_mlflow_logging_is_refused_without_a_project_and_accepted_with_one(tmp_path, monkeypatch):
    pytest.importorskip("mlflow", reason="the dev extras install mlflow-skinny")
    from lamina.errors import LaminaError
    from lamina.records.mlflow import DB_FILE

    with pytest.raises(
        LaminaError, match="MLflow logging records a saved run: give a project"
    ) as info:
        train(course_spec(epochs=1), data=digits_dataset(50), mlflow=True)
    assert info.value.location == "mlflow"
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    project = tmp_path / "p"
    result = train(course_spec(epochs=1), data=digits_dataset(50), project=project, mlflow=True)
    assert result.status == "finished" and (result.path / "run.json").is_file()
    assert (project / DB_FILE).is_file()  # logged to the project's own MLflow store
