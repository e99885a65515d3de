"""MLflow records (the optional ``mlflow`` extra): params, per-epoch metrics, artifacts."""

from __future__ import annotations

import json
import sys

import pytest

import lamina
from lamina.cli import main
from lamina.records.mlflow import DB_FILE, tracking_uri

mlflow = pytest.importorskip("mlflow", reason="the dev extras install mlflow-skinny")


def _spec(units: int = 24) -> lamina.ModelSpec:
    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=units, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=3,
        name="mlf",
    )


def test_run_logs_params_metrics_and_artifacts(tmp_path, digits):
    project = tmp_path / "proj"
    result = lamina.train(_spec(), data=digits(200), project=project, mlflow=True)
    assert result.status == "finished"
    assert (project / DB_FILE).is_file()
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{project / DB_FILE}")
    experiment = client.get_experiment_by_name("proj")
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1
    run = runs[0]
    assert run.info.run_name == result.path.name and run.info.status == "FINISHED"
    assert run.data.params["layers.1.params.units"] == "24"
    assert run.data.params["compile.optimizer.type"] == "Adam"
    assert run.data.tags["dataset"] == "digits" and run.data.tags["lamina.version"]
    history = json.loads((result.path / "history.json").read_text())
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        points = sorted(client.get_metric_history(run.info.run_id, key), key=lambda m: m.step)
        assert [m.step for m in points] == [0, 1, 2]
        assert [m.value for m in points] == pytest.approx(history[key], rel=1e-6)
    test = json.loads((result.path / "metrics.json").read_text())
    assert run.data.metrics["test_accuracy"] == pytest.approx(test["accuracy"])
    names = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {
        "spec.json",
        "history.json",
        "train_model.py",
        "model.keras",
        "training_curves.png",
    } <= names
    # artifacts live in the project, not in the working directory
    assert (project / "mlartifacts").is_dir()


def test_mlflow_failure_never_fails_the_training(tmp_path, caplog, digits):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad = f"sqlite:///{blocker}/mlflow.db"  # no database can be made inside a file
    result = lamina.train(_spec(8), data=digits(120), project=tmp_path / "p", mlflow=bad)
    assert result.status == "finished"
    log = (result.path / "log.txt").read_text()
    assert log.count("MLflow logging stopped") == 1 and "a-file" in log
    assert sum("MLflow logging stopped" in r.getMessage() for r in caplog.records) == 1


def test_without_the_extra_one_clear_error_and_nothing_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # import mlflow -> ImportError
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(_spec().to_json())
    project = tmp_path / "p"
    code = main(
        ["train", str(spec_file), "--data", "digits", "--project", str(project), "--mlflow"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "pip install 'lamina[mlflow]'" in err and "--mlflow" in err
    assert not project.exists()


def test_tracking_uri_choice(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_uri(tmp_path) == f"sqlite:///{tmp_path.resolve() / DB_FILE}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    assert tracking_uri(tmp_path) == "http://127.0.0.1:5000"
    assert tracking_uri(tmp_path, "sqlite:///x.db") == "sqlite:///x.db"
