"""The must-hold search of issue 15: 20 TPE trials of the course MLP on digits.

Units, learning rate and dropout vary; every trial is a loadable run; the best trial's
test accuracy is at least the default spec's; ``lamina search show`` lists all 20, and
the same search from the command line finds it done (nothing retrained).
"""

from __future__ import annotations

import json

import pytest

import lamina
from lamina.cli import main

pytestmark = pytest.mark.slow

SPACE = {
    "units": {"low": 16, "high": 256, "log": True},
    "compile.optimizer.params.learning_rate": {"low": 1e-4, "high": 3e-1, "log": True},
    "rate": {"low": 0.0, "high": 0.5},
}


def course_mlp():
    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=32, activation="relu"),
            lamina.item("Dropout", rate=0.2),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        optimizer={"type": "Adam", "params": {"learning_rate": 0.001}},
        metrics=["accuracy"],
        epochs=3,
        batch_size=32,
    )


def test_twenty_tpe_trials_of_the_course_mlp(tmp_path, capsys) -> None:
    data = {"type": "digits", "params": {"n": 600}}
    project = tmp_path / "digits"
    result = lamina.search(
        course_mlp(), SPACE, data=data, project=project, trials=20, sampler="tpe", seed=0,
        objective="val_accuracy", name="course",
    )  # fmt: skip
    rows = result.table()
    assert len(rows) == 20 and all(r["state"] == "complete" for r in rows)
    proj = lamina.load_project(project)
    for r in rows:
        run = proj.run(r["run_id"])
        assert run.info["search"] == {"name": "course", "trial": r["trial"]}
        assert run.model() is not None
    best = next(r for r in rows if r["best"])
    best_test = proj.run(best["run_id"]).metrics["accuracy"]
    default = lamina.train(course_mlp(), data=data)
    assert best_test >= default.metrics["accuracy"], (best_test, default.metrics["accuracy"])

    capsys.readouterr()
    assert main(["search", "show", "--project", str(project), "--name", "course", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert sorted(t["trial"] for t in shown["trials"]) == list(range(20))

    spec, space = tmp_path / "mlp.json", tmp_path / "space.json"
    spec.write_text(course_mlp().to_json())
    space.write_text(json.dumps(SPACE))
    runs_before = sorted(p.name for p in proj.runs_dir.iterdir())
    args = ["search", str(spec), "--space", str(space), "--data", "digits", "--data-param",
            "n=600", "--project", str(project), "--trials", "20", "--seed", "0",
            "--objective", "val_accuracy", "--name", "course", "--no-progress"]  # fmt: skip
    assert main(args) == 0
    assert "20 of 20 trials already done" in capsys.readouterr().err
    assert sorted(p.name for p in proj.runs_dir.iterdir()) == runs_before
