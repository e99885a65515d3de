"""What the command modules share: ``K=V`` parameters and one-line errors from the core."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from typing import Any


def project_errors(
    func: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Turns project and export errors into one-line CLI errors."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        from lamina.cli import CommandError
        from lamina.export import ExportError
        from lamina.project import ProjectError
        from lamina.training.devices import DeviceError

        try:
            return func(args)
        except (ProjectError, ExportError, DeviceError) as exc:
            raise CommandError(str(exc)) from None

    return wrapper


def note(line: str) -> None:
    """Prints a note on stderr (e.g. which run of a project a command used)."""
    print(line, file=sys.stderr)


def parse_params(items: list[str]) -> dict[str, Any]:
    """Parses ``K=V`` strings; values are JSON when they parse (numbers, lists, true), else text."""
    from lamina.cli import CommandError

    out: dict[str, Any] = {}
    for text in items:
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise CommandError(f"--data-param expects K=V, got {text!r}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out
