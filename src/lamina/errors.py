"""The one base class of the errors a user can fix.

Every error that is the user's to fix (a bad spec, a missing file, a data row, an unknown
catalogue name, ...) derives from `LaminaError`. The CLI prints such errors without a
traceback and exits with status 2, the engine sends their message to the app, and the app
shows it where the problem is; any other exception is a bug in lamina ("internal error").

Each kind of error has its `LaminaError.code`: ``"spec"`` (`lamina.spec.SpecError`),
``"project"``, ``"export"``, ``"data"``, ``"visualization"``, ``"device"``,
``"unknown_entry"`` (`lamina.registry.UnknownEntryError`), ``"command"`` (the CLI's
`CommandError`), ``"request"`` (a request the engine cannot serve) and ``"engine"``
(`lamina.engine.EngineError`: a request failed in, or the engine stopped).

Example:
    >>> raise LaminaError("units must be positive", location="layers[2].params.units",
    ...                   hint="use a whole number of at least 1")
    Traceback (most recent call last):
    ...
    lamina.errors.LaminaError: layers[2].params.units: units must be positive ...
"""

from __future__ import annotations


class LaminaError(Exception):
    """An error the user can fix: it says where (``location``), what, and what to do.

    Args:
        message: What is wrong. Prefixed with `location` unless it already starts with it.
        location: Where: a file (and row), a spec path such as ``layers[2].params.units``,
            a plug-in name. Defaults to `None`.
        hint: What to do about it, appended to the message. Defaults to `None`.
        code: A short, stable identifier of the kind of error (e.g. ``"spec"``,
            ``"data"``); defaults to the class's `code`.
    """

    #: The kind of error, for programs that react to it (the app, scripts).
    code: str = "error"

    def __init__(
        self,
        message: str = "",
        *,
        location: str | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        self.location = location or None
        self.hint = hint or None
        if code is not None:
            self.code = code
        text = str(message)
        if self.location and not text.startswith(self.location):
            text = f"{self.location}: {text}" if text else self.location
        if self.hint and self.hint not in text:
            text = f"{text} ({self.hint})"
        super().__init__(text)
