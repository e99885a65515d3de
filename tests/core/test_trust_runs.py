"""Issue 14, findings 3, 4, 8 and 9: project commands use the last good run, a run's
files are located in its errors, tiny data are refused before anything is written,
stale temp files are cleaned, and a full disk during a checkpoint is a clear error."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import lamina
from lamina.cli import main
from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina.errors import LaminaError
from lamina.project import ProjectError, find_run, load_project, load_run


def _regression(n=64, scale=1.0):
    rng = np.random.default_rng(0)
    return Dataset(
        x=rng.normal(size=(n, 4)) * scale,
        y=rng.normal(size=n) * scale**2,
        name="wild",
        task="regression",
    )


def _spec(lr, epochs=2):
    return lamina.make_spec(
        [4],
        [lamina.item("Dense", units=1)],
        name="reg",
        loss="mean_squared_error",
        optimizer={"type": "SGD", "params": {"learning_rate": lr}},
        epochs=epochs,
    )


def _hashes(folder):
    return {
        p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def good_then_failed(tmp_path_factory):
    """A project whose latest run diverged (failed, no weights) after a finished one."""
    project = tmp_path_factory.mktemp("p") / "project"
    good = lamina.train(_spec(0.01), data=_regression(), project=project)
    bad = lamina.train(_spec(10.0, epochs=20), data=_regression(scale=1e3), project=project)
    assert (good.status, bad.status) == ("finished", "failed")
    return project, good.run_id, bad.run_id


# Finding 4: a failed run blocks the project.


def test_find_run_skips_a_failed_latest_run_and_says_so(good_then_failed):
    project, good, bad = good_then_failed
    notes = []
    run = find_run(project, note=notes.append)
    assert run.id == good
    assert notes == [f"using run {good} (the latest finished run; {bad} failed)"]


def test_find_run_names_the_run_asked_for_even_if_failed(good_then_failed):
    project, _, bad = good_then_failed
    assert find_run(project, bad).id == bad


@pytest.mark.parametrize("command", ["predict", "export"])
def test_project_commands_use_the_last_good_run(good_then_failed, command, tmp_path, capsys):
    project, good, bad = good_then_failed
    before = _hashes(project)
    if command == "predict":
        np.save(tmp_path / "x.npy", np.zeros((3, 4), dtype=np.float32))
        args = ["predict", str(project), "--input", str(tmp_path / "x.npy")]
    else:
        args = ["export", str(project), "--keras", str(tmp_path / "m.keras")]
    status = main(args)
    err = capsys.readouterr().err
    assert status == 0, err
    assert f"using run {good} (the latest finished run; {bad} failed)" in err
    assert _hashes(project) == before


def test_a_project_with_only_failed_runs_says_so(tmp_path):
    project = tmp_path / "project"
    bad = lamina.train(_spec(10.0, epochs=20), data=_regression(scale=1e3), project=project)
    with pytest.raises(ProjectError, match=f"no finished run.*{bad.run_id} failed"):
        find_run(project)


# Finding 8: located run files, too few samples.


@pytest.mark.parametrize(
    "field, value, use",
    [("type", "Dens", "model"), ("params", 5, "spec"), ("params", {"units": -1}, "model")],
)
def test_invalid_spec_in_a_run_names_the_file(good_then_failed, tmp_path, field, value, use):
    project, good, _ = good_then_failed
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    for name in ("run.json", "history.json", "metrics.json", "weights.final.h5"):
        (run_dir / name).write_bytes((project / "runs" / good / name).read_bytes())
    spec = json.loads((project / "runs" / good / "spec.json").read_text())
    spec["layers"][0][field] = value
    (run_dir / "spec.json").write_text(json.dumps(spec))
    before = _hashes(run_dir)
    with pytest.raises(ProjectError) as info:
        run = load_run(run_dir)
        run.model() if use == "model" else run.spec
    assert str(info.value).startswith(f"{run_dir / 'spec.json'}: layers[0]"), info.value
    assert _hashes(run_dir) == before


def test_one_sample_is_refused_before_anything_is_written(tmp_path):
    project = tmp_path / "project"
    with pytest.raises(DataError) as info:
        lamina.train(_spec(0.01, epochs=1), data=_regression(n=1), project=project)
    message = str(info.value)
    assert message.startswith("wild") or "wild" in message.split(":")[0]
    assert "1 sample" in message and "validation_split" in message and "test_split" in message
    assert "at least" in message
    assert not project.exists()


def test_too_few_for_the_test_part_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"test_split 0\.1 needs at least 6 samples"):
        lamina.train(_spec(0.01, epochs=1), data=_regression(n=4), project=tmp_path / "p")
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("fraction", [0.1, 0.15, 0.2, 0.25, 0.3, 0.5])
def test_the_number_of_samples_a_split_needs_is_the_split_s_own(fraction):
    """The count the message names is the fewest with which the part is not empty."""
    from lamina.data.splits import split_dataset
    from lamina.training.prepare import _needed

    def part(n):
        return split_dataset(_regression(n=n), validation=0.0, test=fraction, seed=0).test

    n = _needed(fraction)
    assert part(n) is not None and len(part(n)) == 1
    assert n == 1 or part(n - 1) is None


def test_small_data_without_validation_or_test_still_trains():
    spec = _spec(0.01, epochs=1).copy_with(
        training={
            **_spec(0.01).training.model_dump(mode="json"),
            "validation_split": 0.0,
            "test_split": 0.0,
            "epochs": 1,
        }
    )
    assert lamina.train(spec, data=_regression(n=2)).status == "finished"


# Finding 9: stale temp files of killed saves.


def _plant(folder, name, age):
    path = folder / name
    path.write_bytes(b"half a save")
    past = time.time() - age
    os.utime(path, (past, past))
    return path


def test_opening_a_project_removes_stale_temp_files(good_then_failed):
    project, good, _ = good_then_failed
    run_dir = project / "runs" / good
    stale = [
        _plant(project, ".project.json.abc12345.tmp", 3600),
        _plant(run_dir, ".weights.best.h5.x1y2z3w4.tmp", 3600),
        _plant(run_dir, ".weights.best.h5.x1y2z3w4.tmp.h5", 3600),  # a writer's file beside it
    ]
    fresh = _plant(run_dir, ".run.json.q9w8e7r6.tmp", 5)  # a save in progress elsewhere
    mine = _plant(run_dir, "notes.tmp", 3600)  # not lamina's pattern
    hidden = _plant(project, ".keep.tmp.txt", 3600)
    load_project(project).runs()
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and mine.exists() and hidden.exists()
    for p in (fresh, mine, hidden):
        p.unlink()


def test_opening_a_run_removes_its_stale_temp_files(good_then_failed):
    project, good, _ = good_then_failed
    run_dir = project / "runs" / good
    stale = _plant(run_dir, ".metrics.json.k3j4h5g6.tmp", 120)
    load_run(run_dir)
    assert not stale.exists()


# Finding 3: a full disk during a checkpoint.


def _full_disk(monkeypatch):
    import lamina.project.run as run_module

    real = run_module.atomic_write_with

    def write(path, writer):
        if str(path).endswith(".h5"):

            def failing(tmp):
                tmp.write_bytes(b"\x89HDF\r\n half")
                raise OSError(errno.ENOSPC, "No space left on device")

            return real(path, failing)
        return real(path, writer)

    monkeypatch.setattr(run_module, "atomic_write_with", write)


def _temp_files(folder):
    return sorted(p for p in folder.rglob("*") if p.name.endswith(".tmp") or ".tmp." in p.name)


def test_full_disk_during_a_checkpoint_is_a_clear_error(tmp_path, monkeypatch):
    project = tmp_path / "project"
    good = lamina.train(_spec(0.01), data=_regression(), project=project)
    before = _hashes(project)
    _full_disk(monkeypatch)
    with pytest.raises(LaminaError) as info:
        lamina.train(_spec(0.01), data=_regression(), project=project, checkpoint_interval=0)
    message = str(info.value)
    assert "weights.best.h5" in message and "no space left on device" in message.lower()
    assert "free" in message
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    after = _hashes(project)
    assert {k: after.get(k) for k in before} == before
    assert _temp_files(project) == []
    assert find_run(project).id == good.run_id


def test_full_disk_via_the_cli_exits_2(tmp_path, monkeypatch, capsys):
    spec = tmp_path / "spec.json"
    spec.write_text(_spec(0.01).to_json())
    project = tmp_path / "project"
    ds = _regression()
    np.savez(tmp_path / "data.npz", x=ds.x, y=ds.y)
    _full_disk(monkeypatch)
    status = main(
        [
            "train",
            str(spec),
            "--data",
            str(tmp_path / "data.npz"),
            "--project",
            str(project),
            "--checkpoint-every",
            "0",
            "--no-progress",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2, err
    assert "internal error" not in err and "Traceback" not in err
    assert "weights.best.h5" in err and "no space left on device" in err.lower()
    assert _temp_files(project) == []


BIG = {
    "name": "big",
    "input": {"shape": [4]},
    "layers": [
        {"type": "Dense", "params": {"units": 300, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 300, "activation": "relu"}},
        {"type": "Dense", "params": {"units": 1}},
    ],
    "compile": {"loss": "mean_squared_error"},
    "training": {"epochs": 5, "batch_size": 16},
}


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0, reason="mounts a tmpfs (root)"
)
def test_a_real_full_disk_during_a_checkpoint(tmp_path):
    """A 600 KiB tmpfs holds one checkpoint of ~380 KB but not a second one beside it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(disk)], capture_output=True
    )
    if mount.returncode:
        pytest.skip(f"cannot mount a tmpfs: {mount.stderr.decode()}")
    try:
        spec = tmp_path / "spec.json"
        spec.write_text(json.dumps(BIG))
        ds = _regression(n=200)
        np.savez(tmp_path / "data.npz", x=ds.x, y=ds.x.sum(axis=1))
        project = disk / "project"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "lamina",
                "train",
                str(spec),
                "--data",
                str(tmp_path / "data.npz"),
                "--project",
                str(project),
                "--checkpoint-every",
                "0",
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 2, proc.stderr  # not -11 (SIGSEGV) nor 1 (internal error)
        assert "weights.best.h5: cannot write the file: no space left on device" in proc.stderr
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
        assert _temp_files(project) == []
        (run_dir,) = (project / "runs").iterdir()
        run = load_run(run_dir)
        assert run.status == "failed" and run.model("best") is not None  # epoch 1 kept
    finally:
        subprocess.run(["umount", str(disk)], check=False)
