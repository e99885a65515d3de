"""Self-checking docs (datasette-style): every hook is documented and tested."""

from __future__ import annotations

import importlib.util
import inspect
import json
from pathlib import Path

import pytest

from lamina import hookspecs
from lamina.spec import json_schema

ROOT = Path(__file__).parents[2]
HOOKS = [
    n for n, _ in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("register_")
]


def _gen():
    spec = importlib.util.spec_from_file_location(
        "gen_reference", ROOT / "docs" / "gen_reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_with_its_signature(hook):
    fn = getattr(hookspecs, hook)
    assert fn.__doc__ and "Example:" in fn.__doc__, f"{hook} needs a docstring with an example"
    text = (ROOT / "docs" / "reference" / "hooks.md").read_text()
    assert f"## `{hook}{inspect.signature(fn)}`" in text


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook):
    tests = (ROOT / "tests" / "core" / "test_plugins.py").read_text()
    assert f"def {hook}(register):" in tests, f"no test registers through {hook}"


def test_generated_reference_pages_are_current():
    assert (ROOT / "docs" / "reference" / "hooks.md").read_text() == _gen().hooks_markdown(), (
        "run `python docs/gen_reference.py`"
    )
    saved = json.loads((ROOT / "docs" / "reference" / "spec.schema.json").read_text())
    assert saved == json_schema(), "run `python docs/gen_reference.py`"
