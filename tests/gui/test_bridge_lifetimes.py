"""A reply that arrives after its receiver was deleted (a view closed mid-request) is dropped."""

from __future__ import annotations

import shiboken6
from lamina_gui.bridge import _alive
from PySide6.QtCore import QObject


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[object] = []

    def on_reply(self, reply: object) -> None:
        self.got.append(reply)


def test_callbacks_of_deleted_qt_objects_are_not_called(qtbot):
    receiver = _Receiver()
    callback = receiver.on_reply
    assert _alive(callback)
    assert _alive(lambda reply: None)
    assert not _alive(None)
    shiboken6.delete(receiver)
    assert not _alive(callback)
