"""Deleting and renaming runs: only ``PROJECT/runs/<id>`` is ever touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lamina.project import ProjectError, create_project, load_project
from lamina.run_admin import check_run_id, delete_run, rename_run, run_folder


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with three runs (files only) and a file next to it that must survive."""
    root = tmp_path / "proj"
    create_project(root, name="proj")
    for run_id in ("run-a", "run-b", "run-c"):
        run = root / "runs" / run_id
        (run / "tensorboard" / "train").mkdir(parents=True)
        (run / "run.json").write_text(f'{{"status": "finished", "id": "{run_id}"}}')
        (run / "history.json").write_text('{"loss": [1.0, 0.5]}')
        (run / "tensorboard" / "train" / "events").write_bytes(os.urandom(64))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "keep.txt").write_text("keep")
    return root


def test_delete_removes_only_that_run(project: Path) -> None:
    before_b, before_c = _files(project / "runs" / "run-b"), _files(project / "runs" / "run-c")
    project_file = (project / "project.json").read_bytes()
    gone = delete_run(project, "run-a")
    assert gone == project / "runs" / "run-a" and not gone.exists()
    assert _files(project / "runs" / "run-b") == before_b
    assert _files(project / "runs" / "run-c") == before_c
    assert (project / "project.json").read_bytes() == project_file
    assert sorted(p.name for p in (project / "runs").iterdir()) == ["run-b", "run-c"]


@pytest.mark.parametrize("bad", ["..", ".", "", "../outside", "run-a/../../outside", "/tmp"])
def test_delete_refuses_paths_outside_the_runs_folder(project: Path, bad: str) -> None:
    before = _files(project.parent)
    with pytest.raises(ProjectError) as info:
        delete_run(project, bad)
    assert str(project / "runs") in str(info.value)
    assert _files(project.parent) == before


def test_delete_refuses_a_link_and_a_missing_run(project: Path) -> None:
    (project / "runs" / "sneaky").symlink_to(project.parent / "outside")
    with pytest.raises(ProjectError, match="a link, not a run folder"):
        delete_run(project, "sneaky")
    assert (project.parent / "outside" / "keep.txt").read_text() == "keep"
    with pytest.raises(ProjectError, match=r"runs/nope: run folder not found"):
        delete_run(project, "nope")


def test_delete_needs_a_project(tmp_path: Path) -> None:
    (tmp_path / "runs" / "x").mkdir(parents=True)
    with pytest.raises(ProjectError, match="project.json: project file not found"):
        delete_run(tmp_path, "x")
    assert (tmp_path / "runs" / "x").is_dir()


def test_rename_moves_the_folder_and_keeps_its_files(project: Path) -> None:
    before = _files(project / "runs" / "run-a")
    new = rename_run(load_project(project), "run-a", "wide_dense-2")
    assert new == project / "runs" / "wide_dense-2"
    assert _files(new) == before and not (project / "runs" / "run-a").exists()
    assert run_folder(project, "wide_dense-2") == new


@pytest.mark.parametrize("bad", ["", "a b", "../x", "x/y", "..", "é", "a.b"])
def test_rename_refuses_invalid_names(project: Path, bad: str) -> None:
    with pytest.raises(ProjectError, match="not a valid run name"):
        rename_run(project, "run-a", bad)
    assert (project / "runs" / "run-a").is_dir()


def test_rename_refuses_an_existing_name(project: Path) -> None:
    before = _files(project / "runs")
    with pytest.raises(ProjectError, match=r"runs/run-b: a run called 'run-b' already exists"):
        rename_run(project, "run-a", "run-b")
    assert _files(project / "runs") == before


def test_rename_refuses_a_source_outside(project: Path) -> None:
    with pytest.raises(ProjectError, match="not a run of this project"):
        rename_run(project, "../outside", "stolen")
    assert (project.parent / "outside").is_dir() and not (project / "runs" / "stolen").exists()


def test_check_run_id() -> None:
    assert check_run_id("Run_1-b") == "Run_1-b"
    with pytest.raises(ProjectError):
        check_run_id("run 1")


def test_delete_refuses_a_run_still_training(project: Path) -> None:
    """A folder without run.json whose files changed in the last minute is a run in progress."""
    run = project / "runs" / "run-live"
    run.mkdir()
    (run / "checkpoint.json").write_text('{"epoch": 1}')
    before = _files(run)
    with pytest.raises(ProjectError) as info:
        delete_run(project, "run-live")
    assert str(info.value).startswith(f"{run}: this run is still training")
    assert "stop the training first" in str(info.value)
    assert _files(run) == before
    # a minute later with no change, it is a run that crashed or was killed: deletable
    old = os.stat(run / "checkpoint.json").st_mtime - 120
    os.utime(run / "checkpoint.json", (old, old))
    assert not delete_run(project, "run-live").exists()
    # a finished run (run.json) is deleted even if its files just changed
    (project / "runs" / "run-a" / "history.json").write_text("{}")
    assert not delete_run(project, "run-a").exists()
