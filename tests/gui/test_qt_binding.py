"""Guards against a Qt binding that corrupts reference counts when emitting signals.

PySide6 6.12.0 on Python 3.11 takes one reference off `True` at every `Signal.emit()`;
after a few thousand engine messages the app aborted with "bool_dealloc". lamina pins
PySide6 6.11, and this test fails if a future pin brings the bug back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    plain = Signal()
    payload = Signal(object)
    mapping = Signal(str, dict)


def test_emitting_signals_keeps_reference_counts():
    emitter = _Emitter()
    received = []
    emitter.payload.connect(received.append)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(500):
        emitter.plain.emit()
        emitter.payload.emit({"value": None, "flag": True})
        emitter.mapping.emit("x", {"value": None})
    assert len(received) == 500
    assert sys.getrefcount(True) >= true_before - 50
    assert sys.getrefcount(None) >= none_before - 50
