"""The error of a search the user can fix: a bad space, setting, storage or study name."""

from __future__ import annotations

from lamina.errors import LaminaError


class SearchError(LaminaError, ValueError):
    """A search space, setting, storage URL or study the user has to fix (located)."""

    code = "search"
