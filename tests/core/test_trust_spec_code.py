"""Findings 2 and 4 of issue 14: spec text never becomes code, and `check` catches what
training would fail on (schedules, duplicate names, names TensorFlow refuses)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

import lamina
from lamina.export import ExportError, export_python, generate_python


def _spec(name="model", schedule=None, layer_names=(None, None)):
    lr = schedule if schedule is not None else 0.01
    return lamina.make_spec(
        [4],
        [
            lamina.item("Dense", units=3, activation="relu", name=layer_names[0]),
            lamina.item("Dense", units=1, name=layer_names[1]),
        ],
        loss="mean_squared_error",
        optimizer={"type": "Adam", "params": {"learning_rate": lr}},
        name=name,
    )


def _problems(spec):
    return [(p.path, p.message) for p in lamina.check(spec).problems]


def _payload(marker):
    return f"__import__('pathlib').Path({str(marker)!r}).touch()"


# finding 2: schedules ------------------------------------------------------------


def test_check_refuses_a_schedule_type_that_is_code(tmp_path):
    marker = tmp_path / "ran"
    spec = _spec(schedule={"type": f"ExponentialDecay(0.1, 10, 0.9) or {_payload(marker)}"})
    problems = _problems(spec)
    assert problems and problems[0][0] == "compile.optimizer.params.learning_rate.type"
    assert "unknown learning-rate schedule" in problems[0][1]
    assert "ExponentialDecay" in problems[0][1]  # the known ones are listed
    with pytest.raises(ExportError):
        generate_python(spec)
    assert not marker.exists()


@pytest.mark.parametrize(
    "schedule, path",
    [
        ({"type": "ExponentalDecay", "params": {}}, "learning_rate.type"),
        ({"type": "Adam"}, "learning_rate.type"),
        ({"type": "__class__"}, "learning_rate.type"),
        (
            {"type": "ExponentialDecay", "params": {"initial_learning_rate": 0.1, "x=1": 2}},
            "learning_rate.params.x=1",
        ),
        ({"type": "ExponentialDecay", "params": [1, 2]}, "learning_rate.params"),
    ],
)
def test_check_refuses_misspelt_or_bad_schedules(schedule, path):
    problems = _problems(_spec(schedule=schedule))
    assert problems, schedule
    assert problems[0][0] == f"compile.optimizer.params.{path}"


def test_known_schedule_still_checks_and_exports():
    spec = _spec(
        schedule={
            "type": "ExponentialDecay",
            "params": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9},
        }
    )
    assert _problems(spec) == []
    text = generate_python(spec)
    assert "keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.1" in text


# finding 2: hostile names -------------------------------------------------------


HOSTILE_NAMES = [
    'a"""b',
    "x\\N{y}",
    'it\'s "quoted"',
    "two\nlines",
    '"""; import os; """',
    "{x}",
    "\\",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_spec_name_gives_a_script_that_compiles_and_keeps_it_literal(tmp_path, name):
    hostile = name + f'\n"""\n{_payload(tmp_path / "ran")}\n"""'
    text = generate_python(_spec(name=hostile, layer_names=(hostile, None)))
    compile(text, "model.py", "exec")
    assert ast.get_docstring(ast.parse(text)).startswith(repr(hostile))  # shown as data
    assert f"name={hostile!r}" in text  # the layer's name, a literal


def test_exported_script_with_hostile_names_runs_no_payload(tmp_path):
    marker = tmp_path / "ran"
    hostile = "".join(HOSTILE_NAMES) + f'\n"""\n{_payload(marker)}\n"""'
    script = tmp_path / 'model""".py'
    export_python(_spec(name=hostile), script)
    run = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert not marker.exists()


def test_hostile_param_name_is_refused_by_export(tmp_path):
    marker = tmp_path / "ran"
    spec = _spec()
    data = spec.model_dump(mode="json")
    data["layers"][0]["params"][f"x=({_payload(marker)}), units"] = 1
    with pytest.raises(ExportError, match="unknown parameter"):
        generate_python(lamina.parse_spec(data))
    assert not marker.exists()


# finding 4: names ------------------------------------------------------------------


def test_check_refuses_duplicate_layer_names():
    problems = _problems(_spec(layer_names=("same", "same")))
    assert problems and problems[0][0] == "layers[1].name"
    assert "layers[0]" in problems[0][1]


def test_check_refuses_a_default_name_taken_by_another_item():
    problems = _problems(_spec(layer_names=("dense_1", None)))
    assert problems and problems[0][0] == "layers[1].name"


@pytest.mark.parametrize("bad", ["émission", "_x", "-x", "my layer", "a:b", "名"])
def test_check_refuses_names_tensorflow_does_not_accept(bad):
    problems = _problems(_spec(layer_names=(bad, None)))
    assert problems and problems[0][0] == "layers[0].name"
    assert "letter or digit" in problems[0][1]
    if bad not in ("my layer", "a:b"):  # the model is named after snake(name): my_layer
        problems = _problems(_spec(name=bad))
        assert problems and problems[0][0] == "name"


@pytest.mark.parametrize("good", ["digits-mlp", "conv2d_0", "Model.v2", "3d"])
def test_check_accepts_ordinary_names(good):
    assert _problems(_spec(name=good, layer_names=(good, None))) == []
    assert _problems(_spec(name="My Model")) == []  # the model is named my_model


def test_exported_model_is_named_as_build_model_names_it():
    """A checked spec named 'My Model' must export a script whose model trains (TensorFlow
    refuses 'My Model' as a scope name; lamina names the model 'my_model')."""
    spec = _spec(name="My Model")
    assert lamina.build_model(spec).name == "my_model"
    assert "keras.Model(inputs, x, name='my_model')" in generate_python(spec)
