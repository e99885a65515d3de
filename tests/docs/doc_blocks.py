"""The fenced code blocks of a documentation page, and what the tests do with each.

The convention (``docs/plugin-guide.md`` says it to its readers too):

- Every block names its language after the opening fence; an unknown or missing
  language fails ``test_doc_blocks.py``.
- ``python``: runs. A block whose first line is ``# <path>`` (a path inside the
  plug-in's folder, e.g. ``# src/lamina_example/layers.py``) is that file of the
  guide's plug-in; ``# <path> (continued)`` appends to it. File blocks run where the
  plug-in runs: ``test_guide_walkthrough.py`` writes them into a throw-away plug-in,
  installs it and runs its tests. Every other python block runs in
  ``test_doc_blocks.py``, the blocks of one page in order in one namespace, in a
  temporary working folder.
- ``toml``: a file block (``# pyproject.toml``), written like the python file blocks.
- ``bash``: commands of the guide's walkthrough, run in order in the plug-in's folder
  by ``test_guide_walkthrough.py`` in a fresh virtual environment. Only the plug-in
  guide has them.
- ``text``: output, error messages, folder trees: shown, not run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugin-guide.md"
VISUALIZATIONS = ROOT / "docs" / "visualizations.md"
LANGUAGES = ("python", "toml", "bash", "text")

_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", flags=re.S | re.M)
_PATH = re.compile(r"# ((?:src|tests)/[\w/]+\.py|pyproject\.toml)( \(continued\))?")


@dataclass(frozen=True)
class Block:
    """One fenced code block.

    Args:
        language: The word after the opening fence (``""`` when there is none).
        code: The block's text.
        line: The line of the opening fence (1-based), for messages.
        path: The plug-in file the block is, or None.
        continued: Whether the block appends to `path` rather than starting it.
    """

    language: str
    code: str
    line: int
    path: str | None = None
    continued: bool = False

    @property
    def body(self) -> str:
        """The code without its path line (for file blocks)."""
        return self.code.split("\n", 1)[1] if self.path else self.code


def blocks(page: Path) -> list[Block]:
    """Returns every fenced code block of `page`, in order."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        language = match.group(1).strip()
        code = match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        first = code.split("\n", 1)[0].strip()
        path = _PATH.fullmatch(first) if language in ("python", "toml") else None
        found.append(
            Block(
                language,
                code,
                line,
                path.group(1) if path else None,
                bool(path and path.group(2)),
            )
        )
    return found


def plugin_files(page: Path = GUIDE) -> dict[str, str]:
    """Returns ``{path: text}`` of the plug-in files that the page's file blocks make."""
    files: dict[str, str] = {}
    for block in blocks(page):
        if block.path is None:
            continue
        if block.continued:
            assert block.path in files, f"line {block.line}: continues {block.path} not started"
            files[block.path] = files[block.path].rstrip("\n") + "\n\n\n" + block.body
        else:
            assert block.path not in files, f"line {block.line}: {block.path} started twice"
            files[block.path] = block.body
    return files


def commands(page: Path = GUIDE) -> list[str]:
    """Returns the page's ``bash`` blocks, in order."""
    return [b.code for b in blocks(page) if b.language == "bash"]
