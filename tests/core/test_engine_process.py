"""A real engine child process: start, ping, catalogue cache, check, train, cancel, SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from lamina.engine import protocol as p
from lamina.engine.client import EngineClient
from lamina.engine.protocol import EngineError, EngineStatus, ErrorReply, Event, Reply


class Recorder:
    """Collects every message of the client and waits for conditions on them."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.cond = threading.Condition()

    def __call__(self, message: Any) -> None:
        with self.cond:
            self.messages.append(message)
            self.cond.notify_all()

    def mark(self) -> int:
        with self.cond:
            return len(self.messages)

    def wait_for(self, pred: Callable[[Any], bool], start: int = 0, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for m in self.messages[start:]:
                    if pred(m):
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; last messages: {self.messages[-5:]}")
                self.cond.wait(left)

    def events(self, rid: int, type_: type[Event] = Event) -> list[Event]:
        with self.cond:
            return [m for m in self.messages if isinstance(m, type_) and m.id == rid]


def is_status(state: str) -> Callable[[Any], bool]:
    return lambda m: isinstance(m, EngineStatus) and m.state == state


def is_reply(rid: int) -> Callable[[Any], bool]:
    return lambda m: isinstance(m, Reply) and m.id == rid


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    rec = Recorder()
    log = tmp_path_factory.mktemp("engine") / "engine.log"
    client = EngineClient(on_event=rec, log_path=str(log))
    t0 = time.monotonic()
    client.start()
    assert time.monotonic() - t0 < 2, "start() must return at once"
    rec.wait_for(is_status("ready"), timeout=120)
    client.rec = rec  # type: ignore[attr-defined]
    yield client
    client.stop()
    assert not client.alive


def spec(epochs: int = 2, batch_size: int = 16) -> dict:
    return {
        "name": "toy",
        "input": {"shape": [2]},
        "layers": [
            {"type": "Dense", "params": {"units": 8, "activation": "relu"}},
            {"type": "Dense", "params": {"units": 2, "activation": "softmax"}},
        ],
        "compile": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
        "training": {"epochs": epochs, "batch_size": batch_size, "seed": 0},
        "data": {"type": "moons", "params": {"n": 200}},
    }


def test_ping_and_catalog_cache(engine):
    res = engine.ping()
    assert res.pid == engine.pid and res.versions["tf_keras"]
    assert res.devices[0]["name"] == "cpu"
    # the engine runs at a lower CPU priority than the app, so the window stays responsive
    assert res.nice >= os.nice(0) + 5
    catalog = engine.catalog()
    names = {e["name"] for e in catalog.entries}
    assert {"Dense", "moons"} <= names
    code = (
        "import sys\n"
        "from lamina.engine.catalog_cache import load_cached_catalog\n"
        "c = load_cached_catalog()\n"
        "assert c and any(e['name'] == 'Dense' for e in c['entries'])\n"
        "assert 'tensorflow' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env=dict(os.environ))


def test_check_good_and_bad_spec(engine):
    good = engine.check(spec())
    assert isinstance(good, p.CheckReport) and good.ok and good.output_shape == [2]
    bad = spec()
    bad["layers"][0]["params"]["units"] = -3
    report = engine.check(bad)
    assert not report.ok
    assert any(q["path"] == "layers[0].params.units" for q in report.problems)


def test_errors_are_one_clear_message(engine):
    with pytest.raises(EngineError) as info:
        engine.expand_architecture("no_such_architecture")
    assert "no_such_architecture" in str(info.value) and "Traceback" not in str(info.value)
    assert info.value.code == "unknown_entry"
    with pytest.raises(EngineError) as info:
        engine.dataset_summary({"type": "csv", "params": {"path": "/no/such/file.csv"}})
    assert info.value.code == "data" and "/no/such/file.csv" in str(info.value)


def test_train_streams_events_and_saves_a_run(engine, tmp_path):
    rec = engine.rec
    own: list[Event] = []
    rid = engine.train(spec(epochs=2), project_dir=str(tmp_path / "p"), on_event=own.append)
    reply = rec.wait_for(is_reply(rid), timeout=120)
    assert isinstance(reply, p.TrainResult), reply
    assert reply.status == "finished" and len(reply.history["loss"]) == 2
    types = [type(e) for e in rec.events(rid)]
    assert own == rec.events(rid)  # the request's own listener saw the same events
    assert types[0] is p.RunStarted and types.count(p.EpochEnd) == 2
    assert p.Finished in types and p.Boundary in types
    assert types.index(p.Finished) > max(i for i, t in enumerate(types) if t is p.EpochEnd)
    runs = engine.list_runs(str(tmp_path / "p")).runs
    assert [r["run_dir"] for r in runs] == [reply.run_dir]


def test_cancel_stops_within_about_one_batch(engine):
    rec = engine.rec
    rid = engine.train(spec(epochs=500, batch_size=4), data={"type": "moons"})
    rec.wait_for(lambda m: isinstance(m, p.EpochEnd) and m.id == rid)
    t0 = time.monotonic()  # quick requests do not wait behind the training
    assert engine.check(spec(), timeout=10).ok
    assert time.monotonic() - t0 < 3
    t0 = time.monotonic()
    engine.cancel(rid)
    reply = rec.wait_for(is_reply(rid), timeout=60)
    took = time.monotonic() - t0
    assert isinstance(reply, p.TrainResult) and reply.status == "cancelled", reply
    assert rec.events(rid, p.Cancelled)
    assert took < 5, f"cancel took {took:.1f} s"


def test_sigkill_during_training_restarts_the_engine(engine):
    rec = engine.rec
    old_pid = engine.pid
    start = rec.mark()
    rid = engine.train(spec(epochs=500, batch_size=4))
    rec.wait_for(lambda m: isinstance(m, p.EpochEnd) and m.id == rid, start)
    os.kill(old_pid, signal.SIGKILL)
    died = rec.wait_for(is_status("died"), start)
    assert "signal 9 (SIGKILL)" in died.message and "while running train" in died.message
    reply = rec.wait_for(is_reply(rid), start)
    assert isinstance(reply, ErrorReply) and reply.code == "engine"
    assert reply.message == "the engine stopped (killed by signal 9 (SIGKILL)) while running train"
    with rec.cond:
        later = rec.messages[start:]
    assert later.index(died) < later.index(reply)
    rec.wait_for(is_status("ready"), later.index(reply) + start, timeout=120)
    assert engine.pid != old_pid
    assert engine.ping().pid == engine.pid


def image_spec() -> dict:
    return {
        "name": "spot",
        "input": {"shape": [12, 12, 1]},
        "layers": [
            {"type": "Conv2D", "params": {"filters": 4, "kernel_size": 3, "activation": "relu"}},
            {"type": "GlobalAveragePooling2D"},
            {"type": "Dense", "params": {"units": 2, "activation": "softmax"}},
        ],
        "compile": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
        "training": {"epochs": 1, "batch_size": 16, "seed": 0},
        "data": {"type": "bright_spot", "params": {"n": 40, "size": 12}},
    }


def test_project_visualize_predict_export_through_the_engine(engine, tmp_path):
    import numpy as np

    rec = engine.rec
    project = str(tmp_path / "img")
    summary = engine.dataset_summary(image_spec()["data"])
    assert summary.preview["kind"] == "images" and summary.preview["x"].shape == (8, 12, 12, 1)

    run_dir = engine.call(p.TrainRequest(image_spec(), project_dir=project)).run_dir
    assert engine.list_runs(project).runs[0]["status"] == "finished"

    x = np.random.default_rng(0).random((3, 12, 12, 1)).astype(np.float32)
    assert engine.predict(x, run_dir=run_dir).outputs.shape == (3, 2)
    assert engine.predict(x, project_dir=project).outputs.shape == (3, 2)  # the latest run

    script = engine.export(str(tmp_path / "m.py"), run_dir=run_dir, format="python")
    assert (tmp_path / "m.py").is_file() and script.format == "python"
    with pytest.raises(EngineError, match="unknown format") as info:
        engine.export(str(tmp_path / "m.onnx"), run_dir=run_dir, format="onnx")
    assert info.value.code == "request"

    names = {e["name"] for e in engine.catalog().entries if e["kind"] == "visualization"}
    assert {"gradcam", "deep_dream", "training_curves"} <= names
    curves = engine.visualize("training_curves", run_dir=run_dir)
    assert curves.kind == "training_curves"
    cam = engine.visualize("gradcam", run_dir=run_dir, sample=0)
    assert cam.images.ndim >= 2

    rid = engine.send(
        p.VisualizeRequest("deep_dream", project_dir=project, params={"steps": 4, "layer": 0})
    )
    reply = rec.wait_for(is_reply(rid), timeout=120)
    assert isinstance(reply, p.VisualizeResult), reply
    images = rec.events(rid, p.Image)
    assert images and images[-1].image.shape[:2] == (12, 12)
