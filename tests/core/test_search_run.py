"""Searches that train (issue 15): grid, seeds, failing trials, stop/resume, hp.*, Pareto, pruning.

Tiny on purpose: an MLP on a few hundred digits, one or two epochs, a handful of trials.
"""

from __future__ import annotations

import json
import threading

import pytest

import lamina
from lamina.hpsearch import SearchSettings, TrialEpoch, TrialFinished, objectives_of, run_search
from lamina.hpsearch.results import best_spec


def mlp(epochs: int = 1):
    return lamina.make_spec(
        [8, 8, 1],
        [
            "Flatten",
            lamina.item("Dense", units=32, activation="relu"),
            lamina.item("Dropout", rate=0.1),
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=epochs,
        batch_size=64,
    )


@pytest.fixture(scope="module")
def data(digits):
    return digits(240)


def test_grid_runs_exactly_the_four_points_each_a_loadable_run(tmp_path, data) -> None:
    settings = SearchSettings(name="grid", sampler="grid", trials=10, seed=0)
    result = run_search(
        mlp(), {"units": [16, 64], "rate": [0.0, 0.5]}, settings, project=tmp_path, data=data
    )
    rows = result.table()
    assert len(rows) == 4 and all(r["state"] == "complete" for r in rows)
    points = {
        (r["params"]["layers[1].params.units"], r["params"]["layers[2].params.rate"]) for r in rows
    }
    assert points == {(16, 0.0), (16, 0.5), (64, 0.0), (64, 0.5)}
    project = lamina.load_project(tmp_path)
    assert len(project.runs()) == 4
    for r in rows:
        run = project.run(r["run_id"])
        assert run.info["search"] == {"name": "grid", "trial": r["trial"]}
        assert run.spec.layers[1].params["units"] == r["params"]["layers[1].params.units"]
        assert run.spec.layers[2].params["rate"] == r["params"]["layers[2].params.rate"]
        assert run.history["val_loss"][0] == pytest.approx(r["values"][0])
        assert run.model() is not None
    best = [r for r in rows if r["best"]]
    assert len(best) == 1 and best[0]["values"][0] == min(r["values"][0] for r in rows)
    assert (
        best_spec(result.study).layers[1].params["units"]
        == best[0]["params"]["layers[1].params.units"]
    )


@pytest.mark.parametrize("sampler", ["random", "tpe"])
def test_a_seed_gives_the_same_trials(tmp_path, data, sampler) -> None:
    space = {
        "units": {"low": 8, "high": 64},
        "compile.optimizer.params.learning_rate": {"low": 1e-4, "high": 1e-1, "log": True},
    }

    def params(name: str, seed: int) -> list[dict]:
        # TPE samples at random for its first 2 trials, then from its model
        trials = 3 if sampler == "tpe" else 2
        settings = SearchSettings(name=name, sampler=sampler, trials=trials, seed=seed)
        result = run_search(mlp(), space, settings, project=tmp_path / name, data=data)
        return [r["params"] for r in result.table()]

    first = params("a", 7)
    assert params("b", 7) == first
    assert params("c", 8) != first


def test_a_failing_trial_is_recorded_and_the_search_goes_on(tmp_path, diverging) -> None:
    spec, data = diverging(epochs=2)
    settings = SearchSettings(name="nan", sampler="grid", trials=2, seed=0)
    space = {"compile.optimizer.params.learning_rate": [10.0, 1e-3]}
    result = run_search(spec, space, settings, project=tmp_path, data=data)
    rows = {r["params"]["compile.optimizer.params.learning_rate"]: r for r in result.table()}
    assert rows[10.0]["state"] == "failed" and "diverged" in rows[10.0]["reason"]
    assert rows[10.0]["values"] is None
    assert rows[1e-3]["state"] == "complete" and rows[1e-3]["best"]
    assert lamina.load_project(tmp_path).run(rows[10.0]["run_id"]).status == "failed"


def test_a_bad_combination_fails_its_trial_only(tmp_path, data) -> None:
    # kernel 5 on a 4x4 map (after an 8x8 conv with kernel 5) does not build
    spec = lamina.make_spec(
        [8, 8, 1],
        [
            lamina.item("Conv2D", filters=2, kernel_size=5),
            lamina.item("Conv2D", filters=2, kernel_size=3),
            "Flatten",
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
        epochs=1,
    )
    settings = SearchSettings(name="shapes", sampler="grid", trials=2, seed=0)
    result = run_search(
        spec, {"layers[1].params.kernel_size": [3, 5]}, settings, project=tmp_path, data=data
    )
    rows = {r["params"]["layers[1].params.kernel_size"]: r for r in result.table()}
    assert rows[5]["state"] == "failed" and "layers[1]" in rows[5]["reason"]
    assert rows[3]["state"] == "complete"


def test_stop_ends_the_trial_and_the_search_resumes(tmp_path, data) -> None:
    stop = threading.Event()
    events = []

    def on_event(event) -> None:
        events.append(event)
        if isinstance(event, TrialEpoch) and event.number == 1:
            stop.set()

    settings = SearchSettings(name="stop", sampler="random", trials=3, seed=1)
    space = {"units": [8, 16, 32, 64]}
    spec = mlp(epochs=3)
    first = run_search(
        spec, space, settings, project=tmp_path, data=data, on_event=on_event, stop=stop
    )
    assert first.stopped
    rows = first.table()
    # the interrupted trial is queued again (waiting) with the same parameters
    assert [r["state"] for r in rows] == ["complete", "interrupted", "waiting"]
    assert rows[2]["params"] == rows[1]["params"]
    finished = [e for e in events if isinstance(e, TrialFinished)]
    assert [e.state for e in finished] == ["complete", "failed"]
    second = run_search(spec, space, settings, project=tmp_path, data=data)
    rows = second.table()
    counted = [r for r in rows if r["state"] == "complete"]
    assert len(counted) == 3 and not second.stopped
    retried = [t for t in second.study.trials if t.user_attrs.get("retry_of") == 1]
    assert len(retried) == 1 and retried[0].params == rows[1]["params"]


def test_lamina_search_with_a_keras_tuner_build_function(tmp_path, data) -> None:
    seen = []

    def build(hp):
        units = hp.Int("units", 16, 64, step=16)
        seen.append(units)
        return lamina.make_spec(
            [8, 8, 1],
            [
                "Flatten",
                lamina.item("Dense", units=units, activation="relu"),
                lamina.item("Dense", units=10, activation="softmax"),
            ],
            loss="sparse_categorical_crossentropy",
            optimizer={"type": "Adam", "params": {"learning_rate": hp.Choice("lr", [1e-3, 1e-2])}},
            metrics=["accuracy"],
            epochs=1,
        )

    result = lamina.search(
        build,
        data=data,
        project=tmp_path,
        trials=2,
        sampler="random",
        seed=0,
        objective="val_accuracy",
        name="kt",
    )
    rows = result.table()
    assert len(rows) == 2 and all(r["state"] == "complete" for r in rows)
    assert seen[0] == 16  # build(HyperParameters()) gives the default spec first
    for r in rows:
        run = lamina.load_project(tmp_path).run(r["run_id"])
        assert run.spec.layers[1].params["units"] == r["params"]["units"]
        assert run.spec.compile.optimizer.params["learning_rate"] == r["params"]["lr"]
    assert result.study.directions[0].name == "MAXIMIZE"


def test_two_objectives_give_a_pareto_front(tmp_path, data) -> None:
    settings = SearchSettings(
        name="pareto",
        sampler="random",
        trials=4,
        seed=2,
        objectives=objectives_of(["val_loss", "val_accuracy"]),
    )
    space = {"units": [4, 8, 32, 64], "rate": [0.0, 0.3, 0.6]}
    result = run_search(mlp(), space, settings, project=tmp_path, data=data)
    rows = result.table()
    front = [r["values"] for r in rows if r["best"]]
    others = [r["values"] for r in rows if not r["best"]]
    assert front

    def dominates(a, b) -> bool:  # minimise loss, maximise accuracy
        return a[0] <= b[0] and a[1] >= b[1] and (a[0] < b[0] or a[1] > b[1])

    assert not any(dominates(a, b) for a in front for b in front)
    assert all(any(dominates(a, b) for a in front) for b in others)


def test_pruned_trials_stop_early(tmp_path, data) -> None:
    settings = SearchSettings(name="prune", sampler="grid", trials=6, seed=0, pruner="median")
    space = {"compile.optimizer.params.learning_rate": [1e-2, 2e-2, 1e-6, 2e-6, 3e-6, 4e-6]}
    result = run_search(mlp(epochs=4), space, settings, project=tmp_path, data=data)
    rows = result.table()
    pruned = [r for r in rows if r["state"] == "pruned"]
    assert pruned, rows
    project = lamina.load_project(tmp_path)
    for r in pruned:
        assert r["params"]["compile.optimizer.params.learning_rate"] < 1e-5
        run = project.run(r["run_id"])
        assert run.info["search"]["pruned_after_epoch"] == r["epochs"] < 4
        assert len(run.history["loss"]) == r["epochs"]


def test_a_study_reused_with_another_space_is_refused(tmp_path, data) -> None:
    from lamina.hpsearch import SearchError

    settings = SearchSettings(name="same", sampler="grid", trials=1, seed=0)
    run_search(mlp(), {"units": [16]}, settings, project=tmp_path, data=data)
    before = json.dumps(sorted(p.name for p in (tmp_path / "runs").iterdir()))
    with pytest.raises(SearchError) as info:
        run_search(mlp(), {"units": [16, 32]}, settings, project=tmp_path, data=data)
    msg = str(info.value)
    assert msg.startswith("search.name: the search 'same'") and "another space" in msg
    assert json.dumps(sorted(p.name for p in (tmp_path / "runs").iterdir())) == before
