"""What every handler shares: its `Context`, the engine's caches, and finding a saved run."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from lamina.engine.protocol import Event
from lamina.errors import LaminaError


class RequestError(LaminaError):
    """A request cannot be served as it is (e.g. it names no run, or an unknown format)."""

    code = "request"


class CancelledError(Exception):
    """The request was cancelled (by a `CancelRequest`) while it ran."""


class CancelFlag:
    """A minimal cancel flag (used when no trainer `CancelToken` was given)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Asks the request to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once `cancel` was called."""
        return self._event.is_set()


#: Sends an event of the running request.
Emit = Callable[[Event], None]


class Context:
    """What a handler may use besides its request.

    Args:
        emit: Sends an `Event` (its `id` is set to `request_id` first).
        cancel: A cancel token (``.cancel()``, ``.cancelled``); a fresh `CancelFlag` if None.
        request_id: The request's id.
    """

    def __init__(self, emit: Emit | None = None, cancel: Any = None, request_id: int = 0) -> None:
        self._emit = emit
        self.cancel = cancel if cancel is not None else CancelFlag()
        self.request_id = request_id

    def emit(self, event: Event) -> None:
        """Streams `event` as part of this request."""
        event.id = self.request_id
        if self._emit is not None:
            self._emit(event)

    @property
    def cancelled(self) -> bool:
        """True once the request was cancelled."""
        return bool(self.cancel.cancelled)


class EngineState:
    """What the engine keeps between requests: the check cache, recent models and data."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._check_cache: Any = None
        self.models: OrderedDict[tuple, Any] = OrderedDict()
        self.datasets: OrderedDict[str, Any] = OrderedDict()

    @property
    def check_cache(self) -> Any:
        """The `lamina.build.CheckCache` of the live check (made on first use)."""
        if self._check_cache is None:
            from lamina.build import CheckCache

            self._check_cache = CheckCache()
        return self._check_cache

    @staticmethod
    def _remember(store: OrderedDict, key: Any, value: Any, size: int) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > size:
            store.popitem(last=False)

    def model(self, run: Any, which: str = "final") -> Any:
        """The model of a run (the two most recent stay loaded)."""
        path = run.weights_path(which)
        key = (str(path.resolve()), path.stat().st_mtime_ns)
        with self.lock:
            model = self.models.get(key)
        if model is None:
            model = run.model(which)
            with self.lock:
                self._remember(self.models, key, model, 2)
        return model

    def dataset(self, ref: Any) -> Any:
        """The dataset of a reference (the two most recent stay loaded)."""
        from lamina.data.sources import load_data

        key = json.dumps(ref, sort_keys=True, default=str)
        with self.lock:
            ds = self.datasets.get(key)
        if ds is None:
            ds = load_data(ref)
            with self.lock:
                self._remember(self.datasets, key, ds, 2)
        return ds


STATE = EngineState()


def registry() -> Any:
    """The catalogue (`lamina.plugins.get_registry`)."""
    from lamina.plugins import get_registry

    return get_registry()


def run_of(request: Any) -> Any:
    """The saved run a request names by ``run_dir``, or ``project_dir`` (and ``run``)."""
    from lamina.project import find_run

    if request.run_dir:
        return find_run(request.run_dir)
    if request.project_dir:
        return find_run(request.project_dir, request.run or None)
    raise RequestError(f"{request.TAG}: the request needs 'run_dir' (or 'project_dir' and 'run')")
