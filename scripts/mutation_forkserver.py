"""Runs pytest for mutation testing in processes forked from one that imported TensorFlow.

Each mutant's tests would otherwise start Python and import TensorFlow again (10-20 s on
two shared cores). The server imports TensorFlow, tf_keras, numpy, scikit-learn and pytest
once and never runs a TensorFlow op or imports lamina; each request forks it, and the child
imports lamina (mutated on disk) afresh and runs pytest. A forked child of a process that
has not started TensorFlow's thread pools is safe to use (TensorFlow creates them on the
first op, in the child).

    python scripts/mutation_forkserver.py TEST_ARGS...   # client: the test command of a mutant

The client starts the server on first use (one server per working directory, i.e. per
clone, with its socket and log in the temporary folder); the server exits after ten idle
minutes or when its directory is removed. The client prints pytest's output, then
``@@exit CODE cpu SECONDS`` (the child's CPU time, which the summary reads to tell a
mutant's cost on a quiet machine), and exits with the code; when cosmic-ray kills the
client on a timeout, the server kills the child.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

IDLE_SECONDS = 600


def _preload() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # as tests/conftest.py
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import sklearn.datasets  # noqa: F401
    import tensorflow  # noqa: F401
    import tf_keras  # noqa: F401

    assert not any(name == "lamina" or name.startswith("lamina") for name in sys.modules)


def _run_child(conn: socket.socket, request: dict) -> None:
    os.setsid()
    out = conn.fileno()
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.chdir(request["cwd"])
    sys.dont_write_bytecode = True  # a mutant's .pyc must never be reused
    import pytest

    try:
        code = pytest.main(request["args"])
    except BaseException:  # noqa: BLE001 - any crash counts as a failed run
        code = 99
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


def _serve(path: str) -> None:
    _preload()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    server.bind(path)
    inode = os.stat(path).st_ino
    server.listen(1)
    server.settimeout(10)
    home, idle = os.getcwd(), 0
    while idle < IDLE_SECONDS and os.path.isdir(home):  # ends with its clone
        try:
            conn, _ = server.accept()
        except TimeoutError:
            idle += 10
            continue
        idle = 0
        conn.settimeout(None)
        request = json.loads(conn.makefile("r").readline())
        pid = os.fork()
        if pid == 0:
            server.close()
            _run_child(conn, request)
        cpu = 0.0
        while True:  # wait for the child; kill it if the client went away (timeout)
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                cpu = usage.ru_utime + usage.ru_stime
                break
            readable, _, _ = select.select([conn], [], [], 0.2)
            if readable and not conn.recv(1, socket.MSG_PEEK):
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                status = -1
                break
        code = os.waitstatus_to_exitcode(status) if status != -1 else 98
        with contextlib.suppress(OSError):
            conn.sendall(f"\n@@exit {code} cpu {cpu:.1f}\n".encode())
        conn.close()
    if os.path.exists(path) and os.stat(path).st_ino == inode:
        os.unlink(path)


def _connect(path: str) -> socket.socket:
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    return client


def _client(args: list[str]) -> int:
    tag = hashlib.sha1(os.getcwd().encode()).hexdigest()[:12]
    path = os.path.join(tempfile.gettempdir(), f"lamina-mutation-{tag}.sock")
    try:
        client = _connect(path)
    except OSError:
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", path],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=open(path + ".log", "w"),  # noqa: SIM115
        )
        while server.poll() is None:
            time.sleep(0.5)
            try:
                client = _connect(path)
                break
            except OSError:
                continue
        else:
            print(f"fork server did not start: see {path}.log", file=sys.stderr)
            return 97
    client.sendall((json.dumps({"cwd": os.getcwd(), "args": args}) + "\n").encode())
    tail = b""
    while chunk := client.recv(65536):
        sys.stdout.buffer.write(chunk)
        tail = (tail + chunk)[-64:]
    sys.stdout.flush()
    marker = tail.rsplit(b"@@exit ", 1)
    return int(marker[1].split()[0]) if len(marker) == 2 else 96


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        _serve(sys.argv[2])
    else:
        sys.exit(_client(sys.argv[1:]))
