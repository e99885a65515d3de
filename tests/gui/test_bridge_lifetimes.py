"""The bridge routes typed replies and events to their request's callbacks on the GUI thread,
and drops those of a receiver deleted meanwhile (a view closed mid-request)."""

from __future__ import annotations

from typing import Any

import shiboken6
from lamina_gui.bridge import EngineBridge, _alive
from PySide6.QtCore import QObject

from lamina.engine import protocol as p


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[object] = []

    def on_reply(self, reply: object) -> None:
        self.got.append(reply)


class _Client:
    """Keeps what was sent; the test plays the engine through `on_event`."""

    def __init__(self, on_event: Any) -> None:
        self.on_event = on_event
        self.sent: list[p.Request] = []

    def send(self, request: p.Request) -> int:
        request.id = len(self.sent) + 1
        self.sent.append(request)
        return request.id


def test_callbacks_of_deleted_qt_objects_are_not_called(qtbot):
    receiver = _Receiver()
    callback = receiver.on_reply
    assert _alive(callback)
    assert _alive(lambda reply: None)
    assert not _alive(None)
    shiboken6.delete(receiver)
    assert not _alive(callback)


def test_replies_and_events_reach_their_request_on_the_gui_thread(qtbot):
    bridge = EngineBridge(client_factory=_Client)
    replies: list[p.Reply] = []
    events: list[p.Event] = []
    rid = bridge.request(p.TrainRequest({"layers": []}), replies.append, events.append)
    other = bridge.request(p.PingRequest(), replies.append)
    assert [type(r) for r in bridge.client.sent] == [p.TrainRequest, p.PingRequest]
    engine = bridge.client.on_event  # called from the client's reader thread
    engine(p.EpochEnd(0, {"loss": 1.0}, id=rid))
    engine(p.Log("a line for nobody", id=99))
    engine(p.EngineStatus("busy", "running train"))
    assert not events  # queued: nothing runs on the reader's thread
    with qtbot.waitSignal(bridge.reply):
        engine(p.TrainResult("finished", id=rid))
    assert events == [p.EpochEnd(0, {"loss": 1.0}, id=rid)]
    assert replies == [p.TrainResult("finished", id=rid)]
    assert bridge.state == "busy" and bridge.message == "running train"
    with qtbot.waitSignal(bridge.reply):
        engine(p.ErrorReply("the engine stopped", "engine", id=other))
    assert isinstance(replies[-1], p.ErrorReply) and str(replies[-1]) == "the engine stopped"


def test_a_reply_to_a_deleted_receiver_is_dropped(qtbot):
    bridge = EngineBridge(client_factory=_Client)
    receiver = _Receiver()
    rid = bridge.request(p.CheckRequest({"layers": []}), receiver.on_reply)
    keep = receiver.on_reply
    shiboken6.delete(receiver)
    with qtbot.waitSignal(bridge.reply):
        bridge.client.on_event(p.CheckReport(True, id=rid))
    assert keep.__self__.got == []  # without the check it would have been called
