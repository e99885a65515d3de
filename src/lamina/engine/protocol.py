"""The engine protocol: typed messages as JSON lines over the child's stdin/stdout.

Four plain dataclasses travel between the app (the client) and the engine (the child
process): a `Request` goes in; `Event` (streamed progress), `Reply` (one per request)
and `EngineStatus` come out. Each is written as one JSON object per line, tagged with
``"msg"``. Arrays travel as base64 ``.npy`` strings (`encode_array`/`decode_array`).

No TensorFlow, no Qt: the app imports this module.
"""

from __future__ import annotations

import base64
import io
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Every encoded array starts with this text (base64 of the ``.npy`` magic ``\x93NUMPY``).
ARRAY_PREFIX = "k05VTVBZ"

#: Event types the engine sends (``Event.type``).
EVENT_TYPES = (
    "run_started",
    "epoch_started",
    "batch_end",
    "epoch_end",
    "early_stopped",
    "checkpoint_saved",
    "boundary",
    "log",
    "image",
    "finished",
    "failed",
    "cancelled",
)

#: Engine states (``EngineStatus.state``).
STATES = ("starting", "ready", "busy", "died", "restarting", "stopped")


class EngineError(RuntimeError):
    """A request failed (``Reply.ok`` is False) or the engine stopped; the message says why."""


class ProtocolError(ValueError):
    """A line from the other side is not a message of this protocol."""


@dataclass
class Request:
    """A request to the engine: `kind` names the handler, `payload` its JSON arguments."""

    id: int
    kind: str
    payload: dict = field(default_factory=dict)


@dataclass
class Reply:
    """The answer to request `id`: a result, or one clear error message (no traceback)."""

    id: int
    ok: bool
    result: dict | None = None
    error: str | None = None


@dataclass
class Event:
    """Streamed progress of request `id` (see `EVENT_TYPES`)."""

    id: int
    type: str
    data: dict = field(default_factory=dict)


@dataclass
class EngineStatus:
    """The engine's state (see `STATES`); `message` says what happened."""

    state: str
    message: str = ""


Message = Request | Reply | Event | EngineStatus

_TAGS: dict[type, str] = {
    Request: "request",
    Reply: "reply",
    Event: "event",
    EngineStatus: "status",
}
_CLASSES = {tag: cls for cls, tag in _TAGS.items()}


# -- arrays -----------------------------------------------------------------------------


def encode_array(array: Any) -> str:
    """Returns `array` as base64 text of its ``.npy`` bytes (starts with `ARRAY_PREFIX`)."""
    buf = io.BytesIO()
    np.save(buf, np.asarray(array), allow_pickle=False)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def decode_array(text: str | dict) -> np.ndarray:
    """Inverse of `encode_array` (also accepts ``{"array": text}``)."""
    if isinstance(text, dict):
        text = text["array"]
    if not isinstance(text, str) or not text.startswith(ARRAY_PREFIX):
        raise ProtocolError("not an encoded array (expected base64 .npy text)")
    return np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False)


def is_encoded_array(value: Any) -> bool:
    """True if `value` is text made by `encode_array`."""
    return isinstance(value, str) and value.startswith(ARRAY_PREFIX)


def decode_arrays(value: Any) -> Any:
    """Returns `value` with every encoded array inside (dicts, lists) decoded."""
    if is_encoded_array(value):
        return decode_array(value)
    if isinstance(value, dict):
        return {k: decode_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_arrays(v) for v in value]
    return value


def jsonable(value: Any, small: int = 0) -> Any:
    """Returns `value` as JSON-safe data: numpy scalars to numbers, arrays encoded.

    Args:
        value: Anything made of dicts, lists, tuples, numbers, strings, paths, arrays.
        small: 1-D arrays of at most this many numbers become plain lists instead.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.ndim <= 1 and value.size <= small:
            return value.tolist()
        return encode_array(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v, small) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v, small) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict(), small)
    if hasattr(value, "numpy"):  # a tensor
        return jsonable(np.asarray(value.numpy()), small)
    return repr(value)


def _finite(value: Any) -> Any:
    """Replaces NaN/inf (not valid JSON) by None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


# -- lines ------------------------------------------------------------------------------


def to_dict(message: Message) -> dict[str, Any]:
    """Returns ``{"msg": tag, **fields}``."""
    tag = _TAGS.get(type(message))
    if tag is None:
        raise ProtocolError(f"not a protocol message: {type(message).__name__}")
    return {"msg": tag, **asdict(message)}


def from_dict(data: dict[str, Any]) -> Message:
    """Inverse of `to_dict`."""
    if not isinstance(data, dict):
        raise ProtocolError(f"a message must be a JSON object, got {type(data).__name__}")
    data = dict(data)
    tag = data.pop("msg", None)
    cls = _CLASSES.get(tag)
    if cls is None:
        raise ProtocolError(f"unknown message tag {tag!r}; known: {', '.join(_CLASSES)}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise ProtocolError(f"bad {tag} message: {exc}") from None


def to_line(message: Message) -> str:
    """Returns the message as one line of JSON (with its newline); NaN becomes null."""
    data = to_dict(message)
    try:
        text = json.dumps(data, allow_nan=False, separators=(",", ":"), default=jsonable)
    except ValueError:  # NaN or inf somewhere
        data = _finite(json.loads(json.dumps(data, default=jsonable)))
        text = json.dumps(data, separators=(",", ":"))
    return text + "\n"


def from_line(line: str | bytes) -> Message:
    """Parses one line written by `to_line`."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"not JSON: {exc}; line: {str(line)[:200]!r}") from None
    return from_dict(data)
