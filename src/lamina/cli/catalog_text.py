"""The text ``lamina catalog`` and ``lamina plugins`` print, cached with the catalogue.

Drawing the catalogue's ~280-row table with rich takes most of a warm ``lamina
catalog`` (rich measures and wraps every cell). The drawn text depends only on the
catalogue and on what rich reads of the terminal, so it is kept in
``<lamina home>/catalog_text.json`` next to the catalogue cache: per view (the command
and its options) and per terminal (`terminal_key`: whether stdout is a terminal, its
encoding, and the environment variables rich reads). It is tied to the catalogue
cache's write time, so a rebuilt catalogue (a plug-in installed, a source edited)
draws afresh. A cached text is exactly what rich printed for that view and terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any

TEXT_FORMAT = "lamina-catalog-text"
#: The environment variables rich reads when it decides colours, width and boxes.
RICH_VARIABLES = (
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "DATABRICKS_RUNTIME_VERSION",
)
#: The most views × terminals kept (the oldest go first).
MAX_TEXTS = 16


def terminal_key() -> str | None:
    """What rich's output depends on besides the table, or None when it cannot be known.

    None on Windows (rich asks the console itself there) and inside IPython/Jupyter.
    """
    import builtins

    if sys.platform == "win32" or hasattr(builtins, "get_ipython"):
        return None
    out = sys.stdout
    try:
        tty = bool(out.isatty())
    except (AttributeError, ValueError):
        tty = False
    encoding = (getattr(out, "encoding", None) or "utf-8").lower()
    env = {name: os.environ.get(name) for name in RICH_VARIABLES}
    return json.dumps([tty, encoding, env], sort_keys=True)


def print_view(catalog: Any, view: list[str], draw: Callable[[], str]) -> None:
    """Writes a view's text to stdout: from the cache if it holds it, else drawn now.

    Args:
        catalog: The catalogue the command answers from; only a `CachedCatalog`
            (whose ``stamp`` ties the text to the cache file) uses the text cache.
        view: The command and its options, e.g. ``["catalog", "layer", ""]``.
        draw: Draws the text (as rich prints it to this stdout).
    """
    stamp = getattr(catalog, "stamp", None)
    terminal = terminal_key() if stamp is not None else None
    if terminal is None:
        sys.stdout.write(draw())
        return
    name = json.dumps([view, terminal])
    texts = _load(stamp)
    text = texts.get(name)
    if text is None:
        text = draw()
        texts = {k: v for k, v in texts.items() if k != name}
        texts[name] = text
        _save(stamp, dict(list(texts.items())[-MAX_TEXTS:]))
    sys.stdout.write(text)


def draw_table(table: Any) -> str:
    """The text rich prints for `table` on this stdout, 160 columns wide."""
    from rich.console import Console

    console = Console(width=160)
    with console.capture() as captured:
        console.print(table)
    return captured.get()


def _path() -> Any:
    from lamina.catalog_cache import cache_path

    return cache_path().with_name("catalog_text.json")


def _load(stamp: Any) -> dict[str, str]:
    """The cached texts of the catalogue written at `stamp` (empty if none or stale)."""
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != TEXT_FORMAT:
        return {}
    texts = data.get("texts")
    if data.get("stamp") != stamp or not isinstance(texts, dict):
        return {}
    return {k: v for k, v in texts.items() if isinstance(v, str)}


def _save(stamp: Any, texts: dict[str, str]) -> None:
    """Writes the texts (a read-only home keeps the drawing, without the cache)."""
    from lamina.atomic import atomic_write_text

    data = {"format": TEXT_FORMAT, "stamp": stamp, "texts": texts}
    with contextlib.suppress(OSError):
        atomic_write_text(_path(), json.dumps(data))
