"""Fixtures of the app's tests: one fake engine, one real engine, factories that clean up.

`FakeEngine` stands in for `lamina.engine.client.EngineClient` behind the real
`EngineBridge`: requests go through the wire format (``to_line``/``from_line``) and
replies and events come back through the bridge's queued dispatch, as with the engine
process, but answered at once with canned data and without TensorFlow. The real engine
(`engine`) is one child process for the whole session.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lamina_gui.bridge import EngineBridge
from lamina_gui.main_window import MainWindow
from lamina_gui.state import AppState
from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from lamina.engine.protocol import (
    EngineStatus,
    Event,
    Reply,
    Request,
    encode_array,
    from_line,
    to_line,
)


class FakeEngine:
    """Answers requests like the engine would, with canned data.

    Args:
        on_event: Where messages go (the bridge's thread callback).
        catalog: What ``catalog`` answers.

    Attributes:
        requests: ``(id, kind, payload)`` of every request, as the engine received it.
        cancelled: The ids of cancelled requests.
        train_script: ``"ok"`` (a run that reports every batch) or ``"fail"``.
    """

    def __init__(self, on_event: Callable[[Any], None], catalog: dict | None = None) -> None:
        self.on_event = on_event
        self.catalog = catalog or {"entries": [], "plugins": []}
        self.requests: list[tuple[int, str, dict]] = []
        self.cancelled: list[int] = []
        self.train_script = "ok"
        self.alive = False
        self.pid = None
        self._ids = itertools.count(1)
        self._timers = QObject()  # owns the timers of runs; deleted by `stop`
        self._handlers: dict[str, Callable[[int, dict], None]] = {
            "catalog": self._catalog,
            "check": self._check,
            "expand_architecture": self._expand_architecture,
            "ping": self._ping,
            "dataset_summary": self._dataset_summary,
            "train": self._train,
            "visualize": self._visualize,
        }

    # -- the client's interface --------------------------------------------------------

    def start(self) -> None:
        self.alive = True
        self.on_event(EngineStatus("ready", "fake engine ready"))

    def stop(self) -> None:
        self.alive = False
        self._timers.deleteLater()
        self._timers = QObject()

    def restart(self) -> None:
        self.on_event(EngineStatus("restarting", "restarting"))
        self.on_event(EngineStatus("ready", "ready"))

    def wait_ready(self, timeout: float = 0) -> bool:
        return self.alive

    def cancel(self, rid: int) -> None:
        self.cancelled.append(rid)

    def submit(self, kind: str, /, **payload: Any) -> int:
        rid = next(self._ids)
        request = from_line(to_line(Request(rid, kind, payload)))  # what the engine reads
        self.requests.append((rid, kind, request.payload))
        handler = self._handlers.get(kind)
        if handler is None:
            self._reply(rid, False, error=f"fake engine: no {kind}")
        else:
            handler(rid, request.payload)
        return rid

    def kinds(self) -> list[str]:
        """The kinds of the requests so far, in order."""
        return [kind for _, kind, _ in self.requests]

    def _reply(self, rid: int, ok: bool, result: Any = None, error: str | None = None) -> None:
        self.on_event(Reply(rid, ok, result, error))

    def _event(self, rid: int, type_: str, data: dict) -> None:
        self.on_event(Event(rid, type_, data))

    # -- canned answers ----------------------------------------------------------------

    def _catalog(self, rid: int, payload: dict) -> None:
        self._reply(rid, True, copy.deepcopy(self.catalog))

    def _check(self, rid: int, payload: dict) -> None:
        """A report that marks a `Dense` with more than 1000 units invalid."""
        items, problems = [], []
        for i, item in enumerate(payload["spec"]["layers"]):
            error = None
            if item["type"] == "Dense" and item["params"].get("units", 1) > 1000:
                error = "units: too many units for the fake engine (got 5000)"
                problems.append({"path": f"layers[{i}].params.units", "message": error})
            items.append(
                {
                    "index": i,
                    "type": item["type"],
                    "name": f"x_{i}",
                    "output_shape": [None, 10],
                    "params": 7,
                    "error": error,
                    "checked": True,
                }
            )
        report = {
            "ok": not problems,
            "items": items,
            "input_shape": [None, 8, 8, 1],
            "output_shape": [None, 10],
            "total_params": 7 * len(items),
            "trainable_params": 7 * len(items),
            "problems": problems,
        }
        self._reply(rid, True, report)

    def _expand_architecture(self, rid: int, payload: dict) -> None:
        spec = {
            "spec_version": 1,
            "name": payload["name"],
            "input": {"shape": [8, 8, 1]},
            "layers": [
                {"type": "Flatten", "params": {}},
                {"type": "Dense", "params": {"units": 32}},
            ],
            "compile": {
                "loss": {"type": "sparse_categorical_crossentropy", "params": {}},
                "optimizer": {"type": "Adam", "params": {}},
                "metrics": ["accuracy"],
            },
            "training": {"epochs": 2},
        }
        self._reply(rid, True, spec)

    def _ping(self, rid: int, payload: dict) -> None:
        devices = [
            {"name": "cpu", "kind": "cpu", "description": "CPU"},
            {"name": "gpu:0", "kind": "gpu", "description": "Fake GPU"},
        ]
        self._reply(rid, True, {"versions": {}, "devices": devices})

    def _dataset_summary(self, rid: int, payload: dict) -> None:
        data = payload["data"]
        if data["type"] == "csv":
            error = f"{data['params']['path']}: row 3 column 'flux' is not a number"
            self._reply(rid, False, error=error)
            return
        if data["type"] == "spirals":
            x = np.random.default_rng(0).normal(size=(300, 2)).astype(np.float32)
            y = (x[:, 0] > 0).astype(np.int64)
            summary = {
                "name": "spirals",
                "task": "classification",
                "n": 300,
                "x_shape": [300, 2],
                "y_shape": [300],
                "class_names": ["A", "B"],
                "class_counts": {"A": 150, "B": 150},
                "feature_names": ["x1", "x2"],
            }
            kind = "points"
        else:
            x = np.random.default_rng(0).random((8, 8, 8, 1)).astype(np.float32)
            y = np.arange(8)
            summary = {
                "name": "digits",
                "task": "classification",
                "n": 200,
                "x_shape": [200, 8, 8, 1],
                "y_shape": [200],
                "class_names": [str(i) for i in range(10)],
                "class_counts": {str(i): 20 for i in range(10)},
            }
            kind = "images"
        preview = {"kind": kind, "x": encode_array(x), "y": encode_array(y)}
        self._reply(rid, True, {"summary": summary, "preview": preview})

    def _train(self, rid: int, payload: dict) -> None:
        """A run of 10 batches per epoch, one batch per 2 ms timer tick."""
        epochs = int(payload["spec"]["training"]["epochs"])
        if self.train_script == "fail":
            reason = "the loss became NaN at epoch 1"
            self._event(rid, "failed", {"reason": reason})
            self._reply(rid, True, {"status": "failed", "reason": reason})
            return
        self._event(rid, "run_started", {"epochs": epochs, "steps_per_epoch": 10, "device": "cpu"})
        state = {"epoch": 0, "batch": 0}
        timer = QTimer(self._timers)
        timer.setInterval(2)

        def tick() -> None:
            if rid in self.cancelled:
                timer.stop()
                self._event(rid, "cancelled", {"last_epoch": state["epoch"] - 1})
                result = {
                    "status": "cancelled",
                    "reason": "cancelled by the user",
                    "epochs_run": state["epoch"],
                    "metrics": {},
                    "history": {},
                }
                self._reply(rid, True, result)
                return
            if state["batch"] == 0:
                self._event(rid, "epoch_started", {"epoch": state["epoch"]})
            self._event(rid, "batch_end", {"epoch": state["epoch"], "batch": state["batch"]})
            state["batch"] += 1
            if state["batch"] < 10:
                return
            e = state["epoch"]
            metrics = {
                "loss": 1 / (e + 1),
                "accuracy": 0.5 + e / 100,
                "val_loss": 1.2 / (e + 1),
                "val_accuracy": 0.45 + e / 100,
                "lr": 0.001,
            }
            self._event(rid, "epoch_end", {"epoch": e, "metrics": metrics, "seconds": 0.02})
            grid = np.random.default_rng(e).random((48, 48, 2)).astype(np.float16)
            boundary = {"grid": encode_array(grid), "extent": [-1, 1, -1, 1], "epoch": e}
            self._event(rid, "boundary", boundary)
            state["epoch"] += 1
            state["batch"] = 0
            if state["epoch"] == epochs:
                timer.stop()
                metrics = {
                    "n": 30,
                    "loss": 0.3,
                    "accuracy": 0.9,
                    "confusion_matrix": [[14, 1], [2, 13]],
                    "class_names": ["A", "B"],
                }
                self._event(rid, "finished", {"epochs_run": epochs, "metrics": metrics})
                result = {
                    "status": "finished",
                    "epochs_run": epochs,
                    "metrics": metrics,
                    "run_dir": "/tmp/run",
                }
                self._reply(rid, True, result)

        timer.timeout.connect(tick)
        timer.start()

    def _visualize(self, rid: int, payload: dict) -> None:
        kind = payload["visualization"]
        if kind == "deep_dream":
            steps = payload["params"].get("steps", 5)
            for s in range(steps):
                img = np.full((16, 16, 3), 40 * s, dtype=np.uint8)
                self._event(rid, "image", {"step": s, "steps": steps, "image": encode_array(img)})
            images = np.full((1, 16, 16, 3), 1.0, dtype=np.float32)
            result = {
                "kind": kind,
                "images": encode_array(images),
                "titles": ["dream"],
                "meta": {"layer": "conv2d_0"},
            }
            self._reply(rid, True, result)
            return
        n = 8 if kind == "filters" else 1
        images = np.random.default_rng(0).normal(size=(n, 3, 3)).astype(np.float32)
        result = {
            "kind": kind,
            "images": encode_array(images),
            "titles": [f"filter {i}" for i in range(n)],
            "meta": {"cmap": "RdBu_r", "symmetric": True, "layer": "conv2d_0"},
        }
        self._reply(rid, True, result)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """lamina's home folder and the Qt settings of the test, in `tmp_path`."""
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    return tmp_path / "home"


@pytest.fixture
def make_bridge(qapp: QApplication) -> Iterator[Callable[..., EngineBridge]]:
    """Makes bridges over a `FakeEngine` (``bridge.client``); stops and deletes them at
    the end, so no reply of one test reaches the next."""
    bridges: list[EngineBridge] = []

    def make(catalog: dict | None = None, start: bool = True) -> EngineBridge:
        bridge = EngineBridge(client_factory=lambda on_event: FakeEngine(on_event, catalog))
        if start:
            bridge.start()
        bridges.append(bridge)
        return bridge

    yield make
    for bridge in bridges:
        bridge.stop()
        bridge.deleteLater()
    QApplication.sendPostedEvents()


@pytest.fixture
def make_state(qapp: QApplication) -> Iterator[Callable[..., AppState]]:
    """Makes app states (with a catalogue and a spec); disconnects them at the end."""
    states: list[AppState] = []

    def make(catalog: dict | None = None, spec: Any = None, **reset: Any) -> AppState:
        state = AppState()
        state.catalog = catalog
        if spec is not None:
            state.reset(spec, **reset)
        states.append(state)
        return state

    yield make
    for state in states:
        state.undo_stack.cleanChanged.disconnect()
        state.deleteLater()


@pytest.fixture
def make_window(
    qtbot: Any, app_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., MainWindow]]:
    """Makes main windows over a bridge; closes them (discarding changes) at the end and
    fails if a window is left visible."""
    windows: list[MainWindow] = []

    def make(bridge: EngineBridge, spec: Any = None, start_engine: bool = True) -> MainWindow:
        window = MainWindow(bridge=bridge, start_engine=start_engine)  # closed below
        window.show()
        qtbot.waitExposed(window)
        if spec is not None:
            window.state.reset(spec)
        windows.append(window)
        return window

    yield make
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    for window in windows:
        window.close()
        window.deleteLater()
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


@pytest.fixture(scope="session")
def engine(qapp: QApplication) -> Iterator[EngineBridge]:
    """The real engine child process, one for the session, ready before its first test."""
    bridge = EngineBridge()
    bridge.start()
    if not bridge.client.wait_ready(300):
        bridge.stop()
        pytest.fail("the engine did not start within 300 s")
    yield bridge
    bridge.stop()


@pytest.fixture(scope="session")
def engine_catalog(engine: EngineBridge) -> dict:
    """The real engine's catalogue."""
    return engine.client.call("catalog", timeout=120)
