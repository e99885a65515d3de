"""`EngineClient`: starts the engine child process and talks to it (no Qt, no TensorFlow).

Requests are the typed dataclasses of `lamina.engine.protocol`. The typed methods
(`check`, `catalog`, `dataset_summary`, ...) wait for their reply; `send` and `train`
return the request id at once and call back with the reply and the request's events.
Every reply, event and status change also reaches the ``on_event`` callable, called
from the client's reader thread (a GUI turns them into Qt signals). If the child dies
(an exit, a signal, a C++ abort) the client reports it with ``EngineStatus("died")``,
fails every pending request with a clear message, restarts the child and reports
``EngineStatus("ready")`` when the new one has loaded its catalogue.

Example:
    >>> client = EngineClient(on_event=print)
    >>> client.start()
    >>> client.check(spec).ok
    True
    >>> rid = client.train(spec, project_dir="my-project", on_event=print)
    >>> client.cancel(rid)
    >>> client.stop()
"""

from __future__ import annotations

import collections
import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from lamina.engine.child import Child, default_log_path, describe_exit
from lamina.engine.protocol import (
    CancelRequest,
    EngineError,
    EngineStatus,
    ErrorReply,
    Event,
    Message,
    ProtocolError,
    Reply,
    Request,
    RequestCancelled,
    TrainRequest,
    from_line,
    to_line,
)
from lamina.engine.typed_requests import OnReply, OnRequestEvent, TypedRequests
from lamina.native_log import ENV_DEBUG, is_noise

#: Receives every reply, event and status (from the client's reader thread).
OnEvent = Callable[[Reply | Event | EngineStatus], None]
R = TypeVar("R", bound=Reply)

#: At most this many automatic restarts within `RESTART_WINDOW` seconds.
MAX_RESTARTS = 3
RESTART_WINDOW = 60.0


class _Pending:
    __slots__ = ("request", "on_reply", "on_event", "done", "reply", "submitted")

    def __init__(
        self,
        request: Request[Any],
        on_reply: OnReply | None = None,
        on_event: OnRequestEvent | None = None,
    ) -> None:
        self.request = request
        self.on_reply = on_reply
        self.on_event = on_event
        self.done = threading.Event()
        self.reply: Reply | None = None
        self.submitted = time.monotonic()

    @property
    def kind(self) -> str:
        return self.request.TAG


class EngineClient(TypedRequests):
    """Starts ``python -m lamina.engine`` and exchanges messages with it.

    Args:
        on_event: Called (from a reader thread) with every `Reply`, `Event` and
            `EngineStatus`. Exceptions it raises are printed and ignored. It must not
            block on `call` (the reply would wait behind it): use `send` there.
        python: The Python interpreter to run the engine with.
        env: The child's environment (defaults to this process's).
        log_path: Where the engine's stderr (TensorFlow logs, tracebacks) goes;
            defaults to ``<lamina home>/logs/engine.log``.
    """

    def __init__(
        self,
        on_event: OnEvent | None = None,
        python: str = sys.executable,
        env: dict | None = None,
        log_path: str | None = None,
    ) -> None:
        self.on_event = on_event
        self.python = python
        self.env = dict(os.environ if env is None else env)
        self.log_path = Path(log_path) if log_path else default_log_path()
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._pending: dict[int, _Pending] = {}
        self._child: Child | None = None
        self._generation = 0
        self._stopping = False
        self._restarts: collections.deque[float] = collections.deque()
        self._backlog: list[str] = []
        self._respawning = False
        self.state = "stopped"
        self.started_at: float | None = None
        self.ready_seconds: float | None = None

    # -- properties ---------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        """True while the child process runs."""
        child = self._child
        return child is not None and child.proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The child's process id, or None."""
        child = self._child
        return None if child is None else child.proc.pid

    @property
    def ready(self) -> bool:
        """True once the current child has loaded its catalogue."""
        child = self._child
        return child is not None and child.ready.is_set() and self.alive

    def wait_ready(self, timeout: float = 120) -> bool:
        """Blocks until the engine is ready (or `timeout` seconds); returns readiness."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            child = self._child
            if child is not None and child.ready.wait(0.05) and self.alive:
                return True
            if child is None and self._stopping:
                return False
        return False

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        """Spawns the child and returns at once; ``EngineStatus("ready")`` follows."""
        with self._lock:
            if self.alive:
                return
            self._stopping = False
            self._spawn()

    def _spawn(self) -> None:
        env = dict(self.env)
        env.setdefault("PYTHONUNBUFFERED", "1")
        env["TF_USE_LEGACY_KERAS"] = "1"
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._generation += 1
        self._emit(EngineStatus("starting", "starting the engine"))
        self.started_at = time.monotonic()
        proc = subprocess.Popen(
            [self.python, "-m", "lamina.engine"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            bufsize=0,
            start_new_session=True,  # a Ctrl-C in the app's terminal is the app's, not ours
        )
        child = Child(proc, self._generation)
        self._child = child
        self.state = "starting"
        threading.Thread(
            target=self._read_stderr, args=(child,), daemon=True, name="engine-stderr"
        ).start()
        threading.Thread(
            target=self._read_stdout, args=(child,), daemon=True, name="engine-reader"
        ).start()
        backlog, self._backlog = self._backlog, []
        for line in backlog:
            self._write(child, line)

    def stop(self, timeout: float = 5.0) -> None:
        """Stops the child (politely, then by force); pending requests fail."""
        with self._lock:
            self._stopping = True
            child = self._child
        if child is None:
            return
        try:
            if child.proc.stdin:
                child.proc.stdin.close()
        except OSError:
            pass
        try:
            child.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            child.proc.kill()
            child.proc.wait(5)
        self._fail_pending("the engine was stopped while running {kind}")
        with self._lock:
            self._child = None
            self.state = "stopped"
        self._emit(EngineStatus("stopped", "the engine was stopped"))

    def restart(self) -> None:
        """Kills the child and starts a new one; pending requests fail."""
        with self._lock:
            child = self._child
            self._child = None  # the old reader sees it is no longer current
            self._stopping = False
            self._respawning = True
            pending, self._pending = self._pending, {}
        if child is not None and child.proc.poll() is None:
            child.proc.kill()
            child.proc.wait(10)
        self._fail_pending("the engine was restarted while running {kind}", pending)
        self._emit(EngineStatus("restarting", "restarting the engine"))
        with self._lock:
            self._respawning = False
            self._spawn()

    # -- requests -----------------------------------------------------------------------
    def send(
        self,
        request: Request[Any],
        on_reply: OnReply | None = None,
        on_event: OnRequestEvent | None = None,
    ) -> int:
        """Sends a request and returns its id at once.

        Args:
            request: The request; its `id` is set here.
            on_reply: Called with its reply (from the reader thread).
            on_event: Called with each of its events (from the reader thread).
        """
        return self._send(request, on_reply, on_event)[0]

    def _send(
        self,
        request: Request[Any],
        on_reply: OnReply | None = None,
        on_event: OnRequestEvent | None = None,
    ) -> tuple[int, _Pending | None]:
        request.id = next(self._ids)
        line = to_line(request)
        pending = None
        if not isinstance(request, CancelRequest):
            pending = _Pending(request, on_reply, on_event)
        with self._lock:
            if pending is not None:
                self._pending[request.id] = pending
            child = self._child
            if child is None:
                if not self._respawning:
                    self._pending.pop(request.id, None)
                    raise EngineError("the engine is not running (call start() first)")
                self._backlog.append(line)
                return request.id, pending
        self._write(child, line)
        return request.id, pending

    def call(self, request: Request[R], timeout: float = 120) -> R:
        """Sends a request and waits for its reply.

        Raises:
            EngineError: With the engine's message (and code and location) if the
                request failed or was cancelled, the engine stopped, or no reply came
                within `timeout` seconds.
        """
        _, pending = self._send(request)
        assert pending is not None, "a CancelRequest is sent with cancel()"
        if not pending.done.wait(timeout):
            raise EngineError(f"no reply to {request.TAG} within {timeout:g} s")
        reply = pending.reply
        if isinstance(reply, ErrorReply):
            error = EngineError(reply.message, code=reply.code)  # the message is complete
            error.location, error.hint = reply.location, reply.hint
            raise error
        if isinstance(reply, RequestCancelled):
            raise EngineError(reply.reason or f"{request.TAG} was cancelled", code="cancelled")
        if not isinstance(reply, request.REPLY):
            raise ProtocolError(f"{request.TAG} answered with {type(reply).__name__}")
        return reply  # type: ignore[return-value]

    def cancel(self, request_id: int) -> None:
        """Asks the engine to stop request `request_id` (training stops within one batch)."""
        self._send(CancelRequest(target=request_id))

    # -- internals ----------------------------------------------------------------------
    def _write(self, child: Child, line: str) -> None:
        try:
            assert child.proc.stdin is not None
            child.proc.stdin.write(line.encode("utf-8"))
            child.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the child died: the reader reports it and fails the request

    def _emit(self, message: Reply | Event | EngineStatus) -> None:
        if isinstance(message, EngineStatus):
            self.state = message.state
        callback = self.on_event
        if callback is None:
            return
        _call(callback, message)

    def _read_stderr(self, child: Child) -> None:
        stream: IO[bytes] | None = child.proc.stderr
        assert stream is not None
        try:
            log = open(self.log_path, "a", encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError:
            log = None
        try:
            show_all = self.env.get(ENV_DEBUG, "") not in ("", "0")
            for raw in iter(stream.readline, b""):
                text = raw.decode("utf-8", errors="replace")
                if not show_all and is_noise(text):
                    continue  # TensorFlow's C++ start-up lines (see lamina.native_log)
                child.stderr_tail.append(text.rstrip("\n"))
                if log is not None:
                    log.write(text)
                    log.flush()
        finally:
            if log is not None:
                log.close()

    def _read_stdout(self, child: Child) -> None:
        stream = child.proc.stdout
        assert stream is not None
        for raw in iter(stream.readline, b""):
            try:
                message: Message = from_line(raw)
            except ProtocolError as exc:
                child.stderr_tail.append(f"(bad line from the engine: {exc})")
                continue
            if child is not self._child:
                continue  # a replaced child's last words
            self._handle(child, message)
        child.proc.wait()
        self._on_exit(child)

    def _handle(self, child: Child, message: Message) -> None:
        if isinstance(message, Reply):
            with self._lock:
                pending = self._pending.pop(message.id, None)
            if pending is not None:
                self._settle(pending, message)
            self._emit(message)
        elif isinstance(message, EngineStatus):
            if message.state == "starting":
                return  # the client announced it already
            if message.state == "ready" and not child.ready.is_set():
                child.ready.set()
                if self.started_at is not None:
                    self.ready_seconds = time.monotonic() - self.started_at
            self._emit(message)
        elif isinstance(message, Event):
            with self._lock:
                pending = self._pending.get(message.id)
            if pending is not None and pending.on_event is not None:
                _call(pending.on_event, message)
            self._emit(message)

    @staticmethod
    def _settle(pending: _Pending, reply: Reply) -> None:
        pending.reply = reply
        pending.done.set()
        if pending.on_reply is not None:
            _call(pending.on_reply, reply)

    def _fail_pending(self, template: str, pending: dict[int, _Pending] | None = None) -> None:
        if pending is None:
            with self._lock:
                pending, self._pending = self._pending, {}
        for request_id, p in sorted(pending.items()):
            reply = ErrorReply(id=request_id, message=template.format(kind=p.kind), code="engine")
            self._settle(p, reply)
            self._emit(reply)

    def _on_exit(self, child: Child) -> None:
        now = time.monotonic()
        with self._lock:
            if child is not self._child or self._stopping:
                return
            while self._restarts and now - self._restarts[0] > RESTART_WINDOW:
                self._restarts.popleft()
            restarting = len(self._restarts) < MAX_RESTARTS
            # from here on, new requests wait in the backlog for the next child
            self._child = None
            self._respawning = restarting
            pending, self._pending = self._pending, {}
        running = [p for _, p in sorted(pending.items())]
        how = describe_exit(child.proc.returncode)
        kinds = ", ".join(dict.fromkeys(p.kind for p in running))
        during = f" while running {kinds}" if kinds else ""
        projects = [
            p.request.project_dir
            for p in running
            if isinstance(p.request, TrainRequest) and p.request.project_dir
        ]
        message = f"the engine {how}{during}"
        message += (
            "; it is being restarted."
            if restarting
            else f"; it died {MAX_RESTARTS + 1} times within a minute, so it was not restarted "
            "(see the engine log)."
        )
        message += " Your spec is unchanged"
        if projects:
            message += f"; saved runs are in {Path(projects[0]) / 'runs'}"
        message += f". Log: {self.log_path}"
        tail = [line for line in child.stderr_tail if line.strip()][-3:]
        if tail and child.proc.returncode and child.proc.returncode > 0:
            message += f". Last log lines: {' | '.join(tail)}"
        self._emit(EngineStatus("died", message))
        short = describe_exit(child.proc.returncode, short=True)
        self._fail_pending(f"the engine stopped ({short}) while running {{kind}}", pending)
        if not restarting:
            self._fail_pending("the engine is not running: it died repeatedly ({kind})")
            return
        self._restarts.append(now)
        self._emit(EngineStatus("restarting", "restarting the engine"))
        with self._lock:
            self._respawning = False
            if self._child is None and not self._stopping:
                self._spawn()


def _call(callback: Callable[[Any], None], message: Any) -> None:
    """Calls a listener; a faulty listener must not kill the reader thread."""
    try:
        callback(message)
    except Exception as exc:  # noqa: BLE001 - print it and go on
        print(f"lamina engine client: a listener raised {exc!r}", file=sys.stderr)
