"""TensorFlow's C++ start-up noise, kept out of what the user sees (unless they debug).

TensorFlow's C++ side writes lines such as "All log messages before
absl::InitializeLog() is called are written to STDERR", "Could not find cuda drivers on
your machine", "failed call to cuInit", "oneDNN custom operations are on" and "NodeDef
mentions attribute ... which is not in the op definition" straight to the process's
stderr file descriptor, past Python and past ``TF_CPP_MIN_LOG_LEVEL``. They are
harmless and alarm newcomers.

- The command line runs each command inside `native_stderr_filter`: file descriptor 2
  goes through a pipe whose reader drops those lines and passes every other line on
  (Python's own warnings and errors, TensorFlow's real errors).
- The engine client drops them from the engine's log (`is_noise`).
- ``lamina --debug`` (which sets ``LAMINA_DEBUG=1`` for the app and the engine it
  starts) shows them all.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import re
import sys
import threading
from collections.abc import Iterator

#: Set to ``1`` by ``lamina --debug``: show TensorFlow's start-up lines, in the engine too.
ENV_DEBUG = "LAMINA_DEBUG"

NOISE = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called"
    r"|cudart_stub\.cc|cuda_platform\.cc|cuda_executor\.cc|cuda_diagnostics\.cc"
    r"|Could not find cuda drivers|failed call to cuInit"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|computation_placer\.cc"
    r"|TF-TRT Warning|oneDNN custom operations are on"
    r"|This TensorFlow binary is optimized to use available CPU instructions|cpu_feature_guard\.cc"
    r"|rebuild TensorFlow with the appropriate compiler flags"
    r"|NodeDef mentions attribute .* which is not in the op definition"
    r"|successful NUMA node read"
)
"""Lines of TensorFlow's C++ start-up (and of its version-skew notices) that are noise."""


def is_noise(line: str) -> bool:
    """True for a line of TensorFlow's C++ start-up noise (see `NOISE`)."""
    return NOISE.search(line) is not None


def debug_requested() -> bool:
    """True when ``lamina --debug`` asked to see everything (``LAMINA_DEBUG=1``)."""
    return os.environ.get(ENV_DEBUG, "") not in ("", "0")


@contextlib.contextmanager
def native_stderr_filter() -> Iterator[None]:
    """Drops `NOISE` lines written to file descriptor 2 while the block runs.

    Everything else written to stderr (by Python or by C++) reaches the real stderr,
    line by line as it comes; at the end of the block the rest is passed on before the
    real stderr is restored. Python's fatal-error report (``faulthandler``) goes to
    the real stderr directly, so a crash is still explained.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        read_end, write_end = os.pipe()
    except OSError:  # no stderr to filter
        yield
        return
    os.dup2(write_end, 2)
    os.close(write_end)
    reader = threading.Thread(
        target=_pass_on, args=(read_end, saved), daemon=True, name="lamina-stderr-filter"
    )
    reader.start()
    real_stderr = os.fdopen(os.dup(saved), "w")
    was_enabled = faulthandler.is_enabled()
    faulthandler.enable(file=real_stderr)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last writer is gone: the reader sees its end
        reader.join(timeout=5)
        if was_enabled and sys.__stderr__ is not None:
            faulthandler.enable(file=sys.__stderr__)
        else:
            faulthandler.disable()
        real_stderr.close()
        os.close(saved)


def _pass_on(read_end: int, out: int) -> None:
    """Copies lines from `read_end` to `out`, dropping the noise ones."""
    pending = b""
    try:
        while chunk := os.read(read_end, 65536):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                _write_line(out, line + b"\n")
        if pending:
            _write_line(out, pending)
    except OSError:
        pass
    finally:
        os.close(read_end)


def _write_line(out: int, line: bytes) -> None:
    if not is_noise(line.decode("utf-8", errors="replace")):
        os.write(out, line)
