"""Checking the path a loader was given: an existing file, or an existing folder."""

from __future__ import annotations

from pathlib import Path

from lamina.data.errors import DataError


def check_file(path: str | Path, what: str = "file") -> Path:
    """Returns `path` as a Path; raises DataError naming it if it is not an existing file."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"{what} not found: {p}", source=str(p))
    if not p.is_file():
        raise DataError(f"expected a {what}, got a folder: {p}", source=str(p))
    return p


def check_dir(path: str | Path) -> Path:
    """Returns `path` as a Path; raises DataError naming it if it is not a folder."""
    p = Path(path).expanduser()
    if not p.exists():
        raise DataError(f"folder not found: {p}", source=str(p))
    if not p.is_dir():
        raise DataError(f"expected a folder, got a file: {p}", source=str(p))
    return p
