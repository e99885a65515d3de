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
    "unknown-layer-close-match": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Conv2", "params": {}}]),
        ["layers[0].type", "unknown layer 'Conv2'", "did you mean 'Conv2D'"],
    ),
    "bool-param-as-text": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "params": {"units": 2, "use_bias": "yes"}}]),
        ["layers[0].params.use_bias", "expected true or false"],
    ),
    "float-units": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "params": {"units": 2.5}}]),
        ["layers[0].params.units", "expected an int"],
    ),
    "params-not-an-object": (
        ["check", "SPEC"],
        _spec(layers=[{"type": "Dense", "params": [1]}]),
        ["layers[0].params"],
    ),
    "layers-not-a-list": (["check", "SPEC"], _spec(layers={"a": 1}), ["layers", "list"]),
    "empty-stack": (["check", "SPEC"], _spec(layers=[]), ["layers", "empty"]),
    "zero-input-shape": (
        ["check", "SPEC"],
        _spec(**{"input.shape": [0]}),
        ["input: shape[0]", "positive"],
    ),
    "input-shape-as-text": (["check", "SPEC"], _spec(**{"input.shape": "2"}), ["input.shape"]),
    "unknown-optimizer-param": (
        ["check", "SPEC"],
        _spec(**{"compile.optimizer": {"type": "Adam", "params": {"learnin_rate": 0.1}}}),
        ["compile.optimizer.params.learnin_rate", "unknown parameter for Adam"],
    ),
    "metrics-not-a-list": (
        ["check", "SPEC"],
        _spec(**{"compile.metrics": "accuracy"}),
        ["compile.metrics"],
    ),
    "nan-batch-size": (
        ["check", "SPEC"],
        _spec().replace('"batch_size": 32', '"batch_size": NaN'),
        ["training.batch_size", "finite"],
    ),
    "zero-batch-size-in-spec": (
        ["check", "SPEC"],
        _spec(**{"training.batch_size": 0}),
        ["training.batch_size"],
    ),
    "empty-file": (["check", "SPEC"], "", ["SPEC", "malformed JSON"]),
    "json-empty-list": (["check", "SPEC"], "[]", ["SPEC", "JSON object"]),
    "utf16-file": (["check", "SPEC"], _spec().encode("utf-16"), ["SPEC", "cannot read"]),
    "spec-is-a-folder": (["check", "."], _spec(), [".: file not found"]),
    "epochs-zero-option": (
        ["train", "SPEC", "--data", "xor", "--epochs", "0"],
        _spec(),
        ["training.epochs", "greater than or equal to 1"],
    ),
    "negative-batch-size-option": (
        ["train", "SPEC", "--data", "xor", "--batch-size", "-1", "--epochs", "1"],
        _spec(),
        ["training.batch_size", "greater than or equal to 1"],
    ),
    "missing-gpu": (
        ["train", "SPEC", "--data", "xor", "--device", "gpu:7", "--epochs", "1"],
        _spec(),
        ["device 'gpu:7' is not available", "--device cpu"],
    ),
    "unknown-device": (
        ["train", "SPEC", "--data", "xor", "--device", "tpu", "--epochs", "1"],
        _spec(),
        ["unknown device 'tpu'"],
    ),
    "unknown-data-param": (
        ["train", "SPEC", "--data", "xor", "--data-param", "bogus=1", "--epochs", "1"],
        _spec(),
        ["params.bogus", "unknown parameter for xor"],
    ),
    "data-param-without-value": (
        ["train", "SPEC", "--data", "xor", "--data-param", "bogus", "--epochs", "1"],
        _spec(),
        ["--data-param expects K=V"],
    ),
    "unknown-dataset": (
        ["train", "SPEC", "--data", "xorr", "--epochs", "1"],
        _spec(),
        ["unknown dataset 'xorr'", "did you mean 'xor'"],
    ),
    "missing-data-file": (
        ["train", "SPEC", "--data", "nothere.npz", "--epochs", "1"],
        _spec(),
        ["nothere.npz", "file not found"],
    ),
    "path-traversal-spec-name-as-run-label": (
        ["train", "SPEC", "--data", "xor", "--epochs", "1"],
        _spec(name="../../outside"),
        ["name"],
    ),
    "path-traversal-catalog-name": (
        ["catalog", "../../etc/passwd"],
        _spec(),
        ["unknown entry '../../etc/passwd'"],
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
    assert not (tmp_path / "project").exists() and not (tmp_path.parent / "outside").exists()


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


def _csv_with_text_cell(folder):
    path = folder / "data.csv"
    path.write_text("a,b,y\n1,2,0\n3,x,1\n" + "1,2,0\n" * 10)
    return path


def _csv_without_label(folder):
    path = folder / "data.csv"
    path.write_text("a,b,c\n1,2,0\n3,4,1\n" + "1,2,0\n" * 10)
    return path


def _npz_without_x(folder):
    import numpy as np

    path = folder / "data.npz"
    np.savez(path, a=np.zeros((10, 2)))
    return path


def _npz_of_other_shape(folder):
    import numpy as np

    path = folder / "data.npz"
    np.savez(path, x=np.zeros((20, 3)), y=np.zeros(20))
    return path


def _h5_without_key(folder):
    import h5py
    import numpy as np

    path = folder / "data.h5"
    with h5py.File(path, "w") as handle:
        handle["z"] = np.zeros((10, 2))
    return path


def _image_folder_without_classes(folder):
    path = folder / "images"
    path.mkdir()
    (path / "readme.txt").write_text("no class folders here")
    return path


#: Data files with a user mistake: id -> (writer, extra options, what the message must contain).
#: ``DATA`` in the message is replaced by the data file's path.
DATA_CASES = {
    "csv-text-in-feature-column": (
        _csv_with_text_cell,
        [],
        ["DATA", "non-numeric value 'x'", "line 3", "column 'b'"],
    ),
    "csv-without-label-column": (
        _csv_without_label,
        ["--data-param", "target=y"],
        ["DATA", "target column 'y' not found", "available columns: a, b, c"],
    ),
    "npz-without-x": (_npz_without_x, [], ["DATA", "key 'x' not found", "available keys: a"]),
    "hdf5-without-key": (_h5_without_key, [], ["DATA", "key 'x' not found", "keys: z"]),
    "image-folder-without-classes": (
        _image_folder_without_classes,
        [],
        ["DATA", "one sub-folder of images per class"],
    ),
    "data-shape-not-the-spec-input": (
        _npz_of_other_shape,
        [],
        ["DATA", "expects inputs of shape (2,)", "has (3,)"],
    ),
}


@pytest.mark.parametrize("case", list(DATA_CASES), ids=list(DATA_CASES))
def test_bad_data_file_is_a_located_data_error(case, tmp_path, capsys, monkeypatch):
    write, options, expected = DATA_CASES[case]
    data = write(tmp_path)
    spec = tmp_path / "spec.json"
    spec.write_text(_spec())
    monkeypatch.chdir(tmp_path)
    before = _hashes(tmp_path)
    args = ["train", str(spec), "--data", str(data), *options, "--epochs", "1"]
    status = main([*args, "--project", str(tmp_path / "project")])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "internal error" not in err and "Traceback" not in err
    for part in expected:
        assert (str(data) if part == "DATA" else part) in err, err
    assert _hashes(tmp_path) == before
    assert not (tmp_path / "project").exists()


@pytest.fixture(scope="module")
def trained_project(tmp_path_factory):
    """A project with one finished run (xor, one epoch), copied by each case."""
    folder = tmp_path_factory.mktemp("trained") / "project"
    spec = folder.parent / "spec.json"
    spec.write_text(_spec())
    status = main(["train", str(spec), "--data", "xor", "--project", str(folder), "--no-progress"])
    assert status == 0
    return folder


def _write(name, text):
    def damage(project, run):
        (project / name if name == "project.json" else run / name).write_text(text)

    return damage


def _remove(name):
    def damage(project, run):
        (run / name).unlink()

    return damage


def _inputs(shape, raw=None):
    def damage(project, run):
        import numpy as np

        path = project.parent / "inputs.npy"
        if raw is None:
            np.save(path, np.zeros(shape))
        else:
            path.write_bytes(raw)

    return damage


def _lambda_keras_file(project, run):
    import tensorflow as tf

    inputs = tf.keras.Input((2,))
    outputs = tf.keras.layers.Lambda(lambda x: x * 2)(inputs)
    tf.keras.Model(inputs, outputs).save(project.parent / "model.keras")


#: Projects and runs that are damaged or not lamina's: id -> (damage(project, run), command,
#: what the message must contain). ``PROJECT``, ``RUN`` and ``HERE`` in the command and
#: the message are replaced by the project folder, the run folder and their parent.
PROJECT_CASES = {
    "foreign-project-json": (
        _write("project.json", '{"hello": 1}'),
        ["runs", "PROJECT"],
        ["PROJECT/project.json", "not a lamina project file"],
    ),
    "project-json-a-list": (
        _write("project.json", "[1]"),
        ["evaluate", "PROJECT"],
        ["PROJECT/project.json", "not a lamina project file"],
    ),
    "run-without-run-json": (
        _remove("run.json"),
        ["evaluate", "RUN"],
        ["RUN/run.json", "not found"],
    ),
    "run-json-a-list": (
        _write("run.json", "[1, 2]"),
        ["evaluate", "RUN"],
        ["RUN/run.json", "not a lamina run file"],
    ),
    "run-json-corrupt": (
        _write("run.json", "{bad"),
        ["evaluate", "RUN"],
        ["RUN/run.json", "malformed JSON"],
    ),
    "run-spec-json-invalid": (
        _write("spec.json", '{"name": "x"}'),
        ["evaluate", "RUN"],
        ["RUN/spec.json"],
    ),
    "predict-inputs-of-other-shape": (
        _inputs((3, 5)),
        ["predict", "RUN", "--input", "HERE/inputs.npy"],
        ["HERE/inputs.npy", "expects inputs of shape (2,)"],
    ),
    "predict-inputs-not-npy": (
        _inputs(None, raw=b"garbage"),
        ["predict", "RUN", "--input", "HERE/inputs.npy"],
        ["HERE/inputs.npy", "cannot read a .npy array"],
    ),
    "predict-pickled-npy": (
        _inputs(
            None,
            raw=b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, "
            b"'shape': (1,), }" + b" " * 52 + b"\n" + b"\x80\x04N.",
        ),
        ["predict", "RUN", "--input", "HERE/inputs.npy"],
        ["HERE/inputs.npy", "cannot read a .npy array"],
    ),
    "export-keras-wrong-suffix": (
        _remove("log.txt"),
        ["export", "RUN", "--keras", "HERE/out.txt"],
        ["HERE/out.txt", "must end in .keras"],
    ),
    "path-traversal-run-folder": (
        _remove("log.txt"),
        ["compare", "PROJECT/runs/../../elsewhere", "RUN"],
        ["PROJECT/runs/../../elsewhere", "run folder not found"],
    ),
    "keras-file-with-lambda-as-run": (
        _lambda_keras_file,
        ["predict", "HERE/model.keras", "--input", "HERE/model.keras"],
        ["HERE/model.keras", "run folder not found"],
    ),
}


def _copy_project(trained_project, tmp_path):
    import shutil

    project = tmp_path / "project"
    shutil.copytree(trained_project, project)
    (run,) = sorted((project / "runs").iterdir())
    return project, run


@pytest.mark.parametrize("case", list(PROJECT_CASES), ids=list(PROJECT_CASES))
def test_bad_project_or_run_is_a_located_error(
    case, trained_project, tmp_path, capsys, monkeypatch
):
    damage, command, expected = PROJECT_CASES[case]
    project, run = _copy_project(trained_project, tmp_path)
    damage(project, run)
    monkeypatch.chdir(tmp_path)
    names = {"PROJECT": str(project), "RUN": str(run), "HERE": str(tmp_path)}

    def fill(text):
        for key, value in names.items():
            text = text.replace(key, value)
        return text

    before = _hashes(tmp_path)
    capsys.readouterr()
    status = main([fill(a) for a in command])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "internal error" not in err and "Traceback" not in err
    for part in expected:
        assert fill(part) in err, err
    assert _hashes(tmp_path) == before


#: Damaged history files that ``runs`` and ``compare`` show as a run without curves.
TOLERATED = {
    "history-corrupt-runs": ("{bad", "runs"),
    "history-corrupt-compare": ("{bad", "compare"),
    "history-a-list-runs": ("[1]", "runs"),
    "history-a-list-compare": ("[1]", "compare"),
}


@pytest.mark.parametrize("case", list(TOLERATED), ids=list(TOLERATED))
def test_damaged_history_is_shown_without_curves(
    case, trained_project, tmp_path, capsys, monkeypatch
):
    text, command = TOLERATED[case]
    project, run = _copy_project(trained_project, tmp_path)
    (run / "history.json").write_text(text)
    monkeypatch.chdir(tmp_path)
    before = _hashes(tmp_path)
    capsys.readouterr()
    if command == "runs":
        status = main(["runs", str(project)])
    else:
        status = main(["compare", str(run), str(run), "--out", str(tmp_path / "c.png")])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "internal error" not in err and "Traceback" not in err
    assert run.name in out
    after = _hashes(tmp_path)
    assert {k: after.get(k) for k in before} == before


@pytest.mark.parametrize("run_id", ["../../elsewhere", "..", "a/../..", "/etc"])
def test_run_id_with_a_path_is_refused(run_id, trained_project, tmp_path):
    from lamina.project import ProjectError, find_run, load_project

    project, run = _copy_project(trained_project, tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    before = _hashes(tmp_path)
    with pytest.raises(ProjectError, match="is not a run id"):
        load_project(project).run(run_id)
    with pytest.raises(ProjectError, match="is not a run id"):
        find_run(project, run_id)
    assert load_project(project).run(run.name).path == run
    assert _hashes(tmp_path) == before


#: id -> (search space, extra arguments of ``lamina search``, what the message must contain)
#: (issue 15). ``PROJECT`` stands for the project folder, which already holds a project.
SEARCH_CASES = {
    "space-item-out-of-range": (
        {"layers[9].params.units": [2, 4]},
        [],
        ['space["layers[9].params.units"]: the spec has 1 items'],
    ),
    "space-low-not-below-high": (
        {"units": {"low": 8, "high": 2}},
        [],
        ['space["units"]: low must be < high'],
    ),
    "space-log-from-zero": (
        {"compile.optimizer.params.learning_rate": {"low": 0, "high": 0.1, "log": True}},
        [],
        ["log needs low > 0"],
    ),
    "space-float-range-for-an-int": (
        {"units": {"low": 2.5, "high": 8.0}},
        [],
        ["'units' of Dense allows ints, got a float range"],
    ),
    "space-unknown-parameter": ({"layers[0].params.unitz": [2]}, [], ["no parameter 'unitz'"]),
    "space-not-an-object": ([1, 2], [], ["SPACE", "JSON object"]),
    "unknown-sampler": ({"units": [2, 4]}, ["--sampler", "bayes"], ["--sampler", "'bayes'"]),
    "unknown-pruner": ({"units": [2, 4]}, ["--pruner", "asha"], ["--pruner", "'asha'"]),
    "unknown-metric": ({"units": [2, 4]}, ["--objective", "val_acc"], ["--objective", "val_acc"]),
    "bad-direction": ({"units": [2, 4]}, ["--direction", "up"], ["--direction", "'up'"]),
    "grid-over-a-continuous-range": (
        {"compile.optimizer.params.learning_rate": {"low": 0.001, "high": 0.1}},
        ["--sampler", "grid"],
        ["a grid needs a step or a list", "gives 5 values"],
    ),
    "unreachable-storage": (
        {"units": [2, 4]},
        ["--storage", "postgresql://ana:hunter2@127.0.0.1:1/lamina"],
        ["--storage", "postgresql://ana:***@127.0.0.1:1/lamina"],
    ),
    "not-a-storage-url": ({"units": [2, 4]}, ["--storage", "mongodb://x"], ["not a storage URL"]),
    "study-reused-with-another-space": (
        {"units": [2, 4, 8]},
        ["--name", "first"],
        ["--name (search.name): the search 'first'", "another space"],
    ),
}


@pytest.mark.parametrize("case", list(SEARCH_CASES), ids=list(SEARCH_CASES))
def test_bad_search_input_is_a_located_error(case, tmp_path, capsys, monkeypatch):
    from lamina.project import create_project

    space_json, extra, expected = SEARCH_CASES[case]
    spec, space = tmp_path / "spec.json", tmp_path / "space.json"
    spec.write_text(_spec())
    project = tmp_path / "project"
    create_project(project, spec=json.loads(_spec()))
    monkeypatch.chdir(tmp_path)
    base = ["search", str(spec), "--space", str(space), "--data", "xor", "--project", str(project)]
    if case == "study-reused-with-another-space":  # made with another space first
        space.write_text(json.dumps({"units": [2, 4]}))
        assert main([*base, "--name", "first", "--prepare"]) == 0
    space.write_text(json.dumps(space_json))
    capsys.readouterr()
    before = _hashes(tmp_path)
    try:
        status = main([*base, *extra])
    except SystemExit as exc:
        status = exc.code
    captured = capsys.readouterr()
    err = captured.err
    assert status == 2, err
    assert "internal error" not in err and "Traceback" not in err
    for part in expected:
        assert (str(space) if part == "SPACE" else part) in err, err
    assert "hunter2" not in captured.out + err
    assert _hashes(tmp_path) == before
