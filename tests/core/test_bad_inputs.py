"""A bad-input matrix (issue 14): each user mistake given to the CLI exits with status 2
and a located message, never "internal error", and leaves the files it was given as
they were."""

from __future__ import annotations

import errno
import hashlib
import json
import os

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


def _fits_cube(path):
    import numpy as np
    from astropy.io import fits

    fits.PrimaryHDU(np.random.default_rng(0).random((20, 8, 8)).astype("float32")).writeto(path)


def _fits_table(path):
    import numpy as np
    from astropy.table import Table

    rng = np.random.default_rng(0)
    Table({"a": rng.random(50), "b": rng.random(50), "y": rng.random(50)}).write(
        path, format="fits"
    )


def _truncate(path, keep):
    path.write_bytes(path.read_bytes()[:keep])


#: Data files that are damaged: id -> (writer, bytes kept, spec changes).
TRUNCATED_FITS = {
    "truncated-fits-cube": (_fits_cube, 4000, {"input.shape": [8, 8, 1]}),
    "truncated-fits-table": (_fits_table, 6000, {"input.shape": [2]}),
}


@pytest.mark.parametrize("case", list(TRUNCATED_FITS), ids=list(TRUNCATED_FITS))
def test_truncated_fits_data_is_a_located_data_error(case, tmp_path, capsys, monkeypatch):
    write, keep, changes = TRUNCATED_FITS[case]
    data = tmp_path / "data.fits"
    write(data)
    _truncate(data, keep)
    spec = tmp_path / "spec.json"
    spec.write_text(
        _spec(
            **changes,
            layers=["Flatten", {"type": "Dense", "params": {"units": 1}}],
            **{"compile.loss": "mean_squared_error"},
        )
    )
    monkeypatch.chdir(tmp_path)
    before = _hashes(tmp_path)
    args = ["train", str(spec), "--data", str(data), "--project", str(tmp_path / "project")]
    status = main(args)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "internal error" not in err and "Traceback" not in err
    assert str(data) in err and "truncated or damaged" in err, err
    assert _hashes(tmp_path) == before
    assert not (tmp_path / "project").exists()


def test_read_only_project_folder_is_a_located_error(tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    spec = tmp_path / "spec.json"
    spec.write_text(_spec(**{"input.shape": [2]}))
    from lamina.project import create_project

    create_project(project, spec=str(spec))
    before = _hashes(tmp_path)
    project.chmod(0o555)
    try:
        if os.access(project, os.W_OK):  # root writes anyway: make the write itself refuse
            real_mkdir = os.mkdir

            def mkdir(path, *args, **kwargs):
                if str(path).startswith(str(project)):
                    raise PermissionError(errno.EACCES, "Permission denied", str(path))
                return real_mkdir(path, *args, **kwargs)

            monkeypatch.setattr(os, "mkdir", mkdir)
        status = main(["train", str(spec), "--data", "xor", "--project", str(project)])
    finally:
        project.chmod(0o755)
    err = capsys.readouterr().err
    assert status == 2, err
    assert "internal error" not in err and "Traceback" not in err
    assert str(project) in err and "permission denied" in err.lower(), err
    assert "write" in err
    after = _hashes(tmp_path)
    assert after == before
