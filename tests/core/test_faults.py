"""Faults injected, not assumed.

- Atomic writes: failing between the write and the rename (``os.replace`` raises, or
  the process is killed right there) leaves the previous file intact; a failure in
  the process leaves no temporary file behind.
- Plug-in loading survives every exception an import can raise (``ImportError``,
  ``SyntaxError``, ``RuntimeError``, ``SystemExit``, any other ``BaseException``), and
  reports it. ``KeyboardInterrupt`` is the one exception re-raised by design: a user's
  Ctrl+C during start-up must stop lamina, not be filed as a broken plug-in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import lamina
import lamina.atomic
import lamina.plugins as lp
from lamina.project import save_project

# --------------------------------------------------------------------------- atomic writes


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _failing_replace(*args, **kwargs):
    raise OSError("disk gone between write and rename")


@pytest.mark.parametrize(
    "write",
    [
        lambda p: lamina.atomic.atomic_write_text(p, "new text"),
        lambda p: lamina.atomic.atomic_write_bytes(p, b"new bytes"),
        lambda p: lamina.atomic.atomic_write_with(p, lambda tmp: tmp.write_text("new")),
    ],
    ids=["text", "bytes", "with"],
)
def test_atomic_write_failing_at_rename_keeps_the_old_file(tmp_path, monkeypatch, write):
    target = tmp_path / "file.json"
    target.write_text("old")
    monkeypatch.setattr(os, "replace", _failing_replace)
    with pytest.raises(OSError, match="disk gone"):
        write(target)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.json"]  # no temporary file left


def test_atomic_write_creates_missing_folders(tmp_path):
    target = tmp_path / "a" / "b" / "file.txt"
    lamina.atomic.atomic_write_text(target, "text")
    assert target.read_text() == "text"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_atomic_write_failing_inside_the_writer_keeps_the_old_file(tmp_path):
    target = tmp_path / "weights.h5"
    target.write_bytes(b"old")

    def half_written(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer crashed")

    with pytest.raises(RuntimeError):
        lamina.atomic.atomic_write_with(target, half_written)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["weights.h5"]


def _spec(units: int):
    return lamina.make_spec(
        [4], [lamina.item("Dense", units=units, activation="softmax")], loss="mse"
    )


def test_project_save_failing_at_rename_keeps_the_project(tmp_path, monkeypatch):
    folder = tmp_path / "project"
    save_project(folder, _spec(2), name="p")
    before = _files(folder)
    monkeypatch.setattr(os, "replace", _failing_replace)
    with pytest.raises(OSError, match="disk gone"):
        save_project(folder, _spec(3))
    monkeypatch.undo()
    assert _files(folder) == before
    assert lamina.load_project(folder).spec == _spec(2)


_KILLED_WRITER = r"""
import os, signal, sys
import lamina.atomic
os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
if sys.argv[1] == "file":
    lamina.atomic.atomic_write_text(sys.argv[2], "new")
else:
    import lamina
    from lamina.project import save_project
    save_project(sys.argv[2], lamina.make_spec(
        [4], [lamina.item("Dense", units=3, activation="softmax")], loss="mse"))
"""


def _run_killed(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_process_killed_between_write_and_rename_keeps_the_old_file(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("old")
    done = _run_killed("file", str(target))
    assert done.returncode == -9, done.stderr
    assert target.read_text() == "old"
    # the killed process could not clean up: only its hidden temporary file is new
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "file.txt"]
    assert all(n.startswith(".file.txt.") and n.endswith(".tmp") for n in leftovers)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_process_killed_while_saving_a_project_keeps_it(tmp_path):
    folder = tmp_path / "project"
    save_project(folder, _spec(2), name="p")
    before = _files(folder)
    done = _run_killed("project", str(folder))
    assert done.returncode == -9, done.stderr
    after = {k: v for k, v in _files(folder).items() if not Path(k).name.startswith(".")}
    assert after == before
    assert lamina.load_project(folder).spec == _spec(2)


# --------------------------------------------------------------------------- plug-in loading

GOOD = """
from lamina.hookspecs import hookimpl
from lamina.keras import keras


class Tripler(keras.layers.Layer):
    def call(self, x):
        return 3 * x


@hookimpl
def register_layers(register):
    register(Tripler, category="test", example={"input_shape": [2]})
"""

RAISING = {
    "ImportError": "import lamina_no_such_module_anywhere\n",
    "SyntaxError": "def broken(:\n",
    "RuntimeError": "raise RuntimeError('plug-in refuses to start')\n",
    "SystemExit": "import sys\nsys.exit(3)\n",
    "ZeroDivisionError": "1 / 0\n",
    "BaseException": "class Odd(BaseException):\n    pass\nraise Odd('odd')\n",
    "GeneratorExit": "raise GeneratorExit()\n",
}


def _registry_from(folder: Path):
    """`builtin` first, then the single-file plug-ins in `folder`, as lamina loads them."""
    candidates = lp.builtin_candidates(["builtin"])
    candidates += lp.discover(entry_points=False, folders=[folder], builtins=False)
    pm, infos = lp.make_plugin_manager(candidates=candidates)
    return lp.build_registry(pm, infos)


@pytest.mark.parametrize("kind", sorted(RAISING))
def test_plugin_import_raising_anything_is_reported_and_the_rest_loads(tmp_path, kind):
    (tmp_path / "a_broken.py").write_text(RAISING[kind])
    (tmp_path / "b_good.py").write_text(textwrap.dedent(GOOD))
    registry = _registry_from(tmp_path)
    info = registry.plugins["a_broken"]
    assert not info.loaded
    assert "failed to import" in " ".join(info.problems)
    shown = "ModuleNotFoundError" if kind == "ImportError" else kind
    if kind == "BaseException":
        shown = "Odd"
    assert shown in " ".join(info.problems)
    assert registry.find("layer", "Tripler") is not None
    assert registry.plugins["b_good"].ok and registry.plugins["builtin"].ok
    assert "lamina_user_plugin_a_broken" not in sys.modules


def test_keyboard_interrupt_during_a_plugin_import_is_re_raised(tmp_path):
    """By design: Ctrl+C while plug-ins load stops lamina."""
    (tmp_path / "a_interrupt.py").write_text("raise KeyboardInterrupt\n")
    with pytest.raises(KeyboardInterrupt):
        _registry_from(tmp_path)
    assert "lamina_user_plugin_a_interrupt" not in sys.modules


def test_plugin_raising_in_a_hook_is_reported_and_the_rest_loads(tmp_path):
    source = (
        "from lamina.hookspecs import hookimpl\n"
        "@hookimpl\n"
        "def register_layers(register):\n"
        "    raise RuntimeError('hook broke')\n"
    )
    (tmp_path / "a_hook.py").write_text(source)
    (tmp_path / "b_good.py").write_text(textwrap.dedent(GOOD))
    registry = _registry_from(tmp_path)
    assert "hook broke" in " ".join(registry.plugins["a_hook"].problems)
    assert registry.find("layer", "Tripler") is not None
    assert registry.find("layer", "Conv2D") is not None
