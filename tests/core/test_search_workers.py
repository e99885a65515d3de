"""Searches across processes (issue 15): SIGKILL and resume, local workers, PostgreSQL workers.

Each test drives the real ``lamina search`` command in subprocesses. The PostgreSQL test
starts its own server (``initdb``/``pg_ctl`` into a temporary folder, 127.0.0.1, a free
port) and stops it at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from lamina.hpsearch.errors import SearchError

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SPEC = {
    "name": "mlp",
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Flatten"},
        {"type": "Dense", "params": {"units": 32, "activation": "relu"}},
        {"type": "Dropout", "params": {"rate": 0.1}},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
    "training": {"epochs": 2, "batch_size": 64},
}
SPACE = {"units": [8, 16, 24, 32, 48, 64, 96, 128], "rate": [0.0, 0.2, 0.4]}


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    spec, space = tmp_path / "mlp.json", tmp_path / "space.json"
    spec.write_text(json.dumps(SPEC))
    space.write_text(json.dumps(SPACE))
    return spec, space


def lamina_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "lamina", *map(str, args)]


def search_args(spec: Path, space: Path, project: Path, trials: int, *extra: object) -> list[str]:
    return lamina_cmd(
        "search", spec, "--space", space, "--data", "digits", "--data-param", "n=200",
        "--project", project, "--trials", trials, "--sampler", "random", "--seed", 0,
        "--no-progress", *extra,
    )  # fmt: skip


def load_trials(name: str, storage: str | None, project: Path) -> list:
    from lamina.hpsearch.study import load

    study, _ = load(name, storage, project)
    return study.get_trials(deepcopy=True)


def runs_by_trial(*projects: Path) -> dict[int, list[str]]:
    """Trial number -> the saved runs (with run.json) tagged with it, over the projects."""
    out: dict[int, list[str]] = {}
    for project in projects:
        for run_json in sorted((project / "runs").glob("*/run.json")):
            info = json.loads(run_json.read_text())
            out.setdefault(info["search"]["trial"], []).append(run_json.parent.name)
    return out


def test_sigkill_then_the_same_command_resumes(tmp_path, files) -> None:
    spec, space = files
    project = tmp_path / "p"
    cmd = search_args(spec, space, project, 3)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600
    before: dict[int, str] = {}
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            journal = project / "search" / "studies.journal"
            if journal.is_file():
                # the search is paused while we look, so that what we see is what it is
                # killed in (on a busy machine a trial can end between a look and a kill)
                proc.send_signal(signal.SIGSTOP)
                try:
                    trials = load_trials("search", None, project)
                except SearchError:  # created, its record not yet written: look again
                    trials = []
                done = {
                    t.number: t.user_attrs["run_id"] for t in trials if t.state.name == "COMPLETE"
                }
                # killed in a later trial that has drawn a parameter (one killed before
                # drawing any has nothing to retry: a fresh trial takes its place)
                if done and any(
                    t.state.name == "RUNNING" and t.number > 0 and t.params for t in trials
                ):
                    before = done
                    break
                proc.send_signal(signal.SIGCONT)
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:  # an error while it was paused: do not wait on it
            proc.kill()
        proc.wait()
    assert before, "no trial finished before the deadline"
    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(before)} of 3 trials already done" in resumed.stderr
    trials = load_trials("search", None, project)
    complete = {t.number: t.user_attrs["run_id"] for t in trials if t.state.name == "COMPLETE"}
    assert len(complete) == 3
    for number, run_id in before.items():  # kept, not retrained
        assert complete[number] == run_id
    runs = runs_by_trial(project)
    assert all(len(runs[n]) == 1 for n in complete)
    killed = [t for t in trials if t.user_attrs.get("interrupted")]
    assert len(killed) == 1 and killed[0].state.name == "FAIL"
    retry = [t for t in trials if t.user_attrs.get("retry_of") == killed[0].number]
    # the retry replays every parameter the killed trial had drawn (a kill between two of
    # Optuna's per-parameter writes leaves the later ones undrawn: the retry draws them)
    assert len(retry) == 1 and killed[0].params.items() <= retry[0].params.items()
    assert set(retry[0].params) == {"layers[1].params.units", "layers[2].params.rate"}
    assert retry[0].state.name == "COMPLETE"


def test_two_local_workers_share_one_study(tmp_path, files) -> None:
    spec, space = files
    project = tmp_path / "p"
    done = subprocess.run(
        search_args(spec, space, project, 5, "--workers", 2), capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    trials = [t for t in load_trials("search", None, project) if not t.user_attrs.get("surplus")]
    assert len(trials) == 5 and all(t.state.name == "COMPLETE" for t in trials)
    runs = runs_by_trial(project)
    assert sorted(runs) == sorted(t.number for t in trials)
    assert all(len(v) == 1 for v in runs.values())  # no trial run twice
    expected = max(1, (os.cpu_count() or 1) // 2)
    assert {t.user_attrs["tf_threads"] for t in trials} == {expected}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres():
    """A PostgreSQL 15 server of its own on 127.0.0.1: yields a URL with a password in it.

    The server's folder is a fresh one in the system's temporary folder (pytest's own are
    private to root, and the server runs as ``postgres`` when the tests run as root).
    """
    if not (PG_BIN / "initdb").is_file():
        pytest.fail(f"PostgreSQL 15 is not installed ({PG_BIN}); .ci/run installs it")
    root = Path(tempfile.mkdtemp(prefix="lamina-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()

    def pg(*args: object) -> None:
        subprocess.run(
            [*as_postgres, *map(str, args)], check=True, capture_output=True, timeout=120
        )

    pg(PG_BIN / "initdb", "-D", data, "-U", "lamina", "--auth=trust")
    pg(
        PG_BIN / "pg_ctl", "-D", data, "-l", root / "log", "-w", "start",
        "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1",
    )  # fmt: skip
    try:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=port, user="lamina", dbname="postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE search")
        conn.close()
        yield f"postgresql://lamina:pw-s3cret@127.0.0.1:{port}/search"
    finally:
        try:
            pg(PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)


def test_two_workers_on_postgresql_complete_one_study(tmp_path, files, postgres) -> None:
    spec, space = files
    url = postgres
    prepared = subprocess.run(
        search_args(spec, space, tmp_path / "p0", 6, "--storage", url, "--name", "pg", "--prepare"),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert prepared.returncode == 0, prepared.stderr
    projects = [tmp_path / "p1", tmp_path / "p2"]
    env = {**os.environ, "LAMINA_SEARCH_STORAGE": url}
    workers = [
        subprocess.Popen(
            lamina_cmd("search", "worker", "--study", "pg", "--project", project),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for project in projects
    ]
    outputs = [w.communicate(timeout=900) for w in workers]
    for w, (out, err) in zip(workers, outputs, strict=True):
        assert w.returncode == 0, err
        assert "pw-s3cret" not in out + err
    trials = [t for t in load_trials("pg", url, tmp_path) if not t.user_attrs.get("surplus")]
    assert len(trials) == 6 and all(t.state.name == "COMPLETE" for t in trials)
    runs = runs_by_trial(*projects)
    assert sorted(runs) == sorted(t.number for t in trials)
    assert all(len(v) == 1 for v in runs.values())  # no trial run twice
    assert all(runs_by_trial(p) for p in projects)  # both workers trained trials
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert b"pw-s3cret" not in path.read_bytes(), path
    shown = subprocess.run(
        lamina_cmd("search", "show", "--name", "pg", "--storage", url, "--project", projects[0]),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert len([line for line in shown.stdout.splitlines() if "complete" in line]) == 6
    assert "pw-s3cret" not in shown.stdout + shown.stderr
