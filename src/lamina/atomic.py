"""Atomic file writes: write to a temporary file in the same folder, then rename.

A write the system refuses (a full disk, a read-only folder) raises `WriteError`, a
user error naming the file, after the temporary files are removed.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from lamina.errors import LaminaError

#: What `atomic_path` names its temporary files (``tempfile.mkstemp``'s 8 random
#: characters), and the files a writer makes beside one (``<tmp>.*``).
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp(\..+)?$")

#: What a write the user can fix fails with, and what to do about it.
_WHY = {
    errno.ENOSPC: (
        "no space left on device",
        "free some space on the disk, or save to another folder, then try again",
    ),
    errno.EDQUOT: ("disk quota exceeded", "free some space, or save to another folder"),
    errno.EACCES: (
        "permission denied",
        "make the folder writable for you, or use another folder",
    ),
    errno.EPERM: ("permission denied", "make the folder writable for you, or use another folder"),
    errno.EROFS: ("read-only file system", "use a folder on a writable disk"),
}


class WriteError(LaminaError, OSError):
    """A file could not be written: a full disk, a read-only folder (also an `OSError`).

    The message names the file, says why and what to do; the file it would have
    replaced is as it was, and no temporary file is left.
    """

    code = "write"


def write_error(path: Path, exc: OSError) -> WriteError | None:
    """The `WriteError` for `exc` raised while writing `path`, or None if not the user's."""
    if isinstance(exc, WriteError):
        return exc
    number = exc.errno
    if number not in _WHY and "No space left on device" in str(exc):  # h5py's wording
        number = errno.ENOSPC
    if number not in _WHY:
        return None
    why, hint = _WHY[number]
    error = WriteError(f"cannot write the file: {why}", location=str(path), hint=hint)
    error.errno = number
    return error


def remove_stale_temp_files(folder: Path, older_than: float = 60.0) -> None:
    """Removes what killed saves left in `folder`: lamina's temp files older than `older_than` s.

    Only names `atomic_path` gives (`TEMP_NAME`) are touched, and only old ones, so a
    save in progress in another process is left alone. Errors (a read-only folder) are
    ignored: the files are harmless, only untidy.
    """
    limit = time.time() - older_than
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if TEMP_NAME.match(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < limit:
                        os.unlink(entry.path)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yields a temporary path beside `path`; renames it onto `path` if the block succeeds.

    A crash or a kill inside the block leaves `path` as it was. If the block (or the
    rename) fails, the temporary file, and any file a writer made beside it under its
    name, is removed; a full disk or a refused write raises `WriteError`. The new file
    gets the mode a plain ``open(path, "w")`` would give it: the mode of the file it
    replaces, else ``0o666`` less the umask.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise write_error(path, exc) or exc from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp_path, _mode_for(path))
        os.replace(tmp_path, path)
    except OSError as exc:
        error = write_error(path, exc)
        if error is None or error is exc:
            raise
        raise error from exc
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
