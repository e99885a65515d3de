"""The app never imports TensorFlow, lamina's model code or its search: the engine does that.

A static check of every import in ``gui/lamina_gui`` (including imports inside
functions), so it holds whatever other tests imported into the same process.
"""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "gui" / "lamina_gui"
FORBIDDEN = (
    "tensorflow",
    "tf_keras",
    "keras",
    "tensorflow_probability",
    "spektral",
    "lamina.keras",
    "lamina.build",
    "lamina.training",
    "lamina.visualize",
    "lamina.hpsearch",  # the search runs in the engine; the app sends a request
    "lamina.plugins",
    "lamina.registry",
    "lamina_builtin",
    "lamina_probability",
    "lamina_graph",
)


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_gui_modules_import_no_model_code():
    bad = [
        f"{path.name}:{line}: {name}"
        for path in sorted(GUI.rglob("*.py"))
        for line, name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert not bad, "the app must talk to the engine instead: " + "; ".join(bad)


def test_the_check_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from lamina.training import train\n    import tensorflow\n")
    assert [n for _, n in _imports(sample)] == ["lamina.training", "tensorflow"]
