"""A note shown where the user waits for an answer that waits behind another request.

The engine says when a request is queued behind a running one (a visualization or a
preview behind a training): `EngineBridge.waiting` names the request. A `WaitNote`
follows one request of its view; it shows the engine's words ("Visualizing waits for
training to end…") while that request waits and hides when its reply arrives.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget


class WaitNote(QLabel):
    """A pale yellow line that says what the view's request waits for.

    Args:
        bridge: The engine bridge (its ``waiting`` and ``reply`` signals, if it has them).
        parent: The parent widget.
    """

    def __init__(self, bridge: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setObjectName("wait_note")
        self.setStyleSheet(
            "background: #fff3cd; color: #5c4400; border: 1px solid #e0c36c; padding: 4px;"
        )
        self.request_id: int | None = None
        self.hide()
        for name, slot in (("waiting", self._on_waiting), ("reply", self._on_reply)):
            signal = getattr(bridge, name, None)
            if signal is not None:
                signal.connect(slot)

    def follow(self, request_id: int | None) -> None:
        """Watches the request `request_id` (None: no request; the note hides)."""
        self.request_id = request_id
        self.hide()

    def _on_waiting(self, request_id: int, text: str) -> None:
        if request_id == self.request_id:
            self.setText(f"{text} The answer comes as soon as it can.")
            self.show()

    def _on_reply(self, reply: Any) -> None:
        if getattr(reply, "id", None) == self.request_id:
            self.request_id = None
            self.hide()
