"""The bridge between the Qt-free engine client and the app's widgets.

`EngineClient` calls back from its reader thread; :class:`EngineBridge` re-emits each
message as a Qt signal on the GUI thread (a queued connection), and routes the reply
and events of a request to the callbacks given to :meth:`EngineBridge.request`.
Requests, replies and events are the typed dataclasses of `lamina.engine.protocol`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from lamina.engine.protocol import EngineStatus, Event, Reply, Request

ReplyCallback = Callable[[Reply], None]
EventCallback = Callable[[Event], None]


def _default_client(on_event: Callable[[Any], None]) -> Any:
    from lamina.engine.client import EngineClient

    return EngineClient(on_event=on_event)


class EngineBridge(QObject):
    """Owns the engine client and turns its callbacks into Qt signals.

    Args:
        client_factory: Makes the client from a callback; defaults to `EngineClient`.
        parent: The Qt parent.

    Signals:
        reply(object): A `Reply` arrived.
        event(object): An `Event` arrived.
        status(object): An `EngineStatus` arrived.
        waiting(int, str): A request waits behind another (e.g. a visualization behind
            a training): its id and the engine's words; its reply ends the wait.
    """

    reply = Signal(object)
    event = Signal(object)
    status = Signal(object)
    waiting = Signal(int, str)
    _incoming = Signal(object)

    def __init__(
        self,
        client_factory: Callable[[Callable[[Any], None]], Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._factory = client_factory or _default_client
        self._client: Any = None
        self._callbacks: dict[int, tuple[ReplyCallback | None, EventCallback | None]] = {}
        self.state = "stopped"
        self.message = ""
        self._incoming.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)

    # -- the client -----------------------------------------------------------------

    @property
    def client(self) -> Any:
        """The engine client (made on first use)."""
        if self._client is None:
            self._client = self._factory(self._from_thread)
        return self._client

    @property
    def pid(self) -> int | None:
        """The engine's process id, or None."""
        return getattr(self._client, "pid", None) if self._client is not None else None

    @property
    def alive(self) -> bool:
        """True while the engine process runs."""
        return bool(self._client is not None and getattr(self._client, "alive", False))

    def start(self) -> None:
        """Starts the engine process (returns at once; `status` reports progress)."""
        self.client.start()

    def stop(self) -> None:
        """Stops the engine process."""
        if self._client is not None:
            try:
                self._client.stop()
            finally:
                self._callbacks.clear()

    def restart(self) -> None:
        """Restarts the engine process."""
        self.client.restart()

    def cancel(self, request_id: int) -> None:
        """Asks the engine to cancel a request."""
        if self._client is not None:
            self._client.cancel(request_id)

    def request(
        self,
        request: Request[Any],
        callback: ReplyCallback | None = None,
        on_event: EventCallback | None = None,
    ) -> int:
        """Sends a request; `callback(reply)` runs on the GUI thread when it is answered.

        Args:
            request: The typed request (`CheckRequest`, `CatalogRequest`, ...).
            callback: Called with its `Reply` (the request's reply type, an `ErrorReply`
                or `RequestCancelled`).
            on_event: Called with each `Event` of this request.

        Returns:
            The request id.
        """
        rid = int(self.client.send(request))
        if callback is not None or on_event is not None:
            self._callbacks[rid] = (callback, on_event)
        return rid

    def forget(self, request_id: int) -> None:
        """Drops the callbacks of a request (its reply will only go to `reply`)."""
        self._callbacks.pop(request_id, None)

    # -- threads --------------------------------------------------------------------

    def _from_thread(self, message: Any) -> None:
        """Called by the client's reader thread: hand over to the GUI thread."""
        self._incoming.emit(message)

    @Slot(object)
    def _dispatch(self, message: Any) -> None:
        if isinstance(message, Reply):
            callback, _ = self._callbacks.pop(message.id, (None, None))
            self.reply.emit(message)
            if _alive(callback):
                callback(message)
        elif isinstance(message, Event):
            _, on_event = self._callbacks.get(message.id, (None, None))
            self.event.emit(message)
            if _alive(on_event):
                on_event(message)
        elif isinstance(message, EngineStatus):
            self.state = message.state
            self.message = message.message
            self.status.emit(message)
            if message.id and "waits for" in message.message:
                self.waiting.emit(message.id, message.message)


def _alive(callback: Any) -> bool:
    """False for no callback, or a method of a Qt object that has been deleted (e.g. a
    view closed while its request was in flight): its reply is then dropped quietly."""
    if callback is None:
        return False
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, QObject):
        return shiboken6.isValid(owner)
    return True
