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

from lamina.engine.client import EngineClient
from lamina.engine.protocol import EngineError, EngineStatus, Event, Reply


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

    def events(self, rid: int, type_: str | None = None) -> list[Event]:
        with self.cond:
            return [
                m
                for m in self.messages
                if isinstance(m, Event) and m.id == rid and (type_ is None or m.type == type_)
            ]


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
    res = engine.call("ping")
    assert res["pid"] == engine.pid and res["versions"]["tf_keras"]
    assert res["devices"][0]["name"] == "cpu"
    # the engine runs at a lower CPU priority than the app, so the window stays responsive
    assert res["nice"] >= os.nice(0) + 5
    catalog = engine.call("catalog")
    names = {e["name"] for e in catalog["entries"]}
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
    good = engine.call("check", spec=spec())
    assert good["ok"] and good["output_shape"] == [2]
    bad = spec()
    bad["layers"][0]["params"]["units"] = -3
    report = engine.call("check", spec=bad)
    assert not report["ok"]
    assert any(p["path"] == "layers[0].params.units" for p in report["problems"])


def test_errors_are_one_clear_message(engine):
    with pytest.raises(EngineError, match=r"unknown request kind 'nope'; known: ping"):
        engine.call("nope")
    with pytest.raises(EngineError) as info:
        engine.call("expand_architecture", name="no_such_architecture")
    assert "no_such_architecture" in str(info.value) and "Traceback" not in str(info.value)


def test_train_streams_events_and_saves_a_run(engine, tmp_path):
    rec = engine.rec
    rid = engine.submit("train", spec=spec(epochs=2), project_dir=str(tmp_path / "p"))
    reply = rec.wait_for(is_reply(rid), timeout=120)
    assert reply.ok, reply.error
    assert reply.result["status"] == "finished" and len(reply.result["history"]["loss"]) == 2
    types = [e.type for e in rec.events(rid)]
    assert types[0] == "run_started" and types.count("epoch_end") == 2
    assert "finished" in types and "boundary" in types
    assert types.index("finished") > max(i for i, t in enumerate(types) if t == "epoch_end")
    runs = engine.call("list_runs", project_dir=str(tmp_path / "p"))["runs"]
    assert [r["run_dir"] for r in runs] == [reply.result["run_dir"]]


def test_cancel_stops_within_about_one_batch(engine):
    rec = engine.rec
    rid = engine.submit("train", spec=spec(epochs=500, batch_size=4), data={"type": "moons"})
    rec.wait_for(lambda m: isinstance(m, Event) and m.id == rid and m.type == "epoch_end")
    t0 = time.monotonic()  # quick requests do not wait behind the training
    assert engine.call("check", spec=spec(), timeout=10)["ok"]
    assert time.monotonic() - t0 < 3
    t0 = time.monotonic()
    engine.cancel(rid)
    reply = rec.wait_for(is_reply(rid), timeout=60)
    took = time.monotonic() - t0
    assert reply.ok and reply.result["status"] == "cancelled", reply
    assert "cancelled" in [e.type for e in rec.events(rid)]
    assert took < 5, f"cancel took {took:.1f} s"


def test_sigkill_during_training_restarts_the_engine(engine):
    rec = engine.rec
    old_pid = engine.pid
    start = rec.mark()
    rid = engine.submit("train", spec=spec(epochs=500, batch_size=4))
    rec.wait_for(lambda m: isinstance(m, Event) and m.id == rid and m.type == "epoch_end", start)
    os.kill(old_pid, signal.SIGKILL)
    died = rec.wait_for(is_status("died"), start)
    assert "signal 9 (SIGKILL)" in died.message and "while running train" in died.message
    reply = rec.wait_for(is_reply(rid), start)
    assert not reply.ok
    assert reply.error == "the engine stopped (killed by signal 9 (SIGKILL)) while running train"
    with rec.cond:
        later = rec.messages[start:]
    assert later.index(died) < later.index(reply)
    rec.wait_for(is_status("ready"), later.index(reply) + start, timeout=120)
    assert engine.pid != old_pid
    assert engine.call("ping")["pid"] == engine.pid


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

    from lamina.engine.protocol import decode_array, encode_array

    rec = engine.rec
    project = str(tmp_path / "img")
    saved = engine.call("save_project", project_dir=project, spec=image_spec(), name="img")
    assert saved["name"] == "img"
    loaded = engine.call("load_project", project_dir=project)
    assert loaded["spec"]["name"] == "spot" and loaded["runs"] == []

    summary = engine.call("dataset_summary", data=image_spec()["data"])
    assert summary["preview"]["kind"] == "images"
    assert decode_array(summary["preview"]["x"]).shape == (8, 12, 12, 1)

    run_dir = engine.call("train", spec=image_spec(), project_dir=project)["run_dir"]
    assert engine.call("list_runs", project_dir=project)["runs"][0]["status"] == "finished"

    x = np.random.default_rng(0).random((3, 12, 12, 1)).astype(np.float32)
    out = decode_array(engine.call("predict", run_dir=run_dir, x=encode_array(x))["outputs"])
    assert out.shape == (3, 2)

    script = engine.call("export", run_dir=run_dir, format="python", path=str(tmp_path / "m.py"))
    assert (tmp_path / "m.py").is_file() and script["format"] == "python"
    with pytest.raises(EngineError, match="unknown format"):
        engine.call("export", run_dir=run_dir, format="onnx", path=str(tmp_path / "m.onnx"))

    names = {e["name"] for e in engine.call("catalog")["entries"] if e["kind"] == "visualization"}
    assert {"gradcam", "deep_dream", "training_curves"} <= names
    curves = engine.call("visualize", run_dir=run_dir, kind="training_curves")
    assert curves["kind"] == "training_curves"
    cam = engine.call("visualize", run_dir=run_dir, kind="gradcam", sample=0)
    assert decode_array(cam["images"]).ndim >= 2

    rid = engine.submit(
        "visualize", project_dir=project, kind="deep_dream", params={"steps": 4, "layer": 0}
    )
    reply = rec.wait_for(is_reply(rid), timeout=120)
    assert reply.ok, reply.error
    images = rec.events(rid, "image")
    assert images and decode_array(images[-1].data["image"]).shape[:2] == (12, 12)
