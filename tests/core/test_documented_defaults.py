"""Every default a docstring states (Google style, "Defaults to `X`.") is the default the
signature has: the hook reference, the catalogue's help and the tutorials quote these
docstrings, so a changed default must change its sentence too."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import pytest

#: "Defaults to `2`." / "Defaults to ``"x"``." / "Defaults to None." (prose such as "Defaults
#: to the file's stem." is not a value and is not checked)
STATED = re.compile(
    r"Defaults\s+to\s+(?:(`+)(?P<quoted>.+?)\1|(?P<bare>None|True|False|-?\d[\d_.e+-]*)(?![\w`]))"
)
#: An argument's entry in an ``Args:`` section: its name at the section's indent.
ENTRY = re.compile(r"^(?P<indent>\s*)\**(?P<name>\w+)(?: \([^)]*\))?:\s")

PACKAGES = [
    "lamina",  # the modules not in the packages below
    "lamina.training",
    "lamina.project",
    "lamina.visualize",
    "lamina.data",
    "lamina.records",
    "lamina.hpsearch",
    "lamina_builtin",
    "lamina_probability",
    "lamina_graph",
]
_SENTINEL = object()


def _modules(package: str) -> Iterator[Any]:
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), package + "."):
        if info.name.endswith("__main__"):  # a program, run on import
            continue
        inner = [p for p in PACKAGES if p.startswith(package + ".")]
        if any(info.name == p or info.name.startswith(p + ".") for p in inner):
            continue  # checked on its own
        yield importlib.import_module(info.name)


def _documented(module: Any) -> Iterator[tuple[str, Any]]:
    """Functions and classes defined in `module`, and the methods of those classes."""
    for name, obj in vars(module).items():
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj
        elif inspect.isclass(obj):
            yield f"{module.__name__}.{name}", obj
            for attr, member in vars(obj).items():
                fn = member.__func__ if isinstance(member, staticmethod | classmethod) else member
                if inspect.isfunction(fn) and attr != "__init__":
                    yield f"{module.__name__}.{name}.{attr}", fn


def _args_section(doc: str) -> dict[str, str]:
    """The text of each entry of the docstring's ``Args:`` section, joined into one line."""
    entries: dict[str, str] = {}
    lines = doc.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() in ("Args:", "Arguments:"))
    except StopIteration:
        return entries
    section_indent = len(lines[start]) - len(lines[start].lstrip())
    entry_indent, current = None, None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= section_indent:
            break
        match = ENTRY.match(line)
        if match and (entry_indent is None or indent == entry_indent):
            entry_indent, current = indent, match["name"]
            entries[current] = line[match.end() :]
        elif current is not None:
            entries[current] += " " + line.strip()
    return entries


def _stated_value(text: str, globals_: dict[str, Any]) -> Any:
    """The default `text` states as a value, or `_SENTINEL` when it states none."""
    match = STATED.search(text)
    if match is None or re.match(r"\s+(when|if|unless|for)\b", text[match.end() :]):
        return _SENTINEL  # none stated, or a default that depends on other arguments
    literal = match["quoted"] if match["quoted"] is not None else match["bare"]
    try:
        value = ast.literal_eval(literal)
        return _SENTINEL if "..." in literal else value  # an elided range is prose
    except (ValueError, SyntaxError):
        if literal.isidentifier() and literal.isupper() and literal in globals_:
            return globals_[literal]  # a module constant such as `TARGET_SECONDS`
        return _SENTINEL  # another argument or prose in backquotes


def _same(actual: Any, stated: Any) -> bool:
    """Equal, and of one kind (a number for a number, a sequence for a sequence, ...)."""
    if isinstance(actual, tuple | list) and isinstance(stated, tuple | list):
        return list(actual) == list(stated)
    if type(actual) is not type(stated) and not {type(actual), type(stated)} <= {int, float}:
        return False  # `True` is not `1`, `"1"` is not `1`
    return actual == stated


def _mismatches(package: str) -> tuple[int, list[str]]:
    checked, wrong = 0, []
    for module in _modules(package):
        for where, obj in _documented(module):
            doc = inspect.getdoc(obj) or ""
            if "Defaults to" not in doc:
                continue
            try:
                params = inspect.signature(obj).parameters
            except (TypeError, ValueError):
                continue
            for name, text in _args_section(doc).items():
                stated = _stated_value(text, vars(module))
                if stated is _SENTINEL:
                    continue
                param = params.get(name)
                if param is None:
                    wrong.append(f"{where}: documents a default for {name!r}, no such argument")
                    continue
                actual = param.default
                checked += 1
                if actual is inspect.Parameter.empty:
                    wrong.append(f"{where}({name}): documented {stated!r}, but it is required")
                elif not _same(actual, stated):
                    wrong.append(f"{where}({name}): documented {stated!r}, signature {actual!r}")
    return checked, wrong


@pytest.mark.parametrize("package", PACKAGES)
def test_documented_defaults_are_the_signature_defaults(package):
    checked, wrong = _mismatches(package)
    assert not wrong, "\n".join(wrong)
    assert checked > 0, f"no documented default found in {package}"


def test_the_reader_finds_a_stated_default_and_flags_a_wrong_one():
    def documented(patch: int = 8, fill: float | None = None, mode: str = "max") -> None:
        """Example.

        Args:
            patch: Side of the square. Defaults to
                `6`.
            fill: The value. Defaults to None.
            mode: How. Defaults to ``"max"``; or prose.
        """

    entries = _args_section(inspect.getdoc(documented))
    assert [_stated_value(entries[k], {}) for k in ("patch", "fill", "mode")] == [6, None, "max"]
    assert _stated_value("Defaults to the file's stem.", {}) is _SENTINEL
    assert _stated_value("Defaults to `True` when `cancel` is given.", {}) is _SENTINEL
    assert _stated_value("Defaults to `TARGET`.", {"TARGET": 2.5}) == 2.5
    assert _same(30, 30.0) and _same((64, 64, 1), [64, 64, 1])
    assert not _same(True, 1) and not _same(29.0, 30) and not _same("1", 1)
