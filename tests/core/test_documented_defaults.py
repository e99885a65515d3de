"""Every default a docstring states (Google style, "Defaults to `X`.") is the default the
signature has: the hook reference, the catalogue's help and the tutorials quote these
docstrings, so a changed default must change its sentence too."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest

from lamina.params import (
    NOT_STATED,
    default_disagreements,
    derive_params,
    parse_arg_docs,
    stated_default,
)

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


def _mismatches(package: str) -> tuple[int, list[str]]:
    """The documented defaults checked in `package`, and those that are wrong."""
    checked, wrong = 0, []
    for module in _modules(package):
        for where, obj in _documented(module):
            doc = inspect.getdoc(obj) or ""
            if "Defaults to" not in doc:
                continue
            params = derive_params(obj)
            stated = {
                name: text
                for name, text in parse_arg_docs(doc).items()
                if stated_default(text, vars(module)) is not NOT_STATED
            }
            checked += sum(p.name in stated for p in params)
            wrong += [
                f"{where}({problem}" for problem in default_disagreements(params, vars(module))
            ]
            for name in sorted(set(stated) - {p.name for p in params}):
                wrong.append(f"{where}: documents a default for {name!r}, no such argument")
    return checked, wrong


@pytest.mark.parametrize("package", PACKAGES)
def test_documented_defaults_are_the_signature_defaults(package):
    checked, wrong = _mismatches(package)
    assert not wrong, "\n".join(wrong)
    assert checked > 0, f"no documented default found in {package}"
