"""Plain JSON data from what lamina computes: numpy arrays and scalars, paths, reports.

One place for the conversions every writer of JSON needs (project and run files, the
engine's replies, specs read off a Keras model).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def json_default(value: Any) -> Any:
    """The ``default`` hook of `json.dumps` for lamina's values.

    Arrays become (nested) lists, numpy scalars numbers, paths strings, and objects with
    a ``to_dict()`` method (reports, specs) that dict.

    Raises:
        TypeError: For any other value, as `json.dumps` expects.
    """
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def json_safe(value: Any) -> Any:
    """Returns `value` as plain JSON data (dicts, lists, strings, numbers, None).

    Tuples become lists and keys strings, as in JSON; values `json_default` converts are
    converted, and any other object becomes its ``repr``.
    """
    return json.loads(json.dumps(value, default=_default_or_repr))


def _default_or_repr(value: Any) -> Any:
    try:
        return json_default(value)
    except TypeError:
        return repr(value)
