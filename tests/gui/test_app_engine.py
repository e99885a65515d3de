"""The app against the real engine child process (the session's engine, see conftest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from lamina_gui.bridge import EngineBridge  # noqa: E402
from lamina_gui.main_window import MainWindow  # noqa: E402
from lamina_gui.widgets.stack_model import ERROR_ROLE  # noqa: E402

from lamina.spec import parse_spec

DEMO = Path(__file__).resolve().parents[2] / "gui" / "lamina_gui" / "demo" / "project.json"


@pytest.fixture
def engine_window(make_window: Any, engine: EngineBridge) -> Any:
    """Makes main windows over the session's real engine."""

    def make() -> MainWindow:
        return make_window(engine, start_engine=False)

    return make


def _demo_spec() -> dict:
    return json.loads(DEMO.read_text())["spec"]


def _wait_report(qtbot: Any, window: MainWindow, timeout: int = 120_000) -> dict:
    qtbot.waitUntil(
        lambda: bool(not window.checker.pending and window.checker.report), timeout=timeout
    )
    return window.checker.report


def test_window_paints_before_tensorflow(engine: EngineBridge, tmp_path: Path) -> None:
    """In a fresh process: the window paints, TensorFlow is not imported, palette from cache."""
    from lamina.engine.catalog_cache import cache_path

    home = tmp_path / "home"
    home.mkdir()
    cached = cache_path()
    assert cached.is_file(), "the engine writes the catalogue cache when it starts"
    (home / "catalog.json").write_bytes(cached.read_bytes())
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QEvent, QObject, QTimer
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from lamina_gui.main_window import MainWindow
        w = MainWindow(start_engine=True)
        painted = []
        class Spy(QObject):
            def eventFilter(self, obj, ev):
                if ev.type() == QEvent.Type.Paint:
                    painted.append(1)
                return False
        spy = Spy()
        w.installEventFilter(spy)
        w.show()
        QTimer.singleShot(1500, app.quit)
        app.exec()
        w.grab()
        print("PAINTED", bool(painted))
        print("TF", "tensorflow" in sys.modules)
        print("ENTRIES", len(w.palette.visible_entries()))
        w.state.undo_stack.setClean()
        w.close()
        """
    )
    env = dict(os.environ, LAMINA_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    assert lines["PAINTED"] == "True"
    assert lines["TF"] == "False"
    assert int(lines["ENTRIES"]) > 50


def test_check_marks_invalid_item(engine_window: Any, qtbot: Any) -> None:
    window = engine_window()
    window.state.reset(_demo_spec())
    report = _wait_report(qtbot, window)
    assert report["ok"], report["problems"]
    assert report["items"][0]["output_shape"] == [60, 60, 6]
    window.composer.select_row(0)
    ks = window.item_panel.form.editors["kernel_size"]
    ks.setText("80")
    ks.textEdited.emit("80")
    assert window.state.layers[0]["params"]["kernel_size"] == 80
    qtbot.waitUntil(lambda: bool(window.composer.model.index(0).data(ERROR_ROLE)), timeout=120_000)
    assert window.item_panel.error.isVisible()
    assert not window.checker.report["ok"]
    window.undo_action.trigger()
    assert window.state.spec == parse_spec(_demo_spec())
    qtbot.waitUntil(
        lambda: bool(window.checker.report and window.checker.report["ok"]), timeout=120_000
    )
    assert window.composer.model.index(0).data(ERROR_ROLE) is None


def test_template_expanded_by_engine(engine_window: Any, qtbot: Any) -> None:
    window = engine_window()
    window.composer.start_from_template("lenet")
    qtbot.waitUntil(lambda: len(window.state.layers) == 11, timeout=120_000)
    assert window.state.spec.name == "lenet"


def test_engine_sigkill_message_restart_spec_unchanged(engine_window: Any, qtbot: Any) -> None:
    window = engine_window()
    window.state.reset(_demo_spec())
    _wait_report(qtbot, window)
    before = window.state.spec
    old_pid = window.bridge.pid
    window.checker.check_now()
    os.kill(old_pid, 9)
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=30_000)
    assert "signal 9" in window.notice.text() or "SIGKILL" in window.notice.text()
    assert window.state.spec == before
    qtbot.waitUntil(
        lambda: window.bridge.state == "ready" and window.bridge.pid not in (None, old_pid),
        timeout=300_000,
    )
    assert "running again" in window.notice.text()
    qtbot.waitUntil(
        lambda: bool(window.checker.report and window.checker.report["ok"]), timeout=120_000
    )
    assert window.state.spec is before
    # the new engine checks the next edit: the item turns red with its message
    window.composer.select_row(0)
    ks = window.item_panel.form.editors["kernel_size"]
    ks.setText("80")
    ks.textEdited.emit("80")
    qtbot.waitUntil(lambda: bool(window.composer.model.index(0).data(ERROR_ROLE)), timeout=120_000)
    assert window.item_panel.error.isVisible() and not window.checker.report["ok"]
    assert window.bridge.pid not in (None, old_pid)
