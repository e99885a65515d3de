"""The engine: a child process running the lamina library for the app (no Qt, no TF here).

`EngineClient` starts and talks to ``python -m lamina.engine``; the messages are the
typed dataclasses of `lamina.engine.protocol` (requests such as `CheckRequest`, replies
such as `CheckReport`, events such as `EpochEnd`, and `EngineStatus`) sent as JSON
lines. The same handlers run in-process with `lamina.engine.handlers.handle`.
"""

from __future__ import annotations

from typing import Any

from lamina.engine.protocol import (
    EngineError,
    EngineStatus,
    ErrorReply,
    Event,
    Reply,
    Request,
    decode_array,
    decode_arrays,
    encode_array,
)

__all__ = [
    "EngineClient",
    "EngineError",
    "EngineStatus",
    "ErrorReply",
    "Event",
    "Reply",
    "Request",
    "decode_array",
    "decode_arrays",
    "encode_array",
]


def __getattr__(name: str) -> Any:
    if name == "EngineClient":
        from lamina.engine.client import EngineClient

        return EngineClient
    raise AttributeError(f"module 'lamina.engine' has no attribute {name!r}")
