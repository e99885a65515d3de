"""The wire: typed messages as JSON lines, arrays as base64 ``.npy`` text.

Every message is one JSON object on one line::

    {"msg": "request", "type": "check", "id": 7, "data": {"spec": {...}, "compile": true}}

``msg`` names the family (`Request`, `Reply`, `Event` or `EngineStatus`), ``type`` the
message's tag within it, ``id`` the request it belongs to, ``data`` its fields. The class
of a line is found in `MESSAGES`, a dict filled by the `message` decorator. Numpy arrays
anywhere in the fields travel as base64 ``.npy`` text (`encode_array`) and come back as
arrays.

No TensorFlow, no Qt: the app imports this module.
"""

from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np

from lamina.errors import LaminaError

#: Every encoded array starts with this text (base64 of the ``.npy`` magic ``\x93NUMPY``).
ARRAY_PREFIX = "k05VTVBZ"


class ProtocolError(ValueError):
    """A line from the other side is not a message of this protocol."""


class EngineError(LaminaError):
    """A request failed or the engine stopped; the message says why.

    `code` and `location` are those of the engine's `ErrorReply` (e.g. ``"spec"`` and
    ``"layers[2].params.units"``); ``"engine"`` when the engine itself failed.
    """

    code = "engine"


# -- messages ---------------------------------------------------------------------------


@dataclass(kw_only=True)
class Message:
    """Base of every message: `id` is the request it belongs to (0 for none)."""

    id: int = 0

    #: The family on the wire (``"request"``, ``"reply"``, ``"event"``, ``"status"``).
    FAMILY: ClassVar[str] = ""
    #: The message's tag within its family, set by `message`.
    TAG: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        """Returns the fields except `id` (no copies: arrays stay arrays)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "id"}


#: ``(family, tag) -> class`` of every message (filled by `message`).
MESSAGES: dict[tuple[str, str], type[Message]] = {}

M = TypeVar("M", bound=type[Message])


def message(tag: str) -> Callable[[M], M]:
    """Class decorator: registers a message class under `tag` in its family."""

    def register(cls: M) -> M:
        key = (cls.FAMILY, tag)
        if not cls.FAMILY or key in MESSAGES:
            raise ValueError(f"cannot register message {key}: no family or taken")
        cls.TAG = tag
        MESSAGES[key] = cls
        return cls

    return register


def tags(family: str) -> list[str]:
    """The tags of a family, in registration order."""
    return [tag for fam, tag in MESSAGES if fam == family]


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


#: `jsonable`'s `small` that turns every array into (nested) lists.
ALL = math.inf


def jsonable(value: Any, small: float = 0) -> Any:
    """Returns `value` as JSON-safe data: numpy scalars to numbers, arrays encoded.

    Args:
        value: Anything made of dicts, lists, tuples, numbers, strings, paths, arrays,
            objects with ``to_dict()`` and tensors.
        small: 1-D arrays of at most this many numbers become plain lists instead;
            with `ALL` every array becomes (nested) lists (for metrics and histories).
    """
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if small == ALL or (value.ndim <= 1 and value.size <= small):
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


def plain(value: Any) -> Any:
    """JSON-safe data with every array as (nested) lists: for metrics, histories, reports."""
    return jsonable(value, ALL)


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


def to_dict(msg: Message) -> dict[str, Any]:
    """Returns ``{"msg": family, "type": tag, "id": id, "data": fields}``."""
    cls = type(msg)
    if MESSAGES.get((cls.FAMILY, cls.TAG)) is not cls:
        raise ProtocolError(f"not a registered protocol message: {cls.__name__}")
    return {"msg": cls.FAMILY, "type": cls.TAG, "id": msg.id, "data": msg.to_dict()}


def from_dict(data: Any) -> Message:
    """Inverse of `to_dict`; encoded arrays in the fields become arrays.

    Raises:
        ProtocolError: For an unknown family or tag, or fields that do not fit the class.
    """
    if not isinstance(data, dict):
        raise ProtocolError(f"a message must be a JSON object, got {type(data).__name__}")
    family, tag = data.get("msg"), data.get("type")
    if not isinstance(family, str) or not isinstance(tag, str):
        raise ProtocolError("a message needs a 'msg' family and a 'type' tag (text)")
    cls = MESSAGES.get((family, tag))
    if cls is None:
        if not tags(family):
            families = ", ".join(dict.fromkeys(f for f, _ in MESSAGES))
            raise ProtocolError(f"unknown message family {family!r}; known: {families}")
        raise ProtocolError(f"unknown {family} type {tag!r}; known: {', '.join(tags(family))}")
    rid, values = data.get("id", 0), data.get("data", {})
    if not isinstance(rid, int) or not isinstance(values, dict):
        raise ProtocolError(f"bad {family} {tag}: 'id' must be a number, 'data' an object")
    try:
        return cls(id=rid, **decode_arrays(values))
    except TypeError as exc:
        raise ProtocolError(f"bad {family} {tag}: {exc}") from None


def to_line(msg: Message) -> str:
    """Returns the message as one line of JSON (with its newline); NaN becomes null."""
    data = to_dict(msg)
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


def request_id_of(line: str | bytes) -> int | None:
    """The id of a request line that could not be parsed as a message (or None)."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    if isinstance(data, dict) and data.get("msg") == "request" and isinstance(data.get("id"), int):
        return int(data["id"])
    return None
