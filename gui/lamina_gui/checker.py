"""Live check: every spec edit submits a debounced ``check`` request to the engine."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from lamina.engine.protocol import CheckReport, CheckRequest
from lamina_gui.bridge import EngineBridge
from lamina_gui.state import AppState

DEBOUNCE_MS = 150


class LiveChecker(QObject):
    """Checks the spec ~150 ms after the last edit and keeps the newest report.

    Replies to older requests are ignored (by request id). When the engine comes
    back after a crash, the spec is checked again.

    Signals:
        report_changed(object): The newest report dict (``CheckReport.to_dict()``),
            or None when the check could not run; then `error` says why.
    """

    report_changed = Signal(object)

    def __init__(self, bridge: EngineBridge, state: AppState, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.state = state
        self.report: dict[str, Any] | None = None
        self.error = ""
        self._latest = -1
        self._last_state = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.check_now)
        state.spec_changed.connect(self.schedule)
        bridge.status.connect(self._on_status)

    @property
    def pending(self) -> bool:
        """Whether a check is waiting to be sent or answered."""
        return self._timer.isActive() or self._latest >= 0

    def schedule(self) -> None:
        """(Re)starts the debounce timer."""
        self._timer.start()

    def check_now(self) -> None:
        """Submits a check of the current spec at once."""
        self._timer.stop()
        try:
            rid = self.bridge.request(CheckRequest(self.state.spec.to_dict()), self._on_reply)
        except Exception as exc:  # noqa: BLE001 - engine not available: say so, keep going
            self.error = f"cannot check: {exc}"
            self.report_changed.emit(None)
            return
        if self._latest >= 0:
            self.bridge.forget(self._latest)
        self._latest = rid

    def _on_reply(self, reply: Any) -> None:
        if reply.id != self._latest:
            return  # stale
        self._latest = -1
        if isinstance(reply, CheckReport):
            self.error = ""
            self.report = reply.to_dict()
        else:  # an ErrorReply
            self.error = str(reply) or "check failed"
            self.report = None
        self.report_changed.emit(self.report)

    def _on_status(self, status: Any) -> None:
        if status.state in ("died", "restarting", "stopped") and self._latest >= 0:
            self.bridge.forget(self._latest)
            self._latest = -1
            self.error = f"check interrupted: {status.message or 'engine ' + status.state}"
            self.report_changed.emit(self.report)
        elif status.state == "ready" and self._last_state not in ("ready", "busy"):
            self.schedule()  # the engine came (back) up: check what is there now
        self._last_state = status.state
