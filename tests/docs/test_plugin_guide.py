"""The plug-in author guide (docs/plugin-guide.md) and the example plug-in agree.

- Every code block of the guide is the real code of ``plugins/lamina-example``.
- The guide has a complete section per kind of entry and covers the rest of the
  contract (schema overrides, testing helpers, failures, environment variables).

Following the guide in a fresh virtual environment is ``test_guide_walkthrough.py``;
running its other code blocks is ``test_doc_blocks.py``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugin-guide.md"
EXAMPLE = ROOT / "plugins" / "lamina-example"
PACKAGE = EXAMPLE / "src" / "lamina_example"

#: registered name -> kind: what the guide builds, one section per kind
ENTRIES = {
    "example.AsinhStretch": "layer",
    "example.log_cosh_relative": "loss",
    "example.SignSGD": "optimizer",
    "example.PositiveHead": "head",
    "example.photometry_mlp": "architecture",
    "example.star_colours": "dataset",
    "example.weight_norms": "visualization",
    "example.magnitude_response": "visualization",
}
SECTIONS = [
    "A layer",
    "A loss",
    "An optimizer",
    "A head",
    "An architecture template",
    "A dataset",
    "A visualization",
]


def code_blocks(language: str) -> list[str]:
    """The fenced code blocks of the guide in `language`, in order."""
    pattern = rf"^```{language}\n(.*?)^```"
    return re.findall(pattern, GUIDE.read_text(encoding="utf-8"), flags=re.S | re.M)


def plugin_source() -> str:
    """Every Python file of the example plug-in (package and tests), concatenated."""
    files = sorted(PACKAGE.rglob("*.py")) + sorted((EXAMPLE / "tests").rglob("*.py"))
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def definitions(block: str) -> list[tuple[str, str]]:
    """The top-level ``def``/``class`` statements of a code block (with decorators)."""
    tree = ast.parse(block)
    lines = block.splitlines()
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            found.append((node.name, "\n".join(lines[start - 1 : node.end_lineno])))
    return found


# -- the guide's code is the example's code -------------------------------------------


def test_every_definition_in_the_guide_is_verbatim_in_the_example_plugin() -> None:
    source = plugin_source()
    checked = []
    for block in code_blocks("python"):
        if not block.startswith(("# src/", "# tests/")):
            continue  # a stand-alone example, run by test_doc_blocks.py
        for name, text in definitions(block):
            assert text in source, f"the guide's `{name}` differs from plugins/lamina-example"
            checked.append(name)
    # the seven entries, the seven hooks and the tests at least
    assert len(checked) >= 7 + 7 + 3, checked


def test_file_blocks_are_the_files_themselves() -> None:
    """A block headed ``# src/...`` or ``# tests/...`` is (part of) that file, verbatim."""
    headed = set()
    for block in code_blocks("python"):
        first, _, rest = block.partition("\n")
        match = re.fullmatch(r"# ((?:src/lamina_example|tests)/\w+\.py)", first.strip())
        if match:
            headed.add(match.group(1))
            text = (EXAMPLE / match.group(1)).read_text(encoding="utf-8")
            assert rest.strip() in text, f"the guide's {match.group(1)} is out of date"
    modules = {f"src/lamina_example/{p.name}" for p in PACKAGE.glob("*.py")}
    assert headed == modules | {"tests/test_example_plugin.py"}


def test_every_hook_of_the_example_is_shown_in_the_guide() -> None:
    shown = {name for block in code_blocks("python") for name, _ in definitions(block)}
    tree = ast.parse((PACKAGE / "plugin.py").read_text(encoding="utf-8"))
    hooks = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("register_")
    }
    assert len(hooks) == 7
    assert hooks <= shown, f"hooks missing from the guide: {sorted(hooks - shown)}"


def test_pyproject_block_is_the_example_pyproject() -> None:
    (block,) = code_blocks("toml")
    assert block.strip() == (EXAMPLE / "pyproject.toml").read_text(encoding="utf-8").strip()
    assert '[project.entry-points.lamina]\nexample = "lamina_example.plugin"' in block


def test_the_example_registers_exactly_the_guide_entries(lamina_registry_factory) -> None:
    from lamina_example import plugin

    registry = lamina_registry_factory(("example", plugin))
    assert registry.plugins["example"].ok, registry.plugins["example"].problems
    ours = {e.name: e.kind for e in registry.entries() if e.plugin == "example"}
    assert ours == ENTRIES


# -- the guide covers the contract ----------------------------------------------------


def test_guide_has_one_section_per_kind_in_order() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    headings = re.findall(r"^## \d+\. (.+)$", text, flags=re.M)
    found = [h for h in headings if h in SECTIONS]
    assert found == SECTIONS, headings
    for title in SECTIONS:
        section = text.split(f". {title}\n", 1)[1].split("\n## ", 1)[0]
        kind = title.split(" ", 1)[1].split(" ")[0].replace("template", "architecture")
        for name in [n for n, k in ENTRIES.items() if k == kind]:
            assert f'name="{name}"' in section, f"section {title!r} does not register {name}"


@pytest.mark.parametrize(
    "phrase",
    [
        # entry point and install
        "[project.entry-points.lamina]",
        'pip install -e ".[test]"',
        "No module named",
        "lamina plugins --entries example",
        "class_names=",
        "x_label",
        "CurvePanel(",
        "LineMarker(",
        "`input`",
        "must be imported first",
        "lamina catalog",
        # the form
        "Args:",
        '"choices"',
        '"min"',
        '"max"',
        '"help"',
        '{"name": None}',
        "lamina.params.Param",
        # contracts
        "`loss=`",
        "lamina.data.Dataset",
        "lamina.visualize.Result",
        "(y_true, y_pred, **params)",
        "factory",
        "get_config",
        "from lamina.keras import keras, layers, tf",
        # testing
        "check_layer",
        "check_entry",
        "lamina_registry_factory",
        "lamina_temp_plugin",
        # names, failures, environment
        "example.AsinhStretch",
        "lamina plugins",
        "did you mean",
        "LAMINA_PLUGINS",
        "LAMINA_DISABLE_PLUGINS",
        "LAMINA_PLUGIN_PATH",
        "LAMINA_HOME",
        "reference/hooks.md",
    ],
)
def test_guide_mentions(phrase: str) -> None:
    assert phrase in GUIDE.read_text(encoding="utf-8")
