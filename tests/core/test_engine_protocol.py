"""Engine protocol and in-process handlers: round-trips, arrays, errors (no child process)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest

from lamina.engine import protocol as p
from lamina.engine.protocol import (
    ARRAY_PREFIX,
    MESSAGES,
    EngineStatus,
    ProtocolError,
    decode_array,
    decode_arrays,
    encode_array,
    from_line,
    jsonable,
    to_line,
)

SPEC = {"input": {"shape": [4]}, "layers": [{"type": "Dense", "params": {"units": 2}}]}
IMAGE = np.arange(12, dtype=np.float32).reshape(2, 2, 3)

#: One example of every message class (the test below checks none is missing).
EXAMPLES: list[p.Message] = [
    p.PingRequest(id=1),
    p.CatalogRequest(id=2),
    p.CheckRequest(SPEC, compile=False, id=3),
    p.ExpandArchitectureRequest("lenet", {"classes": 3}, id=4),
    p.DatasetSummaryRequest({"type": "moons"}, {"n": 10}, 4, id=5),
    p.TrainRequest(SPEC, data={"type": "moons"}, project_dir="/p", epochs=2, id=6),
    p.TrainRequest(SPEC, data={"x": IMAGE, "y": np.arange(2)}, boundary=False, id=6),
    p.VisualizeRequest("deep_dream", run_dir="/r", params={"steps": 3, "input": IMAGE}, id=7),
    p.ListRunsRequest("/p", id=8),
    p.PredictRequest(IMAGE, project_dir="/p", run="run-1", id=9),
    p.ExportRequest("/m.py", "python", run_dir="/r", id=10),
    p.CancelRequest(6, id=11),
    p.ErrorReply("layers[0].params.units: expected >= 1", "spec", "layers[0].params.units", id=3),
    p.RequestCancelled("cancelled before it started", id=7),
    p.CancelAck(6, True, id=11),
    p.EngineInfo(7, {"tf_keras": "2.16"}, "/usr/bin/python", [{"name": "cpu"}], 5, id=1),
    p.Catalog([{"kind": "layer", "name": "Dense"}], [{"name": "builtin"}], id=2),
    p.CheckReport(True, [{"index": 0, "output_shape": [2]}], [4], [2], 10, 10, [], id=3),
    p.ExpandedArchitecture(SPEC, id=4),
    p.DatasetSummary(
        {"n": 10}, {"kind": "images", "indices": [0, 1], "x": IMAGE, "y": None}, ["a"], None
    ),
    p.TrainResult("finished", "", "run-1", "/p/runs/run-1", 2, {"loss": 0.1}, {"loss": [1, 0.5]}),
    p.VisualizeResult("filters", IMAGE, ["a", "b"], {"cmap": "gray"}, "/r", id=7),
    p.VisualizeResult("training_curves", None, id=7),
    p.RunList([{"id": "run-1", "status": "finished"}], id=8),
    p.Prediction(np.ones((3, 2), dtype=np.float32), id=9),
    p.Exported("/m.py", "python", id=10),
    p.EngineStatus("died", "the engine was killed by signal 9 (SIGKILL)"),
    p.EngineStatus("ready"),
    p.RunStarted("run-1", 2, 10, "cpu", 0, {"train": 8}, {"n": 10}, ["test"], id=6),
    p.EpochStarted(1, id=6),
    p.BatchEnd(1, 3, {"loss": 0.5}, id=6),
    p.EpochEnd(0, {"loss": 0.5, "val_loss": 0.6}, 1.5, id=6),
    p.EarlyStopped(5, 2, "val_loss", 0.25, id=6),
    p.CheckpointSaved("/p/best.weights.h5", 2, "best", id=6),
    p.Finished("run-1", 2, {"accuracy": 0.9}, 3.0, "/p/runs/run-1", id=6),
    p.Failed("run-1", "the loss became NaN", 1, id=6),
    p.Cancelled("run-1", 0, "cancelled by the user", id=6),
    p.Boundary(np.zeros((4, 4, 2), dtype=np.float16), [0.0, 1.0, 0.0, 1.0], 3, id=6),
    p.Log("decision boundary skipped", id=6),
    p.Image(2, 10, IMAGE, id=7),
    p.SearchRequest(SPEC, {"layers[0].params.units": [2, 4]}, {"trials": 2}, "/p", id=12),
    p.SearchReport("stopped", "s", ["minimize"], ["val_loss"], [{"trial": 0}], [0], id=12),
    p.SearchStarted("s", ["val_loss"], ["minimize"], 2, ["layers[0].params.units"], id=12),
    p.TrialStarted(0, {"layers[0].params.units": 2}, id=12),
    p.TrialEpoch(0, 0, {"loss": 0.5}, id=12),
    p.TrialFinished(0, "pruned", [0.7], "run-1", "pruned at epoch 1", 1.5, id=12),
    p.SearchFinished("s", 1, 1, 0, True, [0], id=12),
    p.SearchStudiesRequest("/p", None, id=13),
    p.SearchStudies([{"study": "s", "trials": [{"trial": 0}], "best": [0]}], id=13),
]


def _same(a, b) -> bool:
    """Equality that compares arrays by dtype, shape and values."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b)
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def test_every_message_class_has_an_example():
    assert {type(m) for m in EXAMPLES} == set(MESSAGES.values())


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_through_one_json_line(message):
    line = to_line(message)
    assert line.endswith("\n") and "\n" not in line[:-1]
    for text in (line, line.encode()):
        back = from_line(text)
        assert type(back) is type(message) and back.id == message.id
        assert _same(back.to_dict(), message.to_dict())


def test_the_wire_names_family_and_tag():
    data = json.loads(to_line(p.CheckRequest(SPEC, id=7)))
    assert data == {
        "msg": "request",
        "type": "check",
        "id": 7,
        "data": {"spec": SPEC, "compile": True},
    }
    assert json.loads(to_line(p.EpochEnd(0, {}, 1.0, id=7)))["type"] == "epoch_end"
    assert p.DatasetSummaryRequest.LONG and not p.CheckRequest.LONG
    assert p.CheckRequest.REPLY is p.CheckReport


def test_a_model_spec_crosses_the_wire_as_its_dict():
    from lamina.spec import parse_spec

    spec = parse_spec(SPEC)
    back = from_line(to_line(p.CheckRequest(spec)))
    assert back.spec == spec.to_dict()


def test_nan_becomes_null_and_numpy_scalars_are_numbers():
    line = to_line(p.EpochEnd(1, {"loss": float("nan"), "acc": np.float32(0.5)}))
    assert json.loads(line)["data"]["metrics"] == {"loss": None, "acc": 0.5}


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[1]",
        '{"msg": "nope", "type": "check"}',
        '{"msg": "request", "type": "frobnicate", "id": 1}',
        '{"msg": "reply", "type": "check_report", "id": 1, "data": {}}',
        '{"msg": "request", "type": "check", "id": 1, "data": {"spec": {}, "colour": 1}}',
        '{"msg": "request", "type": "ping", "id": "one"}',
    ],
)
def test_bad_lines_raise_protocol_error(bad):
    with pytest.raises(ProtocolError):
        from_line(bad)


def test_unknown_tag_lists_the_known_ones():
    with pytest.raises(ProtocolError, match=r"unknown request type 'nope'; known: ping, catalog"):
        from_line('{"msg": "request", "type": "nope", "id": 1}')


def test_a_tag_is_registered_once():
    from dataclasses import dataclass

    with pytest.raises(ValueError, match="taken"):

        @p.message("check")
        @dataclass
        class Again(p.Request):
            pass


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


def _server():
    import io

    from lamina.engine.server import Server

    out = io.StringIO()
    return Server(io.BytesIO(), out), out


def _written(out) -> list:
    return [from_line(line) for line in out.getvalue().splitlines()]


def test_the_server_answers_a_request_it_cannot_read_with_an_error_reply():
    server, out = _server()
    server.receive('{"msg": "request", "type": "frobnicate", "id": 5, "data": {}}')
    server.receive('{"msg": "request", "type": "check", "id": 6, "data": {}}')
    server.receive("not json at all")  # no id: only logged
    unknown, missing = _written(out)
    assert isinstance(unknown, p.ErrorReply) and unknown.id == 5 and unknown.code == "protocol"
    assert unknown.message.startswith("unknown request type 'frobnicate'; known: ping, catalog")
    assert missing.id == 6 and "required positional argument: 'spec'" in missing.message


def test_the_server_dispatches_by_type():
    server, out = _server()
    server.receive(to_line(p.CheckRequest(SPEC, id=1)))
    server.receive(to_line(p.TrainRequest(SPEC, id=2)))
    server.receive(to_line(p.CancelRequest(2, id=3)))
    server.receive(to_line(p.CancelRequest(99, id=4)))
    server.receive(to_line(p.VisualizeRequest("filters", run_dir="r", id=5)))
    assert server.quick.get_nowait() == p.CheckRequest(SPEC, id=1)
    # training has its own worker: a visualization never waits behind it
    assert server.training.get_nowait().id == 2 and server._tokens[2].cancelled
    assert server.long.get_nowait().id == 5
    assert _written(out) == [p.CancelAck(2, True, id=3), p.CancelAck(99, False, id=4)]


def test_a_request_that_must_wait_says_what_for():
    server, out = _server()
    server._running[7] = "drawing a visualization"
    server.receive(to_line(p.DatasetSummaryRequest({"type": "digits"}, id=8)))
    (status,) = _written(out)
    assert status.state == "busy"
    assert status.message == "Loading a data preview waits for drawing a visualization to end…"
    assert status.id == 8  # it names the waiting request: the app shows it where one waits


def test_every_request_but_cancel_has_a_handler():
    from lamina.engine.handlers import HANDLERS

    requests = {c for (family, _), c in MESSAGES.items() if family == "request"}
    assert set(HANDLERS) == requests - {p.CancelRequest}
    for cls, fn in HANDLERS.items():
        assert fn.__annotations__["request"] == cls.__name__, fn


def test_a_request_type_without_handler_is_a_request_error():
    from dataclasses import dataclass

    from lamina.engine.handlers import RequestError, handle, run_request

    @dataclass
    class Unserved(p.PingRequest):
        pass

    with pytest.raises(RequestError, match="does not serve ping"):
        handle(Unserved())
    reply = run_request(Unserved(id=4))
    assert reply == p.ErrorReply("the engine does not serve ping", "request", id=4)


def test_error_replies_carry_code_and_location(monkeypatch):
    from lamina.engine.handlers import HANDLERS, run_request
    from lamina.spec import SpecError, SpecProblem

    def bad_spec(request, ctx):
        raise SpecError([SpecProblem("layers[2].params.units", "expected a value >= 1")])

    def bug(request, ctx):
        raise RuntimeError("boom\nmore")

    monkeypatch.setitem(HANDLERS, p.CheckRequest, bad_spec)
    reply = run_request(p.CheckRequest(SPEC, id=3))
    assert reply == p.ErrorReply(
        "layers[2].params.units: expected a value >= 1", "spec", "layers[2].params.units", id=3
    )
    monkeypatch.setitem(HANDLERS, p.CheckRequest, bug)
    assert run_request(p.CheckRequest(SPEC, id=4)) == p.ErrorReply(
        "check failed: RuntimeError: boom", "internal", id=4
    )


def test_unknown_architecture_is_an_unknown_entry_error():
    from lamina.engine.handlers import run_request

    reply = run_request(p.ExpandArchitectureRequest("no_such_architecture", id=2))
    assert isinstance(reply, p.ErrorReply) and reply.code == "unknown_entry"
    assert "no_such_architecture" in reply.message and "Traceback" not in reply.message


def test_protocol_events_have_the_trainer_events_fields():
    from dataclasses import fields

    from lamina.engine.handlers.training import TRAINING_EVENTS
    from lamina.training import events

    for name, cls in TRAINING_EVENTS.items():
        trainer = [f.name for f in fields(getattr(events, name))]
        assert trainer == [f.name for f in fields(cls) if f.name != "id"], name


def test_check_in_process():
    from lamina.engine.handlers import handle

    report = handle(p.CheckRequest(SPEC, compile=False))
    assert isinstance(report, p.CheckReport) and report.ok and report.output_shape == [2]


def test_dataset_summary_of_a_2d_toy_set():
    from lamina.engine.handlers import handle

    res = handle(p.DatasetSummaryRequest({"type": "moons", "params": {"n": 60}}))
    assert res.summary["n"] == 60 and res.preview["kind"] == "points"
    assert res.preview["x"].shape == (60, 2)
    assert len(res.class_names) == 2
    assert _same(from_line(to_line(res)).to_dict(), res.to_dict())


def test_train_and_visualize_in_process(tmp_path):
    """The same handlers run in-process (the Python API's path), with events and cancel."""
    from lamina.engine.handlers import Context, handle
    from lamina.plugins import get_registry, set_registry

    registry = get_registry()
    if not registry.names("visualization"):
        from lamina_builtin.visualizations import register_builtin_visualizations

        register_builtin_visualizations(registry.make_register("visualization", "lamina_builtin"))
    events: list[p.Event] = []
    ctx = Context(emit=events.append, request_id=7)
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
        res = handle(p.TrainRequest(spec, project_dir=str(tmp_path / "p")), ctx)
        assert isinstance(res, p.TrainResult) and res.status == "finished"
        assert [type(e) for e in events].count(p.EpochEnd) == 1
        assert isinstance(events[0], p.RunStarted) and {e.id for e in events} == {7}
        for event in events:  # every trainer event crosses the wire
            assert type(from_line(to_line(event))) is type(event)
        events.clear()
        dream = handle(
            p.VisualizeRequest("deep_dream", run_dir=res.run_dir, params={"steps": 3}), ctx
        )
        assert dream.kind == "deep_dream" and dream.images.size
        assert any(isinstance(e, p.Image) for e in events)
        cam = handle(p.VisualizeRequest("gradcam", run_dir=res.run_dir, sample=1))
        assert cam.images.ndim >= 2 and cam.titles
        curves = handle(p.VisualizeRequest("training_curves", run_dir=res.run_dir))
        to_line(curves)
    finally:
        set_registry(None)


def test_the_client_routes_a_reply_and_events_to_their_request(tmp_path):
    """Without a child: requests wait in the backlog; the test plays the engine."""
    import threading

    from lamina.engine.client import EngineClient
    from lamina.engine.protocol import EngineError

    seen: list = []
    client = EngineClient(on_event=seen.append, log_path=str(tmp_path / "e.log"))
    client._respawning = True  # as while a died engine restarts
    replies: list = []
    events: list = []
    rid = client.train(SPEC, on_event=events.append, on_reply=replies.append, epochs=3)
    assert from_line(client._backlog[-1]) == p.TrainRequest(SPEC, epochs=3, id=rid)
    client._handle(None, p.EpochEnd(0, {"loss": 1.0}, id=rid))
    client._handle(None, p.TrainResult("finished", id=rid))
    assert events == [p.EpochEnd(0, {"loss": 1.0}, id=rid)]
    assert replies == [p.TrainResult("finished", id=rid)] and seen == events + replies

    error = p.ErrorReply("from.json: layers[0]: bad", "spec", "layers[0]", "fix it", id=rid + 1)

    def answer() -> None:  # once the check is waiting
        while error.id not in client._pending:
            time.sleep(0.01)
        client._handle(None, error)

    threading.Thread(target=answer, daemon=True).start()
    with pytest.raises(EngineError) as info:
        client.check(SPEC, timeout=10)
    assert str(info.value) == "from.json: layers[0]: bad"  # the engine's message as it is
    assert (info.value.code, info.value.location, info.value.hint) == (
        "spec",
        "layers[0]",
        "fix it",
    )


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
        client.ping(timeout=5)
    client.stop()
