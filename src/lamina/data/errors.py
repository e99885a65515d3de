"""The one error type of lamina's data layer."""

from __future__ import annotations

from typing import Any

from lamina.errors import LaminaError


class DataError(LaminaError, ValueError):
    """A problem with a dataset or a data file.

    The message always names the source (a file path or a generator name) and, where
    relevant, the row, column or dataset key, so that a user can find and fix the
    problem. The same facts are kept as attributes for the app (e.g. to highlight a
    cell).

    Args:
        message: What is wrong, in one or two sentences.
        source: The file path or generator name. Prefixed to the message unless the
            message already starts with it.
        row: The offending row (sample index or file row), if any.
        column: The offending column (name or index), if any.
        key: The offending dataset key (npz/HDF5/FITS), if any.

    Example:
        >>> raise DataError("column 'flux' not found", source="stars.csv")
        Traceback (most recent call last):
        ...
        lamina.data.errors.DataError: stars.csv: column 'flux' not found
    """

    code = "data"

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        row: Any = None,
        column: Any = None,
        key: str | None = None,
    ) -> None:
        source = str(source) if source else ""
        if source and not message.startswith(source):
            message = f"{source}: {message}"
        super().__init__(message)
        self.source = source
        self.row = row
        self.column = column
        self.key = key
