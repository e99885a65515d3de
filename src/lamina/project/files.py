"""The files of a project folder: their names, and reading and writing their JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lamina.atomic import atomic_write_text
from lamina.errors import LaminaError
from lamina.jsonutil import json_default

PROJECT_FILE = "project.json"
PROJECT_FORMAT = "lamina-project"
PROJECT_FORMAT_VERSION = 1
RUNS_DIR = "runs"
RUN_FILE = "run.json"
WEIGHTS_FINAL = "weights.final.h5"
WEIGHTS_BEST = "weights.best.h5"
CHECKPOINT_FILE = "checkpoint.json"


class ProjectError(LaminaError, ValueError):
    """A project or run folder is missing, corrupt or not lamina's. The message names the file."""

    code = "project"


def now() -> str:
    """The current UTC time as an ISO 8601 string, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_json(path: Path, what: str) -> Any:
    """Reads a JSON file; a missing, unreadable or malformed `what` is a `ProjectError`."""
    if not path.is_file():
        raise ProjectError(f"{path}: {what} not found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: cannot read {what}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ProjectError(
            f"{path}: corrupt {what} (malformed JSON at line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); the file was left as it is"
        ) from None


def write_json(path: Path, data: Any) -> Path:
    """Writes `data` as indented JSON, atomically; returns the path."""
    return atomic_write_text(path, json.dumps(data, indent=2, default=json_default) + "\n")
