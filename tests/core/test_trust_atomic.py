"""Finding 9 of issue 14: atomic writes give files the usual mode and leave no temp files."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from lamina.atomic import atomic_path, atomic_write_bytes, atomic_write_text, atomic_write_with


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_mode_open_would_give(tmp_path, umask_022):
    atomic_write_text(tmp_path / "a.json", "{}")
    (tmp_path / "plain.json").write_text("{}")
    assert _mode(tmp_path / "a.json") == _mode(tmp_path / "plain.json") == 0o644


def test_umask_is_respected(tmp_path):
    old = os.umask(0o077)
    try:
        atomic_write_bytes(tmp_path / "private", b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "private") == 0o600


def test_replacing_a_file_keeps_the_mode_open_would_keep(tmp_path, umask_022):
    target = tmp_path / "spec.json"
    target.write_text("old")
    target.chmod(0o664)
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o664


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_writer_that_raises_leaves_no_temp_file_and_the_old_content(tmp_path):
    target = tmp_path / "weights.h5"
    target.write_bytes(b"good")

    def writer(tmp):
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        atomic_write_with(target, writer)
    assert target.read_bytes() == b"good" and _leftovers(tmp_path) == []


def test_a_writer_that_writes_elsewhere_and_raises_leaves_no_temp_files(tmp_path):
    """Writers (h5py, Keras) may write beside the path they are given."""
    target = tmp_path / "model.keras"

    def writer(tmp):
        (tmp.parent / (tmp.name + ".part")).write_bytes(b"x")  # e.g. "<tmp>.h5.tmp"
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write_with(target, writer)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_failing_rename_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "a.json"

    def fail(*args):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write_text(target, "x")
    assert list(tmp_path.iterdir()) == []


def test_a_writer_that_deletes_its_temp_file_is_an_error_not_a_crash(tmp_path):
    def writer(tmp):
        tmp.unlink()

    with pytest.raises(OSError):
        atomic_write_with(tmp_path / "x", writer)
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_success(tmp_path):
    with atomic_path(tmp_path / "f") as tmp:
        tmp.write_text("ok")
    assert (tmp_path / "f").read_text() == "ok" and _leftovers(tmp_path) == []
