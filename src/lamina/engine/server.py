"""The engine's main loop (``python -m lamina.engine``): JSON lines in, JSON lines out.

Threads:
    * the main thread reads requests from stdin; it answers a `CancelRequest` itself at
      once, so a cancel never waits behind the running request;
    * a *quick* worker runs short requests (ping, catalog, check, projects...) in order;
    * a *training* worker runs training requests one at a time;
    * a *long* worker runs the other long requests (``Request.LONG``: visualize, predict,
      export, data previews) one at a time, so they are answered while a model trains.
    Every long request has a cancel token.

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

#: Requests that run on the training worker (the others never wait behind them).
TRAINING_TAGS = frozenset({"train"})

#: What a long request does, in words, for the status bar.
DOING = {
    "train": "training",
    "visualize": "drawing a visualization",
    "dataset_summary": "loading a data preview",
    "predict": "predicting",
    "export": "exporting a model",
}


def doing_tag(tag: str) -> str:
    """What a request of type `tag` does, in words."""
    return DOING.get(tag, tag.replace("_", " "))


def doing(request: Request[Any]) -> str:
    """What `request` does, in words."""
    return doing_tag(request.TAG)


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
        self.training: queue.Queue[Request[Any] | None] = queue.Queue()
        #: request id -> what it does, in words, for the long requests under way
        self._running: dict[int, str] = {}
        self._running_lock = threading.Lock()

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
                self._started(request)
            t0 = time.perf_counter()
            reply = run_request(request, self.send, token)
            outcome = "error" if isinstance(reply, ErrorReply) else "ok"
            self.log(f"{request.TAG} #{request.id}: {outcome} in {time.perf_counter() - t0:.3f} s")
            self._forget(request.id)
            self.send(reply)
            if long:
                self._ended(request)

    def _started(self, request: Request[Any]) -> None:
        with self._running_lock:
            self._running[request.id] = doing(request)
            text = " and ".join(self._running.values())
        self.send(EngineStatus("busy", text[:1].upper() + text[1:] + "…"))

    def _ended(self, request: Request[Any]) -> None:
        with self._running_lock:
            self._running.pop(request.id, None)
            text = " and ".join(self._running.values())
        if text:
            self.send(EngineStatus("busy", text[:1].upper() + text[1:] + "…"))
        elif self.long.empty() and self.training.empty():
            self.send(EngineStatus("ready", f"Done {doing(request)}."))

    def lane(self, request: Request[Any]) -> queue.Queue[Request[Any] | None]:
        """The queue a request waits in: training, other long requests, or quick ones."""
        if request.TAG in TRAINING_TAGS:
            return self.training
        return self.long if request.LONG else self.quick

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
        lane = self.lane(request)
        if lane is not self.quick:
            with self._running_lock:
                busy = [
                    what
                    for what in self._running.values()
                    if (lane is self.training) == (what == doing_tag("train"))
                ]
            if busy or not lane.empty():
                waits_for = busy[0] if busy else "the requests before it"
                waits = f"{doing(request).capitalize()} waits for {waits_for} to end…"
                self.send(EngineStatus("busy", waits, id=request.id))  # the waiting request
        lane.put(request)

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
        threading.Thread(target=self.worker, args=(self.training, True), daemon=True).start()
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
