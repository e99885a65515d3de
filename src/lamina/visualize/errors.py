"""Errors raised by visualizations."""

from __future__ import annotations

from lamina.errors import LaminaError


class VisualizationError(LaminaError, ValueError):
    """A visualization cannot run with the given model or parameters.

    The message says what was wrong and what would be accepted (valid layer names,
    the valid filter range, the expected input shape).
    """

    code = "visualization"
