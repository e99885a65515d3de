"""One engine child process as the client sees it, and how to describe its exit."""

from __future__ import annotations

import collections
import signal
import subprocess
import threading
from pathlib import Path


def default_log_path() -> Path:
    """``<lamina home>/logs/engine.log``."""
    from lamina.paths import lamina_home

    return lamina_home() / "logs" / "engine.log"


def describe_exit(returncode: int | None, short: bool = False) -> str:
    """``"was killed by signal 9 (SIGKILL)"`` or ``"exited with code 1"``.

    With `short`: ``"killed by signal 9 (SIGKILL)"`` or ``"exit code 1"``.
    """
    if returncode is None:
        return "no exit status" if short else "stopped answering"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "unknown signal"
        text = f"killed by signal {-returncode} ({name})"
        return text if short else f"was {text}"
    return f"exit code {returncode}" if short else f"exited with code {returncode}"


class Child:
    """One engine process and its threads."""

    def __init__(self, proc: subprocess.Popen, generation: int) -> None:
        self.proc = proc
        self.generation = generation
        self.ready = threading.Event()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
