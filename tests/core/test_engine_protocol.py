"""Engine protocol and in-process handlers: round-trips, arrays, errors (no child process)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from lamina.engine.protocol import (
    ARRAY_PREFIX,
    EngineStatus,
    Event,
    ProtocolError,
    Reply,
    Request,
    decode_array,
    decode_arrays,
    encode_array,
    from_line,
    jsonable,
    to_line,
)


@pytest.mark.parametrize(
    "message",
    [
        Request(1, "check", {"spec": {"input": {"shape": [4]}, "layers": []}}),
        Reply(2, True, {"pid": 7, "nested": [1, 2.5, None]}),
        Reply(3, False, error="layers[0].params.units: expected a value >= 1, got -3"),
        Event(4, "epoch_end", {"epoch": 0, "metrics": {"loss": 0.5}}),
        EngineStatus("died", "the engine was killed by signal 9 (SIGKILL)"),
        EngineStatus("ready"),
    ],
)
def test_every_message_round_trips(message):
    line = to_line(message)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert from_line(line) == message
    assert from_line(line.encode()) == message


def test_nan_becomes_null_and_numpy_scalars_are_numbers():
    line = to_line(Event(1, "epoch_end", {"loss": float("nan"), "acc": np.float32(0.5)}))
    assert json.loads(line)["data"] == {"loss": None, "acc": 0.5}


def test_bad_lines_raise_protocol_error():
    for bad in ("not json", '{"msg": "nope"}', '{"msg": "reply", "id": 1}', "[1]"):
        with pytest.raises(ProtocolError):
            from_line(bad)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 2, 2),
        np.array([1, 2, 3], dtype=np.int64),
        np.zeros((0,), dtype=np.float16),
        np.array([[True, False]]),
    ],
)
def test_encode_decode_array(array):
    text = encode_array(array)
    assert text.startswith(ARRAY_PREFIX)
    back = decode_array(text)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    assert decode_array({"array": text}).shape == array.shape


def test_jsonable_encodes_arrays_and_decode_arrays_restores_them():
    data = {"img": np.ones((2, 2)), "curve": np.arange(3), "n": np.int64(3), "t": (1, 2)}
    out = jsonable(data, small=10)
    assert out["curve"] == [0, 1, 2] and out["n"] == 3 and out["t"] == [1, 2]
    json.dumps(out)
    back = decode_arrays(out)
    np.testing.assert_array_equal(back["img"], np.ones((2, 2)))


def test_decode_array_rejects_other_text():
    with pytest.raises(ProtocolError):
        decode_array("hello")


def test_client_imports_neither_tensorflow_nor_qt():
    code = (
        "import sys\n"
        "import lamina.engine, lamina.engine.client, lamina.engine.protocol\n"
        "import lamina.engine.catalog_cache\n"
        "from lamina.engine import EngineClient\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('tensorflow', 'tf_keras', 'keras', 'PySide6', 'PyQt5', 'PyQt6'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_catalog_cache_round_trip(tmp_path):
    from lamina.engine.catalog_cache import load_cached_catalog, save_catalog

    path = tmp_path / "catalog.json"
    assert load_cached_catalog(path) is None
    save_catalog({"entries": [{"name": "Dense"}], "plugins": []}, path)
    assert load_cached_catalog(path) == {"entries": [{"name": "Dense"}], "plugins": []}
    path.write_text("{corrupt")
    assert load_cached_catalog(path) is None


# -- in-process handlers ---------------------------------------------------------------


def test_unknown_kind_lists_the_known_ones():
    from lamina.engine.handlers import run_request

    reply = run_request(5, "frobnicate", {})
    assert not reply.ok
    assert reply.error.startswith("unknown request kind 'frobnicate'; known: ping, catalog")


def test_missing_payload_field_is_one_clear_message():
    from lamina.engine.handlers import run_request

    reply = run_request(1, "check", {})
    assert reply.error == "check: the payload needs 'spec'"


def test_dataset_summary_of_a_2d_toy_set():
    from lamina.engine.handlers import handle

    res = handle("dataset_summary", {"data": {"type": "moons", "params": {"n": 60}}})
    assert res["summary"]["n"] == 60 and res["preview"]["kind"] == "points"
    assert decode_array(res["preview"]["x"]).shape == (60, 2)
    assert len(res["class_names"]) == 2
    json.dumps(res)


def test_train_and_visualize_in_process(tmp_path):
    """The same handlers run in-process (the Python API's path), with events and cancel."""
    from lamina.engine.handlers import Context, handle
    from lamina.plugins import get_registry, set_registry

    registry = get_registry()
    if not registry.names("visualization"):
        from lamina_builtin.visualizations import register_builtin_visualizations

        register_builtin_visualizations(registry.make_register("visualization", "lamina_builtin"))
    events: list[tuple[str, dict]] = []
    ctx = Context(emit=lambda t, d: events.append((t, d)))
    spec = {
        "name": "spot",
        "input": {"shape": [8, 8, 1]},
        "layers": [
            {"type": "Conv2D", "params": {"filters": 2, "kernel_size": 3, "activation": "relu"}},
            {"type": "Flatten"},
            {"type": "Dense", "params": {"units": 2, "activation": "softmax"}},
        ],
        "compile": {"loss": "sparse_categorical_crossentropy"},
        "training": {"epochs": 1, "batch_size": 16, "seed": 0},
        "data": {"type": "bright_spot", "params": {"n": 32, "size": 8}},
    }
    try:
        res = handle("train", {"spec": spec, "project_dir": str(tmp_path / "p")}, ctx)
        assert res["status"] == "finished"
        assert [t for t, _ in events].count("epoch_end") == 1
        events.clear()
        dream = handle(
            "visualize",
            {"run_dir": res["run_dir"], "kind": "deep_dream", "params": {"steps": 3}},
            ctx,
        )
        assert dream["kind"] == "deep_dream" and decode_array(dream["images"]).size
        assert [t for t, _ in events].count("image") >= 1
        cam = handle("visualize", {"run_dir": res["run_dir"], "kind": "gradcam", "sample": 1})
        assert decode_array(cam["images"]).ndim >= 2 and cam["titles"]
        curves = handle("visualize", {"run_dir": res["run_dir"], "kind": "training_curves"})
        json.dumps(curves)
    finally:
        set_registry(None)


def test_an_engine_that_cannot_start_is_not_restarted_forever(tmp_path):
    import shutil

    from lamina.engine.client import MAX_RESTARTS, EngineClient
    from lamina.engine.protocol import EngineError

    seen: list = []
    client = EngineClient(
        on_event=seen.append, python=shutil.which("false"), log_path=str(tmp_path / "e.log")
    )
    client.start()

    def died() -> list:
        return [m for m in list(seen) if isinstance(m, EngineStatus) and m.state == "died"]

    deadline = time.monotonic() + 20
    while len(died()) < MAX_RESTARTS + 1 or client.state != "died":
        assert time.monotonic() < deadline, seen
        time.sleep(0.05)
    time.sleep(0.3)
    deaths = died()
    assert len(deaths) == MAX_RESTARTS + 1 and not client.alive
    assert "exited with code 1" in deaths[-1].message and "not restarted" in deaths[-1].message
    with pytest.raises(EngineError, match="not running"):
        client.call("ping", timeout=5)
    client.stop()
