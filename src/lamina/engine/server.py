"""The engine's main loop (``python -m lamina.engine``): JSON lines in, JSON lines out.

Threads:
    * the main thread reads requests from stdin; it answers a `CancelRequest` itself at
      once, so a cancel never waits behind the running request;
    * a *quick* worker runs short requests (ping, catalog, check, projects...) in order;
    * a *long* worker runs long requests (``Request.LONG``: train, visualize, predict,
      export, data previews) one at a time, each with a cancel token.

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
    CancelAck,
    CancelRequest,
    EngineStatus,
    ErrorReply,
    Message,
    ProtocolError,
    Request,
    RequestCancelled,
    from_line,
    request_id_of,
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
        self.quick: queue.Queue[Request[Any] | None] = queue.Queue()
        self.long: queue.Queue[Request[Any] | None] = queue.Queue()

    # -- output -------------------------------------------------------------------------
    def send(self, message: Message) -> None:
        """Writes one message line to the client (exits if the client is gone)."""
        line = to_line(message)
        with self._write_lock:
            try:
                self.out.write(line)
                self.out.flush()
            except (BrokenPipeError, ValueError, OSError):
                os._exit(0)  # the client is gone

    def log(self, text: str) -> None:
        """Writes a time-stamped line to the engine's log (stderr)."""
        print(f"[lamina engine {os.getpid()} {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr)

    # -- start-up -----------------------------------------------------------------------
    def warm_up(self) -> None:
        """Imports TensorFlow, loads the catalogue and writes its cache."""
        t0 = time.perf_counter()
        message = ""
        try:
            import lamina.keras  # noqa: F401 - TensorFlow, the slow part
            from lamina.engine.handlers import Context, catalog
            from lamina.engine.protocol import CatalogRequest

            reply = catalog.catalog(CatalogRequest(), Context())
            problems = [p for p in reply.plugins if p.get("problems")]
            n = len(reply.entries)
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
            from lamina.engine.handlers import CancelFlag

            return CancelFlag()

    def worker(self, q: queue.Queue[Request[Any] | None], long: bool) -> None:
        """Runs the requests of queue `q` one after the other (`long`: with busy/ready)."""
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
                self.send(RequestCancelled(id=request.id, reason="cancelled before it started"))
                self._forget(request.id)
                continue
            if long:
                self.send(EngineStatus("busy", f"running {request.TAG}"))
            t0 = time.perf_counter()
            reply = run_request(request, self.send, token)
            outcome = "error" if isinstance(reply, ErrorReply) else "ok"
            self.log(f"{request.TAG} #{request.id}: {outcome} in {time.perf_counter() - t0:.3f} s")
            self._forget(request.id)
            self.send(reply)
            if long and self.long.empty():
                self.send(EngineStatus("ready", f"{request.TAG} done"))

    def _forget(self, request_id: int) -> None:
        with self._tokens_lock:
            self._tokens.pop(request_id, None)

    # -- input --------------------------------------------------------------------------
    def dispatch(self, request: Request[Any]) -> None:
        """Answers a cancel at once; queues any other request on its worker."""
        if isinstance(request, CancelRequest):
            with self._tokens_lock:
                token = self._tokens.get(request.target)
            if token is not None:
                token.cancel()
            self.send(CancelAck(id=request.id, target=request.target, found=token is not None))
            return
        if request.LONG:
            with self._tokens_lock:
                self._tokens[request.id] = self._token()
        (self.long if request.LONG else self.quick).put(request)

    def receive(self, line: str | bytes) -> None:
        """Handles one line from the client.

        A request is dispatched; a line that is not a request the engine knows gets an
        `ErrorReply` if it has a request id (else it is logged).
        """
        try:
            message = from_line(line)
        except ProtocolError as exc:
            rid = request_id_of(line)
            if rid is None:
                self.log(f"bad request line ignored: {exc}")
            else:
                self.send(ErrorReply(id=rid, message=str(exc), code="protocol"))
            return
        if not isinstance(message, Request):
            self.log(f"ignored a {message.FAMILY} message sent to the engine")
            return
        self.dispatch(message)

    def shutdown(self) -> None:
        """Flushes the output and ends the process."""
        try:
            self.out.flush()
            sys.stderr.flush()
        finally:
            os._exit(0)

    def serve(self) -> None:
        """Starts the workers and the warm-up, then reads requests until stdin closes."""
        self.send(EngineStatus("starting", f"engine starting (pid {os.getpid()})"))
        threading.Thread(target=self.worker, args=(self.quick, False), daemon=True).start()
        threading.Thread(target=self.worker, args=(self.long, True), daemon=True).start()
        threading.Thread(target=self.warm_up, daemon=True).start()
        while True:
            line = self.inp.readline()
            if not line:
                break
            if line.strip():
                self.receive(line)
        self.log("stdin closed; exiting")
        self.shutdown()


#: How much lower the engine's CPU priority is than the app's (``LAMINA_ENGINE_NICE``).
DEFAULT_NICE = 5


def lower_priority() -> int:
    """Lowers this process's CPU priority; returns the niceness added (0 where unsupported).

    The app's window stays responsive while the engine trains on every core.
    """
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
