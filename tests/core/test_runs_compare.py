"""``lamina runs`` / ``lamina compare`` and `lamina.compare`: runs side by side."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lamina
from lamina.cli import main
from lamina.compare import Change, best_values, flatten_spec, run_table, spec_diff


def _mlp(units: int, **training) -> lamina.ModelSpec:
    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=units, activation="relu"),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        name="mlp",
        **training,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory, digits, diverging):
    """A project with a finished, a cancelled and a failed run, in that order."""
    path = tmp_path_factory.mktemp("runs") / "p"
    finished = lamina.train(_mlp(32, epochs=3, seed=1), data=digits(300), project=path)
    assert finished.status == "finished"

    token = lamina.CancelToken()

    def cancel_after_second(event):
        if event.kind == "EpochEnded" and event.epoch == 1:
            token.cancel()

    cancelled = lamina.train(
        _mlp(64, epochs=30, seed=1),
        data=digits(300),
        project=path,
        on_event=cancel_after_second,
        cancel=token,
    )
    assert cancelled.status == "cancelled"

    spec, wild = diverging(epochs=5, name="wild")
    failed = lamina.train(spec, data=wild, project=path)
    assert failed.status == "failed"
    return path, [finished, cancelled, failed]


def test_run_table_rows(project):
    path, results = project
    rows = run_table(path)
    assert [r.run for r in rows] == [res.path.name for res in results]
    assert [r.status for r in rows] == ["finished", "cancelled", "failed"]
    assert "diverged" in rows[2].reason
    assert rows[1].epochs == 2 and rows[0].epochs == 3
    for row, res in zip(rows[:2], results[:2], strict=True):
        history = json.loads((res.path / "history.json").read_text())
        values = history["val_accuracy"]
        assert row.best_val["val_accuracy"] == pytest.approx(max(values))
        assert row.best_epoch["val_accuracy"] == int(np.argmax(values)) + 1
        assert row.best_val["val_loss"] == pytest.approx(min(history["val_loss"]))
    metrics = json.loads((results[0].path / "metrics.json").read_text())
    assert rows[0].test["accuracy"] == pytest.approx(metrics["accuracy"])
    # the parameters that differ: units of the MLPs; the wild spec differs everywhere
    assert rows[0].changed["layers[1].params.units"] == 32
    assert rows[1].changed["layers[1].params.units"] == 64
    assert rows[0].changed["name"] == "mlp" and rows[2].changed["name"] == "wild"
    assert "training.epochs" in rows[0].changed
    assert rows[0].seconds and rows[0].seconds > 0 and rows[0].device == "cpu"


def test_run_table_sorts_best_first(project):
    path, _ = project
    rows = run_table(path, sort="best_val")
    accs = [r.best_val.get("val_accuracy") for r in rows]
    scored = [a for a in accs if a is not None]
    assert scored == sorted(scored, reverse=True) and accs[-1] is None
    epochs = [r.epochs for r in run_table(path, sort="epochs")]
    assert epochs == sorted(epochs)


def test_best_values_directions():
    best, epoch = best_values(
        {"val_loss": [3.0, 1.0, 2.0], "val_accuracy": [0.2, 0.9, 0.5], "loss": [0.0, 0.0]}
    )
    assert best == {"val_loss": 1.0, "val_accuracy": 0.9}
    assert epoch == {"val_loss": 2, "val_accuracy": 2}
    best, _ = best_values({"val_mae": [float("nan"), 4.0, 5.0]})
    assert best == {"val_mae": 4.0}


def test_spec_diff_item_by_item():
    a = _mlp(32, epochs=3)
    b = lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=64, activation="relu"),
            lamina.item("Dropout", rate=0.25),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        optimizer={"type": "SGD", "params": {"learning_rate": 0.1}},
        name="mlp",
        epochs=3,
    )
    changes = spec_diff(a, b)
    by_path = {c.path: c for c in changes}
    assert by_path["layers[1].params.units"] == Change("layers[1].params.units", 32, 64)
    # the inserted Dropout is one added item; the last Dense is matched, not "changed"
    added = [c for c in changes if c.kind == "added"]
    assert [c.path for c in added] == ["layers[2]", "compile.optimizer.params.learning_rate"]
    assert added[0].after["type"] == "Dropout" and added[1].after == 0.1
    assert not any(c.path.startswith("layers[3]") for c in changes)
    assert by_path["compile.optimizer.type"].after == "SGD"
    assert str(by_path["layers[1].params.units"]) == "~ layers[1].params.units: 32 -> 64"
    assert spec_diff(a, a) == []
    removed = spec_diff(b, a)
    assert [c.path for c in removed if c.kind == "removed"][0] == "layers[2]"


def test_flatten_spec_paths():
    flat = flatten_spec(_mlp(16))
    assert flat["layers[1].params.units"] == 16
    assert flat["layers[0].type"] == "Flatten"
    assert flat["compile.loss.type"] == "sparse_categorical_crossentropy"


def test_cli_runs_table_and_json(project, capsys):
    path, results = project
    assert main(["runs", str(path)]) == 0
    out = capsys.readouterr().out
    for res in results:
        assert res.path.name in out
    assert "cancelled" in out and "failed: " in out and "diverged" in out
    assert "layers[1].params.units=32" in out
    assert main(["runs", str(path), "--json", "--sort", "epochs"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["epochs"] for d in data] == sorted(d["epochs"] for d in data)
    assert {d["status"] for d in data} == {"finished", "cancelled", "failed"}


def test_cli_compare_diff_metrics_and_png(project, tmp_path, capsys):
    path, results = project
    out_png = tmp_path / "curves.png"
    args = ["compare", str(results[0].path), str(results[1].path), "--out", str(out_png)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "~ layers[1].params.units: 32 -> 64" in out
    assert "~ training.epochs: 3 -> 30" in out
    assert f"curves: {out_png}" in out
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(out_png) as img:
        assert img.size[0] > 1000  # a panel per metric: loss and accuracy
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    units = [c for c in data["diff"][results[1].path.name] if c["path"].endswith("units")]
    assert units == [
        {"path": "layers[1].params.units", "kind": "changed", "before": 32, "after": 64}
    ]


def test_cli_compare_errors_are_located(project, tmp_path, capsys):
    path, results = project
    assert main(["compare", str(path), str(results[0].path)]) == 2
    err = capsys.readouterr().err
    assert "project folder" in err and "lamina runs" in err
    assert main(["compare", str(results[0].path)]) == 2
    assert "at least two runs" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "nope"), str(results[0].path)]) == 2
    assert "run folder not found" in capsys.readouterr().err
    assert main(["runs", str(tmp_path)]) == 2
    assert "project" in capsys.readouterr().err
