"""``lamina tensorboard``: TensorBoard over a project, on 127.0.0.1 and a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from lamina.errors import LaminaError


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class TensorBoardServer:
    """A running TensorBoard child process.

    Args:
        process: The child process.
        url: Its address, ``http://127.0.0.1:PORT/``.
    """

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        """Stops TensorBoard at once.

        TensorBoard only reads the event files, so it has nothing to finish: a kill loses
        nothing. (Asked to terminate, it exits only when its reader threads are done,
        which took 6 s on a loaded 2-core machine.)
        """
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def start_tensorboard(
    logdir: str | Path, port: int | None = None, timeout: float = 180.0
) -> TensorBoardServer:
    """Starts TensorBoard on `logdir` and returns once it answers.

    Args:
        logdir: The folder to show (a project folder shows all its runs).
        port: The port on 127.0.0.1. Defaults to a free one.
        timeout: Seconds to wait for TensorBoard to answer.

    Raises:
        LaminaError: If TensorBoard is not installed, exits, or does not answer in time.
    """
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise LaminaError(
            "TensorBoard is not installed",
            location="lamina tensorboard",
            hint="pip install 'tensorboard==2.21.*'",
            code="missing-package",
        ) from None
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            str(logdir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--reload_interval",
            "5",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = TensorBoardServer(process, url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            last = [line for line in err.splitlines() if line.strip()][-1:] or ["(no message)"]
            raise LaminaError(
                f"TensorBoard exited with status {process.returncode}: {last[0]}",
                location=f"lamina tensorboard (port {port})",
                code="tensorboard",
            )
        try:
            with urllib.request.urlopen(url + "data/logdir", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling a child's start-up, not hiding a race
    server.stop()
    raise LaminaError(
        f"TensorBoard did not answer within {timeout:.0f} s",
        location=f"lamina tensorboard (port {port})",
        code="tensorboard",
    )
