"""The model spec: validation with located errors, migration, JSON Schema."""

from __future__ import annotations

import json

import jsonschema
import pydantic
import pytest

import lamina
from lamina.spec import SPEC_VERSION, SpecError, json_schema, load_spec, parse_spec

GOOD = {
    "input": {"shape": [8, 8, 1]},
    "layers": ["Flatten", {"type": "Dense", "params": {"units": 10, "activation": "softmax"}}],
    "compile": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
}


def test_shorthands_expand_and_round_trip_through_json():
    spec = parse_spec(GOOD)
    assert spec.spec_version == SPEC_VERSION
    assert spec.layers[0].type == "Flatten" and spec.layers[0].params == {}
    assert spec.compile.loss.type == "sparse_categorical_crossentropy"
    assert spec.compile.optimizer.type == "Adam"
    assert parse_spec(json.loads(spec.to_json())) == spec


@pytest.mark.parametrize(
    "change, path",
    [
        ({"input": {"shape": [8, -2]}}, "input"),
        ({"input": None}, "input"),
        ({"layers": [{"type": "Dense", "parms": {}}]}, "layers[0].parms"),
        ({"training": {"epochs": 0}}, "training.epochs"),
        ({"compile": {"loss": 3}}, "compile.loss"),
    ],
)
def test_structural_errors_are_located(change, path):
    data = {**GOOD, **change}
    with pytest.raises(SpecError) as info:
        parse_spec(data)
    assert any(p.path.startswith(path) for p in info.value.problems), info.value.problems
    assert str(info.value).startswith(path)


def test_missing_input_shape_is_one_located_error():
    data = {k: v for k, v in GOOD.items() if k != "input"}
    with pytest.raises(SpecError) as info:
        parse_spec(data)
    assert str(info.value) == "input: required field is missing"


def test_malformed_json_file_names_file_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"input": {"shape": [8]},\n  "layers": [}\n')
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value).startswith(f"{path}: malformed JSON at line 2, column 14")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SpecError, match="nope.json: file not found"):
        load_spec(tmp_path / "nope.json")


def test_v0_fixture_migrates_forward_and_builds(shared_datadir=None):
    from pathlib import Path

    spec = load_spec(Path(__file__).parents[1] / "data" / "spec_v0.json")
    assert spec.spec_version == SPEC_VERSION
    assert spec.input.shape == [8, 8, 1]
    assert [i.type for i in spec.layers] == ["Flatten", "Dense", "Dense"]
    assert spec.layers[1].params == {"units": 16, "activation": "relu"}
    assert spec.compile.optimizer.type == "Adam"
    assert spec.training.epochs == 3
    report = lamina.check(spec)
    assert report.ok and report.output_shape == [10]


def test_newer_version_is_refused():
    with pytest.raises(SpecError, match="spec_version: version 99 is newer"):
        parse_spec({**GOOD, "spec_version": 99})


def test_json_schema_accepts_good_specs_and_rejects_bad_ones():
    schema = json_schema()
    jsonschema.validate(parse_spec(GOOD).to_dict(), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"layers": []}, schema)


def test_docs_carry_the_current_json_schema():
    from pathlib import Path

    path = Path(__file__).parents[2] / "docs" / "reference" / "spec.schema.json"
    assert json.loads(path.read_text()) == json_schema(), (
        "docs/reference/spec.schema.json is stale: run `python docs/gen_reference.py`"
    )


def test_make_spec_and_item_helpers():
    spec = lamina.make_spec(
        [8, 8, 1],
        ["Flatten", lamina.item("Dense", units=10, activation="softmax", name="out")],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        epochs=5,
    )
    assert spec.layers[1].name == "out" and spec.training.epochs == 5


def test_specs_are_immutable():
    spec = parse_spec(GOOD)
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        spec.name = "other"
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        spec.layers[0].type = "Dense"


def test_copy_with_shares_what_did_not_change_and_validates_the_rest():
    spec = parse_spec(GOOD)
    longer = spec.copy_with(training={**spec.training.model_dump(), "epochs": 7})
    assert longer.training.epochs == 7 and spec.training.epochs != 7
    assert longer.compile is spec.compile and longer.input is spec.input
    assert all(a is b for a, b in zip(longer.layers, spec.layers, strict=True))
    with pytest.raises(SpecError, match=r"training\.epochs: Input should be greater"):
        spec.copy_with(training={"epochs": 0})
    with pytest.raises(SpecError, match="colour: unknown field"):
        spec.copy_with(colour="red")


def test_with_item_and_with_layers_validate_only_the_new_items():
    spec = parse_spec(GOOD)
    edited = spec.with_item(1, {"type": "Dense", "params": {"units": 3}})
    assert edited.layers[1].params == {"units": 3} and spec.layers[1].params != {"units": 3}
    assert edited.layers[0] is spec.layers[0]
    assert all(a is b for a, b in zip(edited.layers[2:], spec.layers[2:], strict=True))
    with pytest.raises(SpecError, match=r"layers\[1\]\.type"):
        spec.with_item(1, {"type": ""})
    moved = spec.with_layers([spec.layers[-1], *spec.layers[:-1]])
    assert all(a is b for a, b in zip(moved.layers[1:], spec.layers, strict=False))
    assert moved.layers[0] is spec.layers[-1]
