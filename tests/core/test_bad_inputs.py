"""A bad-input matrix (issue 14): each user mistake given to the CLI exits with status 2
and a located message, never "internal error", and leaves the files it was given as
they were."""

from __future__ import annotations

import hashlib
import json

import pytest

from lamina.cli import main


def _spec(**changes):
    data = {
        "name": "bad",
        "input": {"shape": [2]},
        "layers": [{"type": "Dense", "params": {"units": 2, "activation": "softmax"}}],
        "compile": {"loss": "sparse_categorical_crossentropy"},
        "training": {"epochs": 1, "batch_size": 32},
    }
    for path, value in changes.items():
        target = data
        keys = path.split(".")
        for key in keys[:-1]:
            target = target.setdefault(key, {})
        target[keys[-1]] = value
    return json.dumps(data)


def _deep(levels):
    return '{"name": ' + "[" * levels + "]" * levels + "}"


SCHEDULE = {"type": "Adam", "params": {"learning_rate": {"type": "ExponentalDecay"}}}

#: id -> (command after the spec file, spec file text, expected exit status, what the
#: message must contain). ``SPEC`` in the command is replaced by the spec file's path.
CASES = {
    "deep-json": (["check", "SPEC"], _deep(100_000), ["SPEC", "nested"]),
    "deep-json-train": (["train", "SPEC", "--data", "xor"], _deep(100_000), ["SPEC", "nested"]),
    "negative-seed-in-spec": (["check", "SPEC"], _spec(**{"training.seed": -1}), ["training.seed"]),
    "misspelt-schedule": (
        ["check", "SPEC"],
        _spec(**{"compile.optimizer": SCHEDULE}),
        ["compile.optimizer.params.learning_rate.type", "ExponentialDecay"],
    ),
    "schedule-code": (
        ["check", "SPEC"],
        _spec(
            **{
                "compile.optimizer": {
                    "type": "Adam",
                    "params": {"learning_rate": {"type": "__import__('os').system('true')"}},
                }
            }
        ),
        ["learning_rate.type", "unknown learning-rate schedule"],
    ),
    "duplicate-layer-names": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "name": "d", "params": {"units": 2}}] * 2),
        ["layers[1].name", "already the name of layers[0]"],
    ),
    "non-ascii-layer-name": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "name": "émission", "params": {"units": 2}}]),
        ["layers[0].name", "letter or digit"],
    ),
    "symbol-model-name": (["check", "SPEC"], _spec(name="-model"), ["name", "letter or digit"]),
    "negative-units": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "params": {"units": -3}}]),
        ["layers[0]"],
    ),
    "not-json": (["check", "SPEC"], "{name: ", ["SPEC", "malformed JSON"]),
    "not-an-object": (["check", "SPEC"], "[1, 2]", ["SPEC", "JSON object"]),
    "binary-file": (["check", "SPEC"], b"\xff\xfe\x00bad", ["SPEC", "cannot read"]),
    "too-many-params": (
        ["check", "SPEC", "--max-params", "3"],
        _spec(),
        ["layers[0]", "limit of 3 parameters"],
    ),
    "negative-image-size": (
        ["train", "SPEC", "--data", "galaxies", "--data-param", "size=-3", "--epochs", "1"],
        _spec(
            **{"input.shape": [16, 16, 1]},
            layers=["Flatten", {"type": "Dense", "params": {"units": 3, "activation": "softmax"}}],
        ),
        ["size"],
    ),
    "catalog-unknown-name": (
        ["catalog", "Lambda"],
        _spec(),
        ["unknown entry 'Lambda'", "`lamina catalog`"],
    ),
    "missing-spec-file": (["check", "nowhere.json"], _spec(), ["nowhere.json", "file not found"]),
    "unknown-layer": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dens", "params": {"units": 2}}]),
        ["layers[0].type", "did you mean 'Dense'"],
    ),
    "head-not-last": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "IndependentNormal"}, {"type": "Dense", "params": {"units": 2}}]),
        ["layers[0].type", "must be the last item"],
    ),
    "unknown-loss": (
        ["check", "SPEC"],
        _spec(**{"compile.loss": "mse_typo"}),
        ["compile.loss.type"],
    ),
    "unknown-metric": (
        ["check", "SPEC"],
        _spec(**{"compile.metrics": ["acuracy"]}),
        ["compile.metrics[0]"],
    ),
    "unknown-optimizer": (
        ["check", "SPEC"],
        _spec(**{"compile.optimizer": {"type": "Adamm"}}),
        ["compile.optimizer.type"],
    ),
    "zero-epochs": (["check", "SPEC"], _spec(**{"training.epochs": 0}), ["training.epochs"]),
    "validation-split-above-1": (
        ["check", "SPEC"],
        _spec(**{"training.validation_split": 1.5}),
        ["training.validation_split"],
    ),
    "negative-input-shape": (
        ["check", "SPEC"],
        _spec(**{"input.shape": [-2]}),
        ["input: shape[0]"],
    ),
    "unknown-top-level-field": (["check", "SPEC"], _spec(**{"evil": "__import__('os')"}), ["evil"]),
    "future-spec-version": (["check", "SPEC"], _spec(spec_version=99), ["spec_version"]),
    "unknown-param": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "params": {"units": 2, "x=1)#": 1}}]),
        ["layers[0].params.x=1)#", "unknown parameter"],
    ),
    "string-units": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "params": {"units": "2"}}]),
        ["units"],
    ),
    "unknown-activation": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "params": {"units": 2, "activation": "__import__"}}]),
        ["activation"],
    ),
    "bad-regularizer": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "params": {"units": 2, "kernel_regularizer": "l3"}}]),
        ["kernel_regularizer"],
    ),
    "bad-max-params": (["check", "SPEC", "--max-params", "-1"], _spec(), ["--max-params"]),
    "lambda-layer-in-spec": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Lambda", "params": {"function": "lambda x: x"}}]),
        ["layers[0].type", "unknown layer 'Lambda'"],
    ),
    "path-traversal-model-name": (["check", "SPEC"], _spec(name="../../etc/passwd"), ["name"]),
    "path-traversal-layer-name": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "name": "../x", "params": {"units": 2}}]),
        ["layers[0].name"],
    ),
    "negative-checkpoint-interval": (
        ["train", "SPEC", "--data", "xor", "--checkpoint-every", "-5", "--epochs", "1"],
        _spec(),
        ["checkpoint_interval", ">= 0"],
    ),
    "negative-seed-option": (
        ["train", "SPEC", "--data", "xor", "--seed", "-1", "--epochs", "1"],
        _spec(),
        ["seed"],
    ),
}


def _hashes(folder):
    return {
        p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_is_a_located_user_error(case, tmp_path, capsys, monkeypatch):
    command, text, expected = CASES[case]
    spec = tmp_path / "spec.json"
    spec.write_bytes(text if isinstance(text, bytes) else text.encode())
    monkeypatch.chdir(tmp_path)
    before = _hashes(tmp_path)
    args = [str(spec) if a == "SPEC" else a for a in command]
    if args[0] == "train":
        args += ["--project", str(tmp_path / "project")]
    try:
        status = main(args)
    except SystemExit as exc:
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2, err
    assert "internal error" not in err and "Traceback" not in err
    for part in expected:
        assert (str(spec) if part == "SPEC" else part) in err, err
    after = _hashes(tmp_path)
    assert {k: after.get(k) for k in before} == before
