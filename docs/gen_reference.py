"""Regenerates the generated reference pages: hooks, the spec's JSON Schema and the API.

Run ``python docs/gen_reference.py`` after changing ``lamina/hookspecs.py``,
``lamina/entry_fields.py`` or the spec;
a test fails while the pages are stale.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def register_signature() -> str:
    """Returns the ``register`` callback's signature, without annotations."""
    from lamina.registry import Registry

    register = Registry().make_register("layer", "docs")
    signature = inspect.signature(register)
    bare = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    plain = signature.replace(parameters=bare, return_annotation=inspect.Signature.empty)
    return f"register{plain}"


def field_heading(field: Any) -> str:
    """Returns the Markdown heading of one typed entry field."""
    return f"### `{field.name}: {field.annotation}`"


def fields_markdown() -> list[str]:
    """Returns the "Entry fields" section, generated from `lamina.entry_fields.FIELDS`."""
    from lamina.entry_fields import FIELDS

    lines = [
        "## Entry fields",
        "",
        "Typed keyword arguments of `register`, read by lamina and checked at registration",
        "(generated from `lamina/entry_fields.py`). The registered entry",
        "(`lamina.registry.Entry`) has each as an attribute of the same name.",
        "",
        "```python",
        register_signature(),
        "```",
        "",
    ]
    for field in FIELDS:
        lines += [
            field_heading(field),
            "",
            f"For {' and '.join(field.kinds)} entries. Default: `{field.default!r}`.",
        ]
        if field.choices:
            lines.append(f"One of {', '.join(f'`{c!r}`' for c in field.choices)}.")
        lines += ["", field.doc, ""]
    return lines


def hooks_markdown() -> str:
    """Returns the hook reference as Markdown, generated from the hook specs and fields."""
    from lamina import hookspecs

    lines = [
        "# Hook reference",
        "",
        "Generated from `lamina/hookspecs.py` and `lamina/entry_fields.py` by",
        "`docs/gen_reference.py`; do not edit by hand.",
        "",
        inspect.cleandoc(hookspecs.__doc__ or ""),
        "",
    ]
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("register_"):
            continue
        lines += [f"## `{name}{inspect.signature(fn)}`", "", inspect.cleandoc(fn.__doc__ or ""), ""]
    lines += fields_markdown()
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    import gen_api  # docs/gen_api.py: the plain-Markdown API reference

    from lamina.spec import json_schema

    (HERE / "reference").mkdir(exist_ok=True)
    (HERE / "reference" / "hooks.md").write_text(hooks_markdown())
    (HERE / "reference" / "spec.schema.json").write_text(json.dumps(json_schema(), indent=2) + "\n")
    gen_api.main()


if __name__ == "__main__":
    main()
