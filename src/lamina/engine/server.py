"""The engine's main loop (``python -m lamina.engine``): JSON lines in, JSON lines out.

Threads:
    * the main thread reads requests from stdin; it handles ``cancel`` itself at once,
      so a cancel never waits behind the running request;
    * a *quick* worker runs short requests (ping, catalog, check, projects...) in order;
    * a *long* worker runs long requests (train, visualize, predict, export, data
      previews) one at a time, each with a cancel token.

stdout carries only protocol lines: file descriptor 1 is moved away at start and
replaced by stderr, so a stray ``print`` from TensorFlow or a plug-in cannot corrupt
the protocol. Tracebacks and TensorFlow's logs go to stderr (the client's log).
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
import traceback
from typing import IO, Any

from lamina.engine.protocol import (
    EngineStatus,
    Event,
    Message,
    ProtocolError,
    Reply,
    Request,
    from_line,
    to_line,
)


class Server:
    """Reads requests from `inp`, writes replies, events and statuses to `out`."""

    def __init__(self, inp: IO[bytes], out: IO[str]) -> None:
        self.inp = inp
        self.out = out
        self._write_lock = threading.Lock()
        self._tokens: dict[int, Any] = {}
        self._tokens_lock = threading.Lock()
        self._ready = threading.Event()
        self.quick: queue.Queue[Request | None] = queue.Queue()
        self.long: queue.Queue[Request | None] = queue.Queue()

    # -- output -------------------------------------------------------------------------
    def send(self, message: Message) -> None:
        line = to_line(message)
        with self._write_lock:
            try:
                self.out.write(line)
                self.out.flush()
            except (BrokenPipeError, ValueError, OSError):
                os._exit(0)  # the client is gone

    def log(self, text: str) -> None:
        print(f"[lamina engine {os.getpid()} {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr)

    # -- start-up -----------------------------------------------------------------------
    def warm_up(self) -> None:
        """Imports TensorFlow, loads the catalogue and writes its cache."""
        t0 = time.perf_counter()
        message = ""
        try:
            import lamina.keras  # noqa: F401 - TensorFlow, the slow part
            from lamina.engine.handlers import Context, h_catalog

            catalog = h_catalog({}, Context())
            problems = [p for p in catalog.get("plugins", []) if p.get("problems")]
            n = len(catalog.get("entries", []))
            message = f"engine ready (pid {os.getpid()}, {n} catalogue entries"
            if problems:
                message += f", {len(problems)} plug-in(s) with problems"
            message += f", {time.perf_counter() - t0:.1f} s)"
        except Exception as exc:  # noqa: BLE001 - report, keep serving
            traceback.print_exc()
            message = f"the engine started but its catalogue failed to load: {exc}"
        self.log(message)
        self._ready.set()
        self.send(EngineStatus("ready", message))

    # -- workers ------------------------------------------------------------------------
    def _token(self) -> Any:
        try:
            from lamina.training.callbacks import CancelToken

            return CancelToken()
        except Exception:  # noqa: BLE001 - the trainer failed to import: a plain flag
            from lamina.engine.handlers import _Flag

            return _Flag()

    def worker(self, q: queue.Queue[Request | None], long: bool) -> None:
        from lamina.engine.handlers import run_request

        self._ready.wait()
        while True:
            request = q.get()
            if request is None:
                return
            with self._tokens_lock:
                token = self._tokens.get(request.id)
            if token is None:
                token = self._token()
            if token.cancelled:
                self.send(
                    Reply(
                        request.id,
                        True,
                        {"status": "cancelled", "reason": "cancelled before it started"},
                    )
                )
                self._forget(request.id)
                continue
            if long:
                self.send(EngineStatus("busy", f"running {request.kind}"))
            t0 = time.perf_counter()

            def emit(type_: str, data: dict, rid: int = request.id) -> None:
                self.send(Event(rid, type_, data))

            reply = run_request(request.id, request.kind, request.payload, emit, token)
            self.log(
                f"{request.kind} #{request.id}: {'ok' if reply.ok else 'error'} "
                f"in {time.perf_counter() - t0:.3f} s"
            )
            self._forget(request.id)
            self.send(reply)
            if long and self.long.empty():
                self.send(EngineStatus("ready", f"{request.kind} done"))

    def _forget(self, request_id: int) -> None:
        with self._tokens_lock:
            self._tokens.pop(request_id, None)

    # -- input --------------------------------------------------------------------------
    def dispatch(self, request: Request) -> None:
        from lamina.engine.handlers import LONG_KINDS, known_kinds

        if request.kind == "cancel":
            target = request.payload.get("id", request.payload.get("request_id"))
            with self._tokens_lock:
                token = self._tokens.get(target)
            if token is not None:
                token.cancel()
            self.send(Reply(request.id, True, {"id": target, "found": token is not None}))
            return
        if request.kind == "shutdown":
            self.send(Reply(request.id, True, {}))
            self.shutdown()
            return
        if request.kind not in known_kinds():
            self.send(
                Reply(
                    request.id,
                    False,
                    error=f"unknown request kind {request.kind!r}; known: "
                    f"{', '.join(known_kinds())}",
                )
            )
            return
        long = request.kind in LONG_KINDS
        if long:
            with self._tokens_lock:
                self._tokens[request.id] = self._token()
        (self.long if long else self.quick).put(request)

    def shutdown(self) -> None:
        try:
            self.out.flush()
            sys.stderr.flush()
        finally:
            os._exit(0)

    def serve(self) -> None:
        self.send(EngineStatus("starting", f"engine starting (pid {os.getpid()})"))
        threading.Thread(target=self.worker, args=(self.quick, False), daemon=True).start()
        threading.Thread(target=self.worker, args=(self.long, True), daemon=True).start()
        threading.Thread(target=self.warm_up, daemon=True).start()
        while True:
            line = self.inp.readline()
            if not line:
                break
            if not line.strip():
                continue
            try:
                message = from_line(line)
            except ProtocolError as exc:
                self.log(f"bad request line ignored: {exc}")
                continue
            if not isinstance(message, Request):
                self.log(f"ignored a {type(message).__name__} sent to the engine")
                continue
            if not isinstance(message.payload, dict):
                self.send(Reply(message.id, False, error="the payload must be a JSON object"))
                continue
            self.dispatch(message)
        self.log("stdin closed; exiting")
        self.shutdown()


#: How much lower the engine's CPU priority is than the app's (``LAMINA_ENGINE_NICE``).
DEFAULT_NICE = 5


def lower_priority() -> int:
    """Lowers this process's CPU priority so the app's window stays responsive while the
    engine trains on every core; returns the niceness added (0 where unsupported)."""
    try:
        step = int(os.environ.get("LAMINA_ENGINE_NICE", DEFAULT_NICE))
    except ValueError:
        step = DEFAULT_NICE
    if step <= 0 or not hasattr(os, "nice"):
        return 0
    try:
        os.nice(step)
    except OSError:
        return 0
    return step


def main(argv: list[str] | None = None) -> None:
    """Runs the engine on this process's stdin/stdout."""
    import lamina  # noqa: F401 - prepares the environment before TensorFlow

    lower_priority()

    # Keep the real stdout for the protocol; everything else printed goes to stderr.
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    Server(sys.stdin.buffer, proto).serve()


if __name__ == "__main__":
    main()
