"""Atomic file writes: write to a temporary file in the same folder, then rename."""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yields a temporary path beside `path`; renames it onto `path` if the block succeeds.

    A crash or a kill inside the block leaves `path` as it was. If the block (or the
    rename) fails, the temporary file, and any file a writer made beside it under its
    name, is removed. The new file gets the mode a plain ``open(path, "w")`` would give
    it: the mode of the file it replaces, else ``0o666`` less the umask.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp_path, _mode_for(path))
        os.replace(tmp_path, path)
    finally:
        _remove_leftovers(tmp_path)


def _mode_for(path: Path) -> int:
    """The permission bits ``open(path, "w")`` would leave `path` with."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_leftovers(tmp_path: Path) -> None:
    """Removes the temporary file and files a writer made beside it (``<tmp>.*``)."""
    for leftover in [tmp_path, *tmp_path.parent.glob(glob.escape(tmp_path.name) + ".*")]:
        with contextlib.suppress(OSError):
            leftover.unlink()


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Writes `data` to `path` atomically and returns `path`."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: Path, text: str) -> Path:
    """Writes `text` (UTF-8) to `path` atomically and returns `path`."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_with(path: Path, writer: Callable[[Path], None]) -> Path:
    """Calls `writer(tmp_path)` and renames the result onto `path` atomically."""
    with atomic_path(path) as tmp:
        writer(tmp)
    return Path(path)
