"""Regenerates the generated reference pages: the hook reference and the spec's JSON Schema.

Run ``python docs/gen_reference.py`` after changing ``lamina/hookspecs.py`` or the spec;
a test fails while the pages are stale.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

HERE = Path(__file__).parent


def hooks_markdown() -> str:
    """Returns the hook reference as Markdown, generated from the hook specs."""
    from lamina import hookspecs

    lines = [
        "# Hook reference",
        "",
        "Generated from `lamina/hookspecs.py` by `docs/gen_reference.py`; do not edit by hand.",
        "",
        inspect.cleandoc(hookspecs.__doc__ or ""),
        "",
    ]
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("register_"):
            continue
        lines += [f"## `{name}{inspect.signature(fn)}`", "", inspect.cleandoc(fn.__doc__ or ""), ""]
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    from lamina.spec import json_schema

    (HERE / "reference").mkdir(exist_ok=True)
    (HERE / "reference" / "hooks.md").write_text(hooks_markdown())
    (HERE / "reference" / "spec.schema.json").write_text(json.dumps(json_schema(), indent=2) + "\n")


if __name__ == "__main__":
    main()
