"""Ctrl+C during ``lamina train``: the first stops the run cleanly, a second at once.

The first Ctrl+C only sets an event; a helper thread waiting for it cancels the run's
`CancelToken` (as the app's engine cancels from its reader thread), and lamina's
training loop stops before its next batch and saves the run as cancelled, with its
final and best weights. A second Ctrl+C raises `KeyboardInterrupt` as usual. (A plain
`KeyboardInterrupt` would leave the run folder incomplete, and one raised inside an
object's ``__del__`` is printed as "Exception ignored" and lost.)

A process started with SIGINT ignored (a job started with ``&`` from a script) keeps
ignoring it, as Python itself does: nothing is installed then.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import TracebackType
from typing import Any


class CtrlCCancels:
    """While active, the first Ctrl+C (SIGINT) cancels `token`; the second interrupts.

    Args:
        token: The run's `lamina.training.CancelToken`.

    Attributes:
        pressed: True once Ctrl+C was pressed.
    """

    def __init__(self, token: Any) -> None:
        self.token = token
        self.pressed = False
        self._asked = threading.Event()
        self._done = False
        self._previous: Any = None
        self._thread = threading.Thread(target=self._watch, name="lamina-ctrl-c", daemon=True)

    def __enter__(self) -> CtrlCCancels:
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
            return self  # Ctrl+C is ignored in this process: it stays so
        try:
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        except ValueError:  # not the main thread: Ctrl+C keeps Python's behaviour
            return self
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._previous is None:
            return
        signal.signal(signal.SIGINT, self._previous)
        self._done = True
        self._asked.set()
        self._thread.join()

    def _on_sigint(self, signum: int, frame: Any) -> None:
        if self.pressed:
            raise KeyboardInterrupt
        self.pressed = True
        self._asked.set()  # nothing else here: the main thread may be anywhere

    def _watch(self) -> None:
        self._asked.wait()
        if self._done:
            return
        print(
            "stopping the run after the current batch (Ctrl+C again stops at once)",
            file=sys.stderr,
            flush=True,
        )
        self.token.cancel()
