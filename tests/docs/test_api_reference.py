"""The plain-Markdown API reference (``docs/api.md``'s generated section and
``docs/reference/python-api.md``) is current: a public function or class that changes
without ``python docs/gen_reference.py`` fails here."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path

import pytest

import lamina

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def gen():
    sys.path.insert(0, str(DOCS))
    try:
        spec = importlib.util.spec_from_file_location("gen_api", DOCS / "gen_api.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(DOCS))


def test_the_api_page_is_current(gen):
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    assert text == gen.api_page(text), "docs/api.md is stale: run `python docs/gen_reference.py`"


def test_the_module_page_is_current(gen):
    saved = (DOCS / "reference" / "python-api.md").read_text(encoding="utf-8")
    assert saved == gen.modules_markdown(), (
        "docs/reference/python-api.md is stale: run `python docs/gen_reference.py`"
    )


@pytest.mark.parametrize("name", [n for n in lamina.__all__ if n != "__version__"])
def test_every_facade_name_has_its_signature_and_summary_in_api_md(gen, name):
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    obj = getattr(lamina, name)
    section = text.split(f"### `lamina.{name}`\n", 1)[1].split("\n### ", 1)[0]
    params = list(inspect.signature(obj).parameters)
    for param in params:
        assert param in section, f"lamina.{name}: parameter {param} missing"
    first = inspect.cleandoc(obj.__doc__).split("\n\n", 1)[0]
    assert " ".join(first.split()) in section


def test_a_changed_signature_makes_the_page_stale(gen, monkeypatch):
    import lamina.visualize as viz

    def added(result, width: int = 3) -> None:
        """A new public function."""

    monkeypatch.setattr(viz, "added", added, raising=False)
    monkeypatch.setattr(viz, "__all__", [*viz.__all__, "added"])
    page = gen.modules_markdown()
    assert (
        "### `lamina.visualize.added`\n\n```python\nadded(result, width: int = 3) -> None\n```"
        in page
    )
    assert page != (DOCS / "reference" / "python-api.md").read_text(encoding="utf-8")

    original = lamina.save_spec
    monkeypatch.setattr(lamina, "save_spec", lambda spec, path, indent=2: None)
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    assert gen.api_page(text) != text
    monkeypatch.setattr(lamina, "save_spec", original)


def test_long_signatures_are_one_parameter_per_line(gen):
    def f(a: int, b: str = "x" * 60, *, c: float = 1.0, d: list[int] | None = None) -> int:
        """F."""

    assert gen.signature(f) == (
        "(\n    a: int,\n    b: str = '" + "x" * 60 + "',\n    *,\n    c: float = 1.0,\n"
        "    d: list[int] | None = None,\n) -> int"
    )
    assert gen.signature(lambda x, y=2: x) == "(x, y=2)"
