"""Fixtures of the app's tests: one fake engine, one real engine, factories that clean up.

`FakeEngine` stands in for `lamina.engine.client.EngineClient` behind the real
`EngineBridge`: typed requests, replies and events go through the wire format
(``to_line``/``from_line``), and replies and events come back through the bridge's
queued dispatch, as with the engine process, but answered at once with canned data and
without TensorFlow. The real engine (`engine`) is one child process for the whole session.
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

from lamina.engine import protocol as p


class FakeEngine:
    """Answers typed requests like the engine would, with canned typed replies and events.

    Args:
        on_event: Where messages go (the bridge's thread callback).
        catalog: What a `CatalogRequest` answers.

    Attributes:
        requests: Every request, as the engine received it (read back from its line).
        cancelled: The ids of cancelled requests.
        train_script: ``"ok"`` (a run that reports every batch) or ``"fail"``.
        write_runs: Write each run's folder into the request's project, as the engine
            does: made when the run starts, ``run.json`` (and its history) written last.
        hold: Request tags (e.g. ``{"visualize"}``) the engine answers only on
            `release`, after saying they wait for the training (a `EngineStatus` naming
            the request).
    """

    def __init__(self, on_event: Callable[[Any], None], catalog: dict | None = None) -> None:
        self.on_event = on_event
        self.catalog = catalog or {"entries": [], "plugins": []}
        self.requests: list[p.Request[Any]] = []
        self.cancelled: list[int] = []
        self.train_script = "ok"
        self.write_runs = False
        self.hold: set[str] = set()
        self.held: list[p.Request[Any]] = []
        self.alive = False
        self.pid = None
        self._ids = itertools.count(1)
        self._timers = QObject()  # owns the timers of runs; deleted by `stop`
        self._handlers: dict[type[p.Request[Any]], Callable[[Any], None]] = {
            p.CatalogRequest: self._catalog,
            p.CheckRequest: self._check,
            p.ExpandArchitectureRequest: self._expand_architecture,
            p.PingRequest: self._ping,
            p.DatasetSummaryRequest: self._dataset_summary,
            p.TrainRequest: self._train,
            p.VisualizeRequest: self._visualize,
            p.SearchRequest: self._search,
            p.SearchStudiesRequest: self._search_studies,
        }
        #: project folder -> the searches the fake ran there (``search_studies`` reads them).
        self.studies: dict[str, dict[str, dict[str, Any]]] = {}

    # -- the client's interface --------------------------------------------------------

    def start(self) -> None:
        self.alive = True
        self.on_event(p.EngineStatus("ready", "fake engine ready"))

    def stop(self) -> None:
        self.alive = False
        self._timers.deleteLater()
        self._timers = QObject()

    def restart(self) -> None:
        self.on_event(p.EngineStatus("restarting", "restarting"))
        self.on_event(p.EngineStatus("ready", "ready"))

    def wait_ready(self, timeout: float = 0) -> bool:
        return self.alive

    def cancel(self, rid: int) -> None:
        self.cancelled.append(rid)

    def send(self, request: p.Request[Any]) -> int:
        """Numbers the request, reads it back from its line as the engine would, and
        answers it; the answers reach the bridge through its queued dispatch."""
        request.id = next(self._ids)
        received = p.from_line(p.to_line(request))
        self.requests.append(received)
        if received.TAG in self.hold:
            self.held.append(received)
            waiting = f"{received.TAG.replace('_', ' ')} waits for the training to end…"
            self.on_event(p.from_line(p.to_line(p.EngineStatus("busy", waiting, id=received.id))))
            return request.id
        handler = self._handlers.get(type(received))
        if handler is None:
            self._reply(received.id, p.ErrorReply(f"fake engine: no {received.TAG}"))
        else:
            handler(received)
        return request.id

    def release(self) -> None:
        """Answers the held requests (the training they waited for ended)."""
        held, self.held = self.held, []
        for request in held:
            self._handlers[type(request)](request)

    def _reply(self, rid: int, reply: p.Reply) -> None:
        reply.id = rid
        self.on_event(p.from_line(p.to_line(reply)))  # what the client reads

    def _event(self, rid: int, event: p.Event) -> None:
        event.id = rid
        self.on_event(p.from_line(p.to_line(event)))

    # -- canned answers ----------------------------------------------------------------

    def _catalog(self, request: p.CatalogRequest) -> None:
        self._reply(request.id, p.Catalog(**copy.deepcopy(self.catalog)))

    def _check(self, request: p.CheckRequest) -> None:
        """A report that marks a `Dense` with more than 1000 units invalid."""
        items, problems = [], []
        for i, item in enumerate(request.spec["layers"]):
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
        report = p.CheckReport(
            ok=not problems,
            items=items,
            input_shape=[None, 8, 8, 1],
            output_shape=[None, 10],
            total_params=7 * len(items),
            trainable_params=7 * len(items),
            problems=problems,
        )
        self._reply(request.id, report)

    def _expand_architecture(self, request: p.ExpandArchitectureRequest) -> None:
        spec = {
            "spec_version": 1,
            "name": request.name,
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
        self._reply(request.id, p.ExpandedArchitecture(spec))

    def _ping(self, request: p.PingRequest) -> None:
        devices = [
            {"name": "cpu", "kind": "cpu", "description": "CPU"},
            {"name": "gpu:0", "kind": "gpu", "description": "Fake GPU"},
        ]
        self._reply(request.id, p.EngineInfo(0, {}, "python", devices))

    def _dataset_summary(self, request: p.DatasetSummaryRequest) -> None:
        data = request.data
        if data["type"] == "csv":
            message = f"{data['params']['path']}: row 3 column 'flux' is not a number"
            self._reply(request.id, p.ErrorReply(message, "data"))
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
        self._reply(request.id, p.DatasetSummary(summary, {"kind": kind, "x": x, "y": y}))

    def _train(self, request: p.TrainRequest) -> None:
        """A run of 10 batches per epoch, one batch per 2 ms timer tick."""
        rid = request.id
        epochs = int(request.spec["training"]["epochs"])
        if self.train_script == "fail":
            reason = "the loss became NaN at epoch 1"
            self._event(rid, p.Failed(reason=reason))
            self._reply(rid, p.TrainResult("failed", reason))
            return
        run_dir = None
        if self.write_runs and request.project_dir:
            run_dir = Path(request.project_dir) / "runs" / f"fake-{rid:03d}"
            run_dir.mkdir(parents=True)  # no run.json yet: a run still being written
        self._event(rid, p.RunStarted(epochs=epochs, steps_per_epoch=10, device="cpu"))
        state = {"epoch": 0, "batch": 0}
        history: dict[str, list[float]] = {}
        timer = QTimer(self._timers)
        timer.setInterval(2)

        def tick() -> None:
            if rid in self.cancelled:
                timer.stop()
                self._event(rid, p.Cancelled(last_epoch=state["epoch"] - 1))
                result = p.TrainResult(
                    "cancelled", "cancelled by the user", epochs_run=state["epoch"]
                )
                self._reply(rid, result)
                return
            if state["batch"] == 0:
                self._event(rid, p.EpochStarted(state["epoch"]))
            self._event(rid, p.BatchEnd(state["epoch"], state["batch"]))
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
            for key, value in metrics.items():
                history.setdefault(key, []).append(value)
            self._event(rid, p.EpochEnd(e, metrics, 0.02))
            grid = np.random.default_rng(e).random((48, 48, 2)).astype(np.float16)
            self._event(rid, p.Boundary(grid, [-1, 1, -1, 1], e))
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
                self._event(rid, p.Finished(epochs_run=epochs, metrics=metrics))
                if run_dir is not None:
                    self._write_run(run_dir, request, history, metrics)
                result = p.TrainResult(
                    "finished",
                    epochs_run=epochs,
                    metrics=metrics,
                    run_dir=str(run_dir) if run_dir is not None else "/tmp/run",
                )
                self._reply(rid, result)

        timer.timeout.connect(tick)
        timer.start()

    @staticmethod
    def _write_run(
        run_dir: Path, request: p.TrainRequest, history: dict[str, Any], metrics: dict[str, Any]
    ) -> None:
        from lamina.project.run import write_run
        from lamina.spec import load_spec

        info = {"run_id": run_dir.name, "status": "finished", "epochs_run": len(history["loss"])}
        if request.continue_from:
            info["continued_from"] = {
                "run_id": Path(request.continue_from).name,
                "run_dir": request.continue_from,
                "epochs_run": 2,
            }
        write_run(run_dir, load_spec(request.spec), info, history, metrics)

    def _search(self, request: p.SearchRequest) -> None:
        """Runs `settings["trials"]` canned trials at once: trial 1 pruned, trial 2 failed,
        the others complete with val_loss 1/(n+1); a path with ``[9]`` is refused, located."""
        rid, settings = request.id, request.settings
        bad = [path for path in request.space if "[9]" in path]
        if bad:
            where = f'space["{bad[0]}"]'
            message = f"{where}: the spec has {len(request.spec['layers'])} items"
            self._reply(rid, p.ErrorReply(message, "search", where))
            return
        refused = self._refused_setting(settings)
        if refused is not None:
            self._reply(rid, refused)
            return
        paths = list(request.space)
        name, n = settings.get("name", "search"), int(settings.get("trials", 4))
        self._event(rid, p.SearchStarted(name, ["val_loss"], ["minimize"], n, paths))
        rows = []
        for number in range(n):
            params = {}
            for path, d in request.space.items():
                params[path] = d["choices"][0] if "choices" in d else d["low"] + number
            self._event(rid, p.TrialStarted(number, params))
            self._event(rid, p.TrialEpoch(number, 0, {"loss": 1.0, "val_loss": 1.0}))
            state, values, reason = "complete", [1 / (number + 1)], ""
            if number == 1:
                state, reason = "pruned", "pruned after epoch 1 (median)"
            if number == 2:
                state, values, reason = "failed", None, "the loss became NaN"
            run_id = f"trial-{number}"
            self._event(rid, p.TrialFinished(number, state, values, run_id, reason, 0.5))
            rows.append(
                {
                    "trial": number,
                    "params": params,
                    "values": values,
                    "state": state,
                    "epochs": 1,
                    "seconds": 0.5,
                    "run_id": run_id,
                    "reason": reason,
                }
            )
        best = [n - 1] if n > 3 else [0]
        self._event(rid, p.SearchFinished(name, n - 2, 1, 1, False, best))
        report = p.SearchReport("finished", name, ["minimize"], ["val_loss"], rows, best)
        self.studies.setdefault(str(request.project_dir), {})[name] = {
            "study": name,
            "objectives": ["val_loss"],
            "directions": ["minimize"],
            "params": paths,
            "trials": [{**row, "best": row["trial"] in best} for row in rows],
            "best": best,
        }
        self._reply(rid, report)

    @staticmethod
    def _refused_setting(settings: dict[str, Any]) -> p.ErrorReply | None:
        """An objective the runs do not log, or a storage it cannot reach, located at the
        setting as the engine locates them (a password is never in the message)."""
        unknown = [o for o in settings.get("objectives", []) if "nope" in o]
        if unknown:
            where = "search.objectives"
            message = f"{where}: the runs of this spec do not log {unknown[0]!r}"
            return p.ErrorReply(message, "search", where)
        if "@" in (settings.get("storage") or ""):
            where = "search.storage"
            message = f"{where}: cannot open the storage postgresql://u:***@nowhere/db"
            return p.ErrorReply(message, "search", where)
        return None

    def _search_studies(self, request: p.SearchStudiesRequest) -> None:
        """The searches the fake ran in the project; a storage URL with a password it cannot
        reach is refused as the engine does (located, the password hidden)."""
        refused = self._refused_setting({"storage": request.storage})
        if refused is not None:
            self._reply(request.id, refused)
            return
        found = self.studies.get(str(request.project_dir), {})
        self._reply(request.id, p.SearchStudies(list(found.values())))

    def _visualize(self, request: p.VisualizeRequest) -> None:
        rid, kind = request.id, request.visualization
        if kind == "deep_dream":
            steps = request.params.get("steps", 5)
            for s in range(steps):
                img = np.full((16, 16, 3), 40 * s, dtype=np.uint8)
                self._event(rid, p.Image(s, steps, img))
            images = np.full((1, 16, 16, 3), 1.0, dtype=np.float32)
            self._reply(rid, p.VisualizeResult(kind, images, ["dream"], {"layer": "conv2d_0"}))
            return
        n = 8 if kind == "filters" else 1
        images = np.random.default_rng(0).normal(size=(n, 3, 3)).astype(np.float32)
        titles = [f"filter {i}" for i in range(n)]
        meta = {"cmap": "RdBu_r", "symmetric": True, "layer": "conv2d_0"}
        self._reply(rid, p.VisualizeResult(kind, images, titles, meta))


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
    return engine.client.catalog(timeout=120).to_dict()


@pytest.fixture(scope="session")
def digits_cnn() -> Callable[..., dict[str, Any]]:
    """``digits_cnn(epochs=2)``: a fresh spec dict of a tiny CNN on digits, for the
    real-engine tests."""

    def make(epochs: int = 2) -> dict[str, Any]:
        return {
            "name": "digits-cnn",
            "input": {"shape": [8, 8, 1]},
            "layers": [
                {
                    "type": "Conv2D",
                    "params": {"filters": 4, "kernel_size": 3, "activation": "relu"},
                },
                {"type": "Flatten", "params": {}},
                {"type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            ],
            "compile": {
                "loss": "sparse_categorical_crossentropy",
                "optimizer": {"type": "Adam", "params": {}},
                "metrics": ["accuracy"],
            },
            "training": {"epochs": epochs, "batch_size": 64},
            "data": {"type": "digits", "params": {}},
        }

    return make
