"""Atomic writes: refused writes become located `WriteError`s; stale temp files are swept.

Written against the mutants of ``src/lamina/atomic.py`` that survived (scripts/mutation.sh).
"""

from __future__ import annotations

import errno
import os
import time

import pytest

from lamina.atomic import WriteError, atomic_path, remove_stale_temp_files, write_error


@pytest.mark.parametrize(
    ("number", "why"),
    [
        (errno.ENOSPC, "no space left on device"),
        (errno.EDQUOT, "disk quota exceeded"),
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "permission denied"),
        (errno.EROFS, "read-only file system"),
    ],
)
def test_a_refused_write_is_a_write_error_naming_the_file(tmp_path, number, why):
    path = tmp_path / "model.json"
    error = write_error(path, OSError(number, os.strerror(number)))
    assert isinstance(error, WriteError) and isinstance(error, OSError)
    assert str(error).startswith(f"{path}: cannot write the file: {why} (")
    assert error.location == str(path)
    assert error.hint
    assert error.errno == number


def test_h5py_wording_of_a_full_disk_is_a_write_error(tmp_path):
    error = write_error(tmp_path / "w.h5", OSError("Can't write data (No space left on device)"))
    assert isinstance(error, WriteError)
    assert error.errno == errno.ENOSPC
    assert "no space left on device" in str(error)


def test_other_os_errors_are_not_the_users_and_a_write_error_is_kept(tmp_path):
    assert write_error(tmp_path / "x", OSError(errno.ENOENT, "No such file")) is None
    assert write_error(tmp_path / "x", OSError("something else")) is None
    known = WriteError("cannot write the file: x", location="x")
    assert write_error(tmp_path / "x", known) is known


def test_a_full_disk_inside_the_block_raises_write_error_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "project.json"
    path.write_text("old")
    with pytest.raises(WriteError) as caught, atomic_path(path) as tmp:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert caught.value.location == str(path)
    assert isinstance(caught.value.__cause__, OSError)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project.json"]


def test_an_unknown_os_error_inside_the_block_is_raised_unchanged(tmp_path):
    path = tmp_path / "project.json"
    path.write_text("old")
    with pytest.raises(OSError) as caught, atomic_path(path):
        raise OSError(errno.EIO, "I/O error")
    assert type(caught.value) is OSError and caught.value.errno == errno.EIO
    assert path.read_text() == "old"


def test_a_folder_refusing_the_temp_file_is_a_write_error(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    with pytest.raises(WriteError) as caught, atomic_path(tmp_path / "a.json"):
        pass
    assert caught.value.errno == errno.EACCES


def test_stale_temp_files_are_removed_and_nothing_else(tmp_path):
    old = time.time() - 3600

    def make(name, age=old):
        path = tmp_path / name
        path.write_text("x")
        os.utime(path, (age, age))
        return path

    stale = make(".model.json.ab12cd_9.tmp")
    stale_beside = make(".w.h5.zz99yy00.tmp.h5")  # a writer's file beside a temp file
    fresh = make(".model.json.ef34gh56.tmp", age=time.time() - 30)
    unrelated = [make("model.json"), make(".model.json.short.tmp"), make("a.abcdefgh.tmp")]
    folder = tmp_path / ".dir.abcdefgh.tmp"
    folder.mkdir()
    os.utime(folder, (old, old))

    remove_stale_temp_files(tmp_path, older_than=60.0)
    assert not stale.exists() and not stale_beside.exists()
    assert fresh.exists() and folder.is_dir()
    assert all(p.exists() for p in unrelated)

    remove_stale_temp_files(tmp_path, older_than=10.0)  # now the young one is old enough
    assert not fresh.exists()


def test_sweeping_a_missing_folder_is_harmless(tmp_path):
    remove_stale_temp_files(tmp_path / "missing")


def test_stale_means_older_than_a_minute_by_default(tmp_path, monkeypatch):
    now = 1_000_000.0
    monkeypatch.setattr("lamina.atomic.time.time", lambda: now)
    ages = {".a.json.aaaaaaaa.tmp": 59.0, ".b.json.bbbbbbbb.tmp": 61.0}
    for name, age in ages.items():
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (now - age, now - age))
    remove_stale_temp_files(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [".a.json.aaaaaaaa.tmp"]
