"""Projects: layout, corrupt files, interrupted saves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from lamina.project import (
    ProjectError,
    create_project,
    load_project,
    load_run,
    open_project,
    write_run,
)
from lamina.spec import make_spec


def tiny_spec():
    return make_spec([4], [{"type": "Dense", "params": {"units": 2}}], loss="mean_squared_error")


def test_create_and_load(tmp_path):
    project = create_project(tmp_path / "p", name="stars", spec=tiny_spec())
    loaded = load_project(tmp_path / "p")
    assert loaded.name == "stars" and loaded.spec == tiny_spec()
    assert load_project(tmp_path / "p" / "project.json").name == "stars"
    run_dir = project.new_run_dir("first")
    write_run(run_dir, tiny_spec(), {"status": "finished"}, history={"loss": [1.0, 0.5]})
    assert [r.status for r in loaded.runs()] == ["finished"]
    assert load_run(run_dir).history == {"loss": [1.0, 0.5]}
    with pytest.raises(ProjectError, match="already exists"):
        create_project(tmp_path / "p")
    assert open_project(tmp_path / "p").name == "stars"


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "corrupt project file"),
        ('{"name": "x"}', "not a lamina project"),
        ("[1, 2]", "not a lamina"),
    ],
)
def test_corrupt_or_foreign_project_file(tmp_path, content, message):
    file = tmp_path / "project.json"
    file.write_text(content)
    with pytest.raises(ProjectError, match=message) as info:
        load_project(tmp_path)
    assert str(file) in str(info.value)
    assert file.read_text() == content


def test_incomplete_run_is_listed_not_loaded(tmp_path):
    project = create_project(tmp_path / "p")
    run_dir = project.new_run_dir()
    (run_dir / "spec.json").write_text(tiny_spec().to_json())
    assert project.runs() == []
    assert [r.status for r in project.runs(include_incomplete=True)] == ["incomplete"]
    with pytest.raises(ProjectError, match="interrupted"):
        load_run(run_dir)


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from lamina.atomic import atomic_write_bytes
    from lamina.project import open_project, write_run
    from lamina.spec import make_spec

    spec = make_spec([4], [{"type": "Dense", "params": {"units": 2}}], loss="mean_squared_error")
    project = open_project(sys.argv[1], spec=spec)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        project.extra["counter"] = i
        project.save()
        run_dir = project.new_run_dir(f"r{i}")
        atomic_write_bytes(run_dir / "weights.final.h5", b"x" * 200_000)
        write_run(run_dir, spec, {"status": "finished", "i": i},
                  history={"loss": list(range(2000))}, metrics={"n": i}, log="log\\n" * 1000)
    """
)


def test_killed_mid_save_leaves_a_loadable_project(tmp_path):
    path = tmp_path / "p"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    project = load_project(path)
    assert project.extra["counter"] >= 1
    runs = project.runs()
    assert runs, "at least one run was saved"
    for run in runs:
        assert run.status == "finished"
        assert len(run.history["loss"]) == 2000
        assert run.metrics["n"] == run.info["i"]
    assert len(project.runs(include_incomplete=True)) - len(runs) <= 1
    leftovers = [p for p in path.rglob(".*.tmp")]
    assert len(leftovers) <= 1
    json.loads((path / "project.json").read_text())
