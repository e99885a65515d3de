"""Search spaces, settings, hp.* and password redaction (issue 15), without training."""

from __future__ import annotations

import json

import pytest

import lamina
from lamina.hpsearch import (
    HyperParameters,
    SearchError,
    SearchSettings,
    SearchSpace,
    infer_direction,
    objectives_of,
    redact,
)
from lamina.hpsearch.results import check_objectives


def mlp():
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
    )


def cnn():
    return lamina.make_spec(
        [8, 8, 1],
        [
            lamina.item("Conv2D", filters=4, kernel_size=3, activation="relu"),
            "Flatten",
            lamina.item("Dense", units=10, activation="softmax"),
        ],
        loss="sparse_categorical_crossentropy",
    )


def error_of(space, spec=None) -> str:
    with pytest.raises(SearchError) as info:
        SearchSpace.from_json(space, spec or mlp())
    return str(info.value)


def test_item_out_of_range_is_located() -> None:
    msg = error_of({"layers[9].params.units": [16, 32]})
    assert msg.startswith('space["layers[9].params.units"]: the spec has 4 items')


def test_low_must_be_below_high() -> None:
    msg = error_of({"layers[1].params.units": {"low": 64, "high": 16}})
    assert 'space["layers[1].params.units"]: low must be < high' in msg


def test_log_needs_positive_low() -> None:
    msg = error_of(
        {"compile.optimizer.params.learning_rate": {"low": 0.0, "high": 0.1, "log": True}}
    )
    assert 'space["compile.optimizer.params.learning_rate"]: log needs low > 0' in msg


def test_int_param_given_a_float_range() -> None:
    msg = error_of({"layers[0].params.kernel_size": {"low": 1.5, "high": 4.0}}, cnn())
    assert "'kernel_size' of Conv2D allows positive ints, got a float range" in msg
    assert msg.startswith('space["layers[0].params.kernel_size"]')


def test_unknown_parameter_and_bad_choices_are_located() -> None:
    assert "Dense has no parameter 'unit'" in error_of({"layers[1].params.unit": [1, 2]})
    assert "unknown optimizer(s) 'Adamm'" in error_of({"compile.optimizer.type": ["Adam", "Adamm"]})
    msg = error_of({"layers[1].params.activation": ["relu", "nope"]})
    assert 'space["layers[1].params.activation"]' in msg and "nope" in msg
    assert "training has no numeric setting 'epochz'" in error_of({"training.epochz": [1, 2]})
    assert "the list of choices is empty" in error_of({"rate": []})


def test_bare_names_resolve_to_the_one_item_leaving_out_the_output() -> None:
    space = SearchSpace.from_json({"units": [16, 64], "rate": [0.0, 0.5]}, mlp())
    assert space.paths == ["layers[1].params.units", "layers[2].params.rate"]
    two_hidden = mlp().with_item(2, lamina.item("Dense", units=8))
    msg = error_of({"units": [16, 64]}, two_hidden)
    assert "2 items have a parameter 'units'" in msg and "layers[1].params.units" in msg


def test_apply_returns_a_new_spec_and_keeps_the_old() -> None:
    spec = mlp()
    space = SearchSpace.from_json(
        {
            "units": [16, 64],
            "compile.optimizer.params.learning_rate": {"low": 1e-4, "high": 1e-1, "log": True},
            "compile.optimizer.type": ["Adam", "SGD"],
            "training.batch_size": {"low": 16, "high": 64, "step": 16},
        },
        spec,
    )
    new = space.apply(
        spec,
        {
            "layers[1].params.units": 64,
            "compile.optimizer.params.learning_rate": 0.01,
            "compile.optimizer.type": "SGD",
            "training.batch_size": 48,
        },
    )
    assert new.layers[1].params["units"] == 64 and spec.layers[1].params["units"] == 32
    assert new.compile.optimizer.type == "SGD"
    assert new.compile.optimizer.params["learning_rate"] == 0.01
    assert new.training.batch_size == 48 and spec.training.batch_size == 32
    assert lamina.check(new).ok


def test_grid_counts_and_refuses_a_continuous_range() -> None:
    space = SearchSpace.from_json({"units": [16, 64], "rate": [0.0, 0.5]}, mlp())
    assert space.grid_size() == 4
    stepped = SearchSpace.from_json({"units": {"low": 16, "high": 64, "step": 16}}, mlp())
    assert stepped.grid() == {"layers[1].params.units": [16, 32, 48, 64]}
    cont = SearchSpace.from_json({"rate": {"low": 0.0, "high": 0.5}}, mlp())
    with pytest.raises(SearchError) as info:
        cont.grid()
    msg = str(info.value)
    assert msg.startswith('space["layers[2].params.rate"]') and "step 0.125 gives 5 values" in msg


def test_space_from_a_file_and_malformed_json(tmp_path) -> None:
    path = tmp_path / "space.json"
    path.write_text(json.dumps({"units": [16, 64]}))
    assert SearchSpace.from_json(str(path), mlp()).paths == ["layers[1].params.units"]
    path.write_text("{units: ")
    assert str(path) in error_of(str(path)) and "malformed JSON" in error_of(str(path))


def test_settings_are_checked_and_directions_inferred() -> None:
    for kwargs, where in (
        ({"sampler": "bayes"}, "search.sampler: "),
        ({"pruner": "asha"}, "search.pruner: "),
        ({"trials": 0}, "search.trials: "),
        ({"name": "../x"}, "search.name: "),
    ):
        with pytest.raises(SearchError) as info:
            SearchSettings(**kwargs)
        assert str(info.value).startswith(where)
    assert infer_direction("val_loss") == "minimize"
    assert infer_direction("val_accuracy") == "maximize"
    assert infer_direction("val_mae") == "minimize"
    assert infer_direction("val_auc") == "maximize"
    assert [o.direction for o in objectives_of(["val_loss", "val_accuracy"])] == [
        "minimize",
        "maximize",
    ]
    assert objectives_of("val_accuracy", "minimize")[0].direction == "minimize"
    with pytest.raises(SearchError):
        SearchSettings(pruner="median", objectives=objectives_of(["val_loss", "val_accuracy"]))


def test_unknown_objective_metric_is_refused() -> None:
    with pytest.raises(SearchError) as info:
        check_objectives(SearchSettings(objectives=objectives_of("val_acc")), mlp())
    assert str(info.value).startswith("search.objectives: ") and "val_accuracy" in str(info.value)
    check_objectives(SearchSettings(objectives=objectives_of("test_accuracy")), mlp())


def test_hp_has_keras_tuner_names_and_defaults() -> None:
    import optuna

    hp = HyperParameters()
    assert hp.Int("units", 32, 512, step=32) == 32
    assert hp.Float("lr", 1e-4, 1e-2, sampling="log") == 1e-4
    assert hp.Choice("act", ["relu", "tanh"]) == "relu"
    assert hp.Boolean("bn") is False
    trial = optuna.trial.FixedTrial({"units": 96, "lr": 0.003, "act": "tanh", "bn": True})
    hp = HyperParameters(trial)
    assert hp.Int("units", min_value=32, max_value=512, step=32) == 96
    assert hp.Float("lr", min_value=1e-4, max_value=1e-2, sampling="log") == 0.003
    assert hp.Choice("act", values=["relu", "tanh"]) == "tanh"
    assert hp.Boolean("bn", default=False) is True
    assert hp.values == {"units": 96, "lr": 0.003, "act": "tanh", "bn": True}
    with pytest.raises(SearchError, match=r"hp.Float\('lr'\): log sampling needs min_value > 0"):
        HyperParameters().Float("lr", 0.0, 1.0, sampling="log")


def test_redact_hides_every_password() -> None:
    assert redact("postgresql://ana:s3cr@t!@db.example.org:5432/lamina") == (
        "postgresql://ana:***@db.example.org:5432/lamina"
    )
    text = "could not connect: postgresql+psycopg2://u:pw@h/db?sslmode=require&password=pw"
    out = redact(text)
    assert "pw" not in out.replace("psycopg2", "") and "u:***@h/db" in out
    assert redact("sqlite:///x.db") == "sqlite:///x.db"


def test_unreachable_storage_is_named_without_its_password(tmp_path) -> None:
    from lamina.hpsearch.storage import open_storage

    url = "postgresql://lamina:hunter2@127.0.0.1:1/nodb"
    with pytest.raises(SearchError) as info:
        open_storage(url, tmp_path)
    msg = str(info.value)
    assert msg.startswith(
        "search.storage: cannot open the storage postgresql://lamina:***@127.0.0.1:1/nodb"
    )
    assert "hunter2" not in msg


def test_a_study_killed_while_being_created_is_taken_over(tmp_path) -> None:
    """A kill between Optuna's create_study and lamina's record leaves a study with no
    record and no trials: the same command takes it over; one with trials is refused."""
    import optuna

    from lamina.hpsearch.storage import open_storage
    from lamina.hpsearch.study import create_or_resume, stored

    settings = SearchSettings(name="s", sampler="random", trials=2, seed=0)
    space = SearchSpace.from_json({"units": [16, 32]}, mlp())
    optuna.create_study(storage=open_storage(None, tmp_path), study_name="s")
    study = create_or_resume(mlp(), space, settings, tmp_path, "digits")
    assert stored(study) is not None and stored(study)["space"] == space.to_json()

    foreign = optuna.create_study(storage=open_storage(None, tmp_path), study_name="t")
    foreign.enqueue_trial({"x": 1.0})
    with pytest.raises(SearchError, match="not made by lamina"):
        create_or_resume(mlp(), space, SearchSettings(name="t", trials=2), tmp_path, "digits")


def test_slurm_template_names_the_study_and_quotes_the_folder() -> None:
    from lamina.hpsearch.slurm import slurm_template

    script = slurm_template("mlp-1", "/scratch/my runs; rm -rf ~")
    assert 'srun lamina search worker --study mlp-1 --project "$PROJECT"' in script
    assert "PROJECT='/scratch/my runs; rm -rf ~'\n" in script
    assert "#SBATCH --job-name=lamina-mlp-1\n" in script
    with pytest.raises(SearchError, match="search.name: 'x; rm -rf ~' is not a valid search name"):
        slurm_template("x; rm -rf ~", "p")


def test_slurm_template_from_the_cli_refuses_a_bad_name(capsys) -> None:
    from lamina.cli import main

    assert main(["search", "--slurm-template", "--name", "a b", "--project", "p"]) == 2
    err = capsys.readouterr().err
    assert "--name (search.name): 'a b' is not a valid search name" in err
    assert "internal error" not in err


def test_core_errors_name_the_setting_and_the_cli_adds_its_option(tmp_path, capsys) -> None:
    """The core locates a mistake at the search setting (what the app shows); the command
    line puts its option in front (``--sampler (search.sampler)``)."""
    from lamina.cli import main
    from lamina.cli.search_cmds import with_flag

    with pytest.raises(SearchError) as info:
        SearchSettings(sampler="bayes")
    assert info.value.location == "search.sampler" and "--" not in str(info.value)

    spec, space = tmp_path / "spec.json", tmp_path / "space.json"
    spec.write_text(mlp().to_json())
    space.write_text(json.dumps({"units": [16, 32]}))
    project = tmp_path / "p"
    run = ["search", str(spec), "--space", str(space), "--project", str(project)]
    assert main([*run, "--sampler", "bayes"]) == 2
    assert "--sampler (search.sampler): unknown sampler 'bayes'" in capsys.readouterr().err
    assert not project.exists()
    assert main([*run, "--objective", "val_acc"]) == 2
    assert "--objective (search.objectives): the runs of this spec do not log 'val_acc'" in (
        capsys.readouterr().err
    )
    # a space entry keeps its own location; a worker's study name is its --study
    assert main([*run, "--data", "digits", "--prepare"]) == 0
    assert main(["search", "worker", "--study", "nope", "--project", str(project)]) == 2
    assert "--study (search.name): no search 'nope'" in capsys.readouterr().err
    assert main(["search", "show", "--name", "nope", "--project", str(project)]) == 2
    assert "--name (search.name): no search 'nope'" in capsys.readouterr().err
    assert with_flag('space["layers[1].params.units"]') is None


def test_long_lived_objects_are_frozen_during_a_search_and_handed_back() -> None:
    """Between trials the collector walks only new objects (see `long_lived_objects_frozen`);
    the first trial's survivors are frozen too, later trials' are not (no leak)."""
    import gc

    from lamina.hpsearch.run import long_lived_objects_frozen, settle

    assert gc.get_freeze_count() == 0
    with long_lived_objects_frozen():
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        kept = [[i] for i in range(5000)]  # objects a first trial leaves alive
        settle(freeze=True)
        assert gc.get_freeze_count() >= frozen + 5000
        after_first = gc.get_freeze_count()
        more = [[i] for i in range(5000)]
        settle(freeze=False)
        assert gc.get_freeze_count() <= after_first and len(kept) == len(more)
    assert gc.get_freeze_count() == 0
