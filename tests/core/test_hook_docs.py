"""Self-checking docs (datasette-style): every hook and every entry field is documented,
the generated reference is current, and every hook has a test."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import json
import re
from pathlib import Path

import pytest

from lamina import entry_fields, hookspecs
from lamina.registry import Entry, Registry
from lamina.spec import json_schema

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "docs" / "reference" / "hooks.md"
HOOKS = [
    n for n, _ in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("register_")
]
FIELDS = {f.name: f for f in entry_fields.FIELDS}


def _gen():
    spec = importlib.util.spec_from_file_location(
        "gen_reference", ROOT / "docs" / "gen_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    start = text.index(heading + "\n")
    level = heading.split(" ", 1)[0]
    rest = text[start + len(heading) + 1 :]
    end = re.search(rf"^#{{1,{len(level)}}} ", rest, flags=re.M)
    return rest[: end.start()] if end else rest


def _register_keywords() -> list[str]:
    register = Registry().make_register("layer", "docs")
    return [p.name for p in inspect.signature(register).parameters.values() if p.name != "obj"]


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_signature(hook):
    fn = getattr(hookspecs, hook)
    assert fn.__doc__ and "Example:" in fn.__doc__, f"{hook} needs a docstring with an example"
    section = _section(REFERENCE.read_text(), f"## `{hook}{inspect.signature(fn)}`")
    assert inspect.cleandoc(fn.__doc__) in section


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_entry_field_is_documented_with_its_type_kinds_and_default(name):
    field = FIELDS[name]
    assert field.doc and field.kinds and field.annotation
    section = _section(REFERENCE.read_text(), f"### `{name}: {field.annotation}`")
    assert f"For {' and '.join(field.kinds)} entries. Default: `{field.default!r}`." in section
    assert field.doc in section
    for choice in field.choices:
        assert f"`{choice!r}`" in section


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_entry_field_is_an_attribute_of_entry_and_a_keyword_of_register(name):
    defaults = {f.name: f.default for f in dataclasses.fields(Entry)}
    assert name in defaults, f"Entry has no field {name!r}"
    assert defaults[name] == FIELDS[name].default
    assert name in _register_keywords()
    assert name in (hookspecs.__doc__ or ""), f"the hookspecs overview does not name {name!r}"


def test_every_keyword_of_register_is_documented():
    text = REFERENCE.read_text()
    assert f"```python\n{_gen().register_signature()}\n```" in text
    overview = inspect.cleandoc(hookspecs.__doc__ or "")
    for keyword in _register_keywords():
        if keyword not in FIELDS:
            assert f"- ``{keyword}``:" in overview, f"register's {keyword!r} is not documented"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook):
    tests = (ROOT / "tests" / "core" / "test_plugins.py").read_text()
    assert f"def {hook}(register):" in tests, f"no test registers through {hook}"


def test_generated_reference_pages_are_current():
    assert REFERENCE.read_text() == _gen().hooks_markdown(), "run `python docs/gen_reference.py`"
    saved = json.loads((ROOT / "docs" / "reference" / "spec.schema.json").read_text())
    assert saved == json_schema(), "run `python docs/gen_reference.py`"


def test_reference_goes_stale_when_a_field_changes(monkeypatch):
    """The comparison above catches a field that changed without regenerating the page."""
    first = entry_fields.FIELDS[0]
    changed = dataclasses.replace(first, doc=first.doc + " Changed.")
    monkeypatch.setattr(entry_fields, "FIELDS", (changed, *entry_fields.FIELDS[1:]))
    assert REFERENCE.read_text() != _gen().hooks_markdown()
