"""The ``lamina`` command line.

Each sub-command lives in a small module of this package that defines
``add_parsers(subparsers)``; the parser's ``func`` default runs it and returns an
exit code. Known errors (bad spec, bad data, unknown names) print one located message
and exit 2; nothing prints a traceback unless ``--debug`` is given, and TensorFlow's C++
start-up lines are left out (`lamina.native_log`) unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from lamina import __version__
from lamina.errors import LaminaError
from lamina.native_log import ENV_DEBUG, debug_requested, native_stderr_filter

#: modules that add sub-commands, in help order
COMMAND_MODULES = [
    "lamina.cli.catalog_cmds",
    "lamina.cli.check_cmds",
    "lamina.cli.train_cmds",
    "lamina.cli.saved_run_cmds",
    "lamina.cli.demo_cmds",
    "lamina.cli.viz_cmds",
    "lamina.cli.runs_cmds",
    "lamina.cli.search_cmds",
    "lamina.cli.gui_cmds",
]


class CommandError(LaminaError):
    """An error in how a command was called, printed without a traceback (exit code 2)."""

    code = "command"


def make_parser() -> argparse.ArgumentParser:
    """Builds the argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="lamina",
        description="lamina: compose, train and look inside Keras models, built from plug-ins.",
    )
    parser.add_argument("--version", action="version", version=f"lamina {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks of errors and TensorFlow's C++ start-up lines",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(name).add_parsers(sub)
    return parser


def _known_errors() -> tuple[type[BaseException], ...]:
    """The errors printed as ``error: ...`` (exit 2): the user's to fix."""
    return (LaminaError, FileNotFoundError)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line and returns the exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    if args.debug:  # the app and its engine inherit it
        os.environ[ENV_DEBUG] = "1"
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
    try:
        if debug_requested():
            return int(args.func(args) or 0)
        with native_stderr_filter():
            return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a bare traceback
        if args.debug:
            raise
        if isinstance(exc, _known_errors()):
            print(f"error: {exc}", file=sys.stderr)
            problems = getattr(exc, "problems", None)
            if problems and len(problems) > 1:
                for problem in problems[1:]:
                    print(f"error: {problem}", file=sys.stderr)
            return 2
        print(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "(run with `lamina --debug ...` for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1
