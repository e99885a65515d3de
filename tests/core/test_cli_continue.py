"""``lamina train --continue-from RUN``: a run id of the project or a run folder; located errors."""

from __future__ import annotations

import json

import pytest

import lamina.cli as cli

SPEC = {
    "name": "digits-mlp",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Flatten"},
        {"type": "Dense", "params": {"units": 16, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {"learning_rate": 0.01}},
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 4, "batch_size": 64, "seed": 1},
}


@pytest.fixture(autouse=True)
def wired(monkeypatch):
    """The train command and the built-in datasets, as in ``test_cli_train``."""
    if "lamina.cli.train_cmds" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", [*cli.COMMAND_MODULES, "lamina.cli.train_cmds"])
    from lamina.api import registry

    reg = registry()
    if reg.find("dataset", "digits") is None:
        from lamina_builtin.datasets import register_builtin_datasets

        register_builtin_datasets(reg.make_register("dataset", "lamina_builtin"))


def write_spec(tmp_path, spec, name="spec.json"):
    path = tmp_path / name
    path.write_text(json.dumps(spec))
    return str(path)


def train(spec_file, project, *extra):
    return cli.main(
        ["train", spec_file, "--data", "digits", "--project", str(project), "--no-progress", *extra]
    )


def test_continue_from_a_run_id_and_from_a_run_folder(tmp_path, capsys):
    from lamina.project import load_project

    project = tmp_path / "proj"
    spec_file = write_spec(tmp_path, SPEC)
    assert train(spec_file, project) == 0
    first = load_project(project).runs()[0]
    assert train(spec_file, project, "--epochs", "1", "--continue-from", first.id) == 0
    runs = load_project(project).runs()
    second = runs[-1]
    assert second.info["continued_from"] == {
        "run_id": first.id,
        "run_dir": str(first.path),
        "epochs_run": 4,
    }
    # it went on from the last weights: its first loss is near the first run's last one
    last, resumed = first.history["loss"][-1], second.history["loss"][0]
    assert resumed == pytest.approx(last, rel=0.35) and resumed < 0.6 * first.history["loss"][0]

    other = tmp_path / "other"  # a run folder works from another project too
    assert train(spec_file, other, "--epochs", "1", "--continue-from", str(second.path)) == 0
    third = load_project(other).runs()[0]
    assert third.info["continued_from"]["run_id"] == second.id


def test_an_unknown_run_is_a_located_error_naming_the_runs(tmp_path, capsys):
    project = tmp_path / "proj"
    spec_file = write_spec(tmp_path, SPEC)
    assert train(spec_file, project, "--epochs", "1") == 0
    capsys.readouterr()
    assert train(spec_file, project, "--continue-from", "no-such-run") == 2
    err = capsys.readouterr().err
    assert "--continue-from" in err and "no-such-run" in err
    from lamina.project import load_project

    run_id = load_project(project).runs()[0].id
    assert run_id in err  # the hint names the project's runs
    assert len(load_project(project).runs()) == 1  # nothing was trained


def test_a_spec_the_weights_do_not_fit_is_a_located_error(tmp_path, capsys):
    from lamina.project import load_project

    project = tmp_path / "proj"
    assert train(write_spec(tmp_path, SPEC), project, "--epochs", "1") == 0
    first = load_project(project).runs()[0]
    wider = json.loads(json.dumps(SPEC))
    wider["layers"][1]["params"]["units"] = 32
    capsys.readouterr()
    rc = train(write_spec(tmp_path, wider, "wider.json"), project, "--continue-from", first.id)
    err = capsys.readouterr().err
    assert rc == 2
    assert "do not fit this model" in err and str(first.path) in err
    assert "Traceback" not in err
    assert len(load_project(project).runs()) == 1
