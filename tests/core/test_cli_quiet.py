"""TensorFlow's C++ start-up lines stay out of the command line and the engine's log."""

from __future__ import annotations

import collections
import io
import json
import subprocess
import sys
import textwrap
from types import SimpleNamespace

from lamina.native_log import is_noise

SPEC = {
    "input": {"shape": [8, 8, 1]},
    "layers": [
        {"type": "Flatten"},
        {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
    ],
    "compile": {"loss": {"type": "sparse_categorical_crossentropy"}},
    "training": {"epochs": 1},
}


def train_cli(tmp_path, *flags: str) -> subprocess.CompletedProcess:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "lamina",
            *flags,
            "train",
            str(spec),
            "--data",
            "digits",
            "--data-param",
            "n=300",
            "--project",
            str(tmp_path / "project"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_train_prints_no_tensorflow_startup_lines_but_debug_shows_them(tmp_path):
    quiet = train_cli(tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert "epoch 1/1" in quiet.stdout
    noise = [line for line in quiet.stderr.splitlines() if is_noise(line)]
    assert noise == []
    assert "absl::InitializeLog" not in quiet.stderr and "cuda" not in quiet.stderr.lower()
    loud = train_cli(tmp_path, "--debug")
    assert loud.returncode == 0, loud.stderr
    assert any(is_noise(line) for line in loud.stderr.splitlines()), loud.stderr


def test_the_filter_passes_real_lines_on():
    code = textwrap.dedent(
        """
        import os, sys
        from lamina.native_log import native_stderr_filter
        with native_stderr_filter():
            os.write(2, b"E0000 node_def_util.cc:682] NodeDef mentions attribute x "
                        b"which is not in the op definition: Op<...>\\n")
            os.write(2, b"W0000 real C++ warning\\n")
            os.write(2, b"I0000 cudart_stub.cc:31] Could not find cuda drivers\\n")
            print("a Python warning", file=sys.stderr)
            os.write(2, b"last words without a newline")
        print("after", file=sys.stderr)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (
        "W0000 real C++ warning\na Python warning\nlast words without a newlineafter\n"
    )


def test_the_engine_log_leaves_the_noise_out(tmp_path):
    from lamina.engine.client import EngineClient

    lines = (
        b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        b"E0000 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n"
        b"[lamina engine 1 12:00:00] ready\n"
        b"Traceback (most recent call last):\n"
    )
    for env, expected in (
        ({}, lines.splitlines()[2:]),
        ({"LAMINA_DEBUG": "1"}, lines.splitlines()),
    ):
        log = tmp_path / f"engine{len(env)}.log"
        client = EngineClient(env=env, log_path=str(log))
        child = SimpleNamespace(
            proc=SimpleNamespace(stderr=io.BytesIO(lines)),
            stderr_tail=collections.deque(maxlen=40),
        )
        client._read_stderr(child)
        assert log.read_bytes().splitlines() == expected
        assert [s.encode() for s in child.stderr_tail] == expected
