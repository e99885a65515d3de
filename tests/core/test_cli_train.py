"""``lamina train | evaluate | predict | export | demo`` in-process, and one subprocess run."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import lamina
import lamina.cli as cli

COURSE = {
    "name": "course",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Flatten"},
        {"type": "Dense", "params": {"units": 128, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": "Adam",
        "metrics": ["accuracy"],
    },
    "training": {"epochs": 15, "batch_size": 32},
}


@pytest.fixture(autouse=True)
def wired(monkeypatch):
    """Adds the train commands and the built-in datasets if the lead has not wired them yet."""
    if "lamina.cli.train_cmds" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", [*cli.COMMAND_MODULES, "lamina.cli.train_cmds"])
    from lamina.api import registry

    reg = registry()
    if reg.find("dataset", "digits") is None:
        from lamina_builtin.datasets import register_builtin_datasets

        register_builtin_datasets(reg.make_register("dataset", "lamina_builtin"))


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "course.json"
    path.write_text(json.dumps(COURSE))
    return path


def test_train_evaluate_predict_export(tmp_path, spec_file, capsys):
    from lamina.project import load_project

    project = tmp_path / "proj"
    rc = cli.main(
        ["train", str(spec_file), "--data", "digits", "--project", str(project), "--no-progress"]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "epoch 15/15" in out and "val_accuracy=" in out and "run saved in" in out
    # the data are reported before training: shapes, dtypes, classes, split sizes
    assert "data: digits: 1797 samples, x (1797, 8, 8, 1) float32, y (1797,) int64" in out
    assert "classes: 0 178, 1 182," in out
    assert "split: train 1258, validation 359, test 180 (drawn by fractions)" in out
    assert out.index("split: train") < out.index("epoch 1/15")
    run = load_project(project).latest_run()
    assert run.metrics["accuracy"] >= 0.95

    assert cli.main(["evaluate", str(project)]) == 0
    out = capsys.readouterr().out
    assert "confusion matrix" in out and "accuracy=" in out

    x = np.random.default_rng(0).random((5, 8, 8, 1)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    assert (
        cli.main(
            [
                "predict",
                str(run.path),
                "--input",
                str(tmp_path / "x.npy"),
                "--out",
                str(tmp_path / "y.npy"),
            ]
        )
        == 0
    )
    assert np.load(tmp_path / "y.npy").shape == (5, 10)

    assert cli.main(["export", str(run.path), "--python", str(tmp_path / "m.py")]) == 0
    assert "def build_model" in (tmp_path / "m.py").read_text()
    assert cli.main(["export", str(run.path), "--keras", str(tmp_path / "m.keras")]) == 0
    assert (tmp_path / "m.keras").is_file()


def test_bad_data_is_one_clear_line(tmp_path, spec_file, capsys):
    np.save(tmp_path / "bad.npy", np.zeros((10, 5)))
    rc = cli.main(
        [
            "train",
            str(spec_file),
            "--data",
            "galaxies",
            "--data-param",
            "n=30",
            "--project",
            str(tmp_path / "p"),
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "galaxies" in lines[0] and "expects inputs of shape" in lines[0]
    assert "Traceback" not in err

    rc = cli.main(
        ["train", str(spec_file), "--data", "no-such-set", "--project", str(tmp_path / "p")]
    )
    assert rc == 2 and "no-such-set" in capsys.readouterr().err

    rc = cli.main(["evaluate", str(tmp_path / "nowhere")])
    assert rc == 2 and "run folder not found" in capsys.readouterr().err


def test_demo_quick(tmp_path, capsys):
    from lamina.cli.demo_cmds import DEMO_VISUALIZATIONS
    from lamina.project import load_project

    assert cli.main(["demo", "--quick", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "validation accuracy reached:" in out
    run = load_project(tmp_path / "demo").latest_run()
    assert run.status == "finished" and run.spec.name == "demo-lenet-galaxies"
    pictures = sorted(p.name for p in (run.path / "viz").glob("*.png"))
    assert pictures == sorted(f"{kind}.png" for kind, _ in DEMO_VISUALIZATIONS)
    assert all((run.path / "viz" / name).stat().st_size > 5_000 for name in pictures)

    # lamina viz on the demo run: a PNG, and located errors naming the valid choices
    png = tmp_path / "gradcam.png"
    assert (
        cli.main(
            ["viz", "gradcam", "--run", str(tmp_path / "demo"), "--input", "2", "--out", str(png)]
        )
        == 0
    )
    assert png.stat().st_size > 5_000
    capsys.readouterr()
    assert (
        cli.main(
            [
                "viz",
                "feature_maps",
                "--run",
                str(run.path),
                "--input",
                "0",
                "--layer",
                "no_such_layer",
                "--out",
                str(tmp_path / "x.png"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "no_such_layer" in err and "conv2d_0" in err and "Traceback" not in err
    args = ["viz", "deconvnet", "--run", str(run.path), "--input", "0", "--layer", "0"]
    assert cli.main([*args, "--filter", "99", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "99" in err and "Traceback" not in err


def test_train_in_a_subprocess(tmp_path, spec_file):
    code = (
        "import sys, lamina.cli as c\n"
        "if 'lamina.cli.train_cmds' not in c.COMMAND_MODULES: c.COMMAND_MODULES.append('lamina.cli.train_cmds')\n"  # noqa: E501
        "from lamina.api import registry\n"
        "r = registry()\n"
        "if r.find('dataset', 'digits') is None:\n"
        "    from lamina_builtin.datasets import register_builtin_datasets\n"
        "    register_builtin_datasets(r.make_register('dataset', 'lamina_builtin'))\n"
        "sys.exit(c.main(sys.argv[1:]))\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "train",
            str(spec_file),
            "--data",
            "digits",
            "--epochs",
            "15",
            "--project",
            str(tmp_path / "p"),
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    test_line = [ln for ln in proc.stdout.splitlines() if ln.startswith("test (")][0]
    accuracy = float(test_line.split("accuracy=")[1].split()[0])
    assert accuracy >= 0.95


def test_ctrl_c_stops_the_run_cleanly_and_says_where_the_weights_are(tmp_path, spec_file):
    import signal
    import time

    from lamina.project import Run, load_project

    child = subprocess.Popen(
        [sys.executable, "-m", "lamina", "train", str(spec_file), "--data", "digits"]
        + ["--epochs", "500", "--checkpoint-every", "0", "--no-progress"]
        + ["--project", str(tmp_path / "p")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=hears_ctrl_c,  # as in a terminal, even if this suite runs as a job with &
    )
    lines = []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            assert line, child.stderr.read()[-2000:]
            lines.append(line)
            if line.startswith("epoch 3/500"):
                break
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=300)
    finally:
        child.kill()
    lines += out.splitlines(keepends=True)
    assert child.returncode == 130, f"{lines[-3:]}\n{err[-3000:]}"
    assert any(ln.startswith("checkpoint: best weights so far (epoch 1)") for ln in lines)
    assert "stopping the run after the current batch (Ctrl+C again stops at once)" in err
    (run,) = load_project(tmp_path / "p").runs(include_incomplete=True)
    assert run.status == "cancelled" and "Traceback" not in err
    epochs = run.info["epochs_run"]
    assert 3 <= epochs < 500 and len(run.history["loss"]) == epochs
    assert f"stopped by Ctrl+C after {epochs} epoch(s); the run is saved as cancelled" in err
    assert f"the weights of epoch {epochs} are in {run.path / 'weights.final.h5'}" in err
    best = run.info["best_epoch"]
    assert f"the best weights (epoch {best + 1}) are in {run.path / 'weights.best.h5'}" in err
    assert Run(run.path).model("best").count_params() == 9610


def hears_ctrl_c() -> None:
    """In a child before it starts: SIGINT as a terminal gives it (a job started with `&`
    from a script, as a CI step may be, passes SIGINT on ignored)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_cancels_the_token_once_and_interrupts_the_second_time():
    import signal
    import threading

    from lamina.cli.ctrl_c import CtrlCCancels
    from lamina.training import CancelToken

    before = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal
    try:
        token = CancelToken()
        told = threading.Event()
        token.add_listener(told.set)
        with CtrlCCancels(token) as ctrl_c:
            signal.raise_signal(signal.SIGINT)  # the first: no exception, the token is cancelled
            assert told.wait(30) and token.cancelled and ctrl_c.pressed
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

        quiet = CancelToken()
        with CtrlCCancels(quiet) as unused:
            pass
        assert not quiet.cancelled and not unused.pressed  # leaving does not cancel

        ignored = CancelToken()  # a process that ignores Ctrl+C keeps ignoring it
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with CtrlCCancels(ignored):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            signal.raise_signal(signal.SIGINT)
        assert not ignored.cancelled
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_csv_that_names_its_test_rows_is_trained_and_evaluated_on_them(tmp_path, capsys):
    from sklearn.datasets import load_digits

    from lamina.project import load_project

    d = load_digits()
    n = 400
    parts = np.where(np.arange(n) < 340, "train", "test")
    header = ",".join([f"p{i}" for i in range(64)] + ["digit", "part"])
    rows = [
        ",".join([*(f"{v:g}" for v in d.data[i] / 16.0), str(d.target[i]), parts[i]])
        for i in range(n)
    ]
    (tmp_path / "digits.csv").write_text(header + "\n" + "\n".join(rows) + "\n")
    spec = lamina.make_spec(
        [64],
        [lamina.item("Dense", units=32, activation="relu"), lamina.item("Dense", units=10)],
        loss={"type": "sparse_categorical_crossentropy", "params": {"from_logits": True}},
        metrics=["accuracy"],
        epochs=2,
    )
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec.to_dict()))
    rc = cli.main(
        [
            "train",
            str(spec_path),
            "--data",
            str(tmp_path / "digits.csv"),
            "--data-param",
            "target=digit",
            "--data-param",
            "split_column=part",
            "--project",
            str(tmp_path / "p"),
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert (
        "split: train 272, validation 68, test 60 "
        "(test given by the data, validation drawn from its training samples)" in out
    )
    run = load_project(tmp_path / "p").latest_run()
    assert run.info["split"]["given"] == ["train", "test"]
    assert run.metrics["n"] == 60
    assert cli.main(["evaluate", str(run.path)]) == 0  # reloads the file: the same 60 rows
    assert "(60 samples)" in capsys.readouterr().out


# -- lamina train --continue-from RUN ---------------------------------------------------


def small_course(units=16):
    """COURSE made small and quick to learn (for the continue-from tests)."""
    spec = json.loads(json.dumps(COURSE))
    spec["layers"][1]["params"]["units"] = units
    spec["compile"]["optimizer"] = {"type": "Adam", "params": {"learning_rate": 0.01}}
    spec["training"] = {"epochs": 4, "batch_size": 64, "seed": 1}
    return spec


def write_spec(tmp_path, spec, name="spec.json"):
    path = tmp_path / name
    path.write_text(json.dumps(spec))
    return str(path)


def train_cli(spec_file, project, *extra):
    return cli.main(
        ["train", spec_file, "--data", "digits", "--project", str(project), "--no-progress", *extra]
    )


def test_continue_from_a_run_id_and_from_a_run_folder(tmp_path, capsys):
    from lamina.project import load_project

    project = tmp_path / "proj"
    spec_file = write_spec(tmp_path, small_course())
    assert train_cli(spec_file, project) == 0
    first = load_project(project).runs()[0]
    assert train_cli(spec_file, project, "--epochs", "1", "--continue-from", first.id) == 0
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
    assert train_cli(spec_file, other, "--epochs", "1", "--continue-from", str(second.path)) == 0
    third = load_project(other).runs()[0]
    assert third.info["continued_from"]["run_id"] == second.id


def test_an_unknown_run_is_a_located_error_naming_the_runs(tmp_path, capsys):
    project = tmp_path / "proj"
    spec_file = write_spec(tmp_path, small_course())
    assert train_cli(spec_file, project, "--epochs", "1") == 0
    capsys.readouterr()
    assert train_cli(spec_file, project, "--continue-from", "no-such-run") == 2
    err = capsys.readouterr().err
    assert "--continue-from" in err and "no-such-run" in err
    from lamina.project import load_project

    run_id = load_project(project).runs()[0].id
    assert run_id in err  # the hint names the project's runs
    assert len(load_project(project).runs()) == 1  # nothing was trained


def test_a_spec_the_weights_do_not_fit_is_a_located_error(tmp_path, capsys):
    from lamina.project import load_project

    project = tmp_path / "proj"
    assert train_cli(write_spec(tmp_path, small_course()), project, "--epochs", "1") == 0
    first = load_project(project).runs()[0]
    wider = small_course(units=32)
    capsys.readouterr()
    rc = train_cli(write_spec(tmp_path, wider, "wider.json"), project, "--continue-from", first.id)
    err = capsys.readouterr().err
    assert rc == 2
    assert "do not fit this model" in err and str(first.path) in err
    assert "Traceback" not in err
    assert len(load_project(project).runs()) == 1
