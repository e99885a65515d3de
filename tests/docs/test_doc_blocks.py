"""Every code block of docs/plugin-guide.md and docs/visualizations.md runs in a test.

Convention (see ``doc_blocks.py``): every block names its language; ``python`` blocks
run; blocks headed by a path (``# src/lamina_example/layers.py``, ``# pyproject.toml``,
``(continued)`` to append) are files of the guide's plug-in, which
``test_guide_walkthrough.py`` builds from them alone, installs in a fresh environment
and runs together with the ``bash`` blocks; ``text`` blocks are output and are not run.

Here: the languages, the plug-in the file blocks make (the same code as
``plugins/lamina-example``), and every other python block, run in order, one namespace
per page, in a temporary working folder.
"""

from __future__ import annotations

import ast
import contextlib
import io
import types
from pathlib import Path

import numpy as np
import pytest
from doc_blocks import GUIDE, LANGUAGES, ROOT, VISUALIZATIONS, blocks, plugin_files
from lamina_example import plugin as example_plugin

import lamina

EXAMPLE = ROOT / "plugins" / "lamina-example"
PAGES = {"plugin-guide": GUIDE, "visualizations": VISUALIZATIONS}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_every_block_names_a_known_language(page: Path) -> None:
    found = blocks(page)
    assert len(found) >= 4
    bad = [(b.line, b.language) for b in found if b.language not in LANGUAGES]
    assert bad == [], f"{page.name}: blocks without a known language (line, language): {bad}"


def test_only_the_guide_has_commands_and_files() -> None:
    """The walkthrough runs the guide's bash and file blocks; no other page may have any."""
    found = blocks(VISUALIZATIONS)
    assert [b.line for b in found if b.language == "bash" or b.path] == []


def _tree(code: str) -> str:
    """The module's AST without its docstring (the guide omits module docstrings)."""
    module = ast.parse(code)
    body = module.body
    docstring = body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    if docstring and len(body) > 1:
        body = body[1:]
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def test_the_file_blocks_make_the_example_plugin() -> None:
    files = plugin_files()
    real = {
        str(p.relative_to(EXAMPLE))
        for p in [*EXAMPLE.glob("src/lamina_example/*.py"), *EXAMPLE.glob("tests/*.py")]
    }
    assert set(files) == real | {"pyproject.toml"}
    for path, text in files.items():
        original = (EXAMPLE / path).read_text(encoding="utf-8")
        if path.endswith(".py"):
            assert _tree(text) == _tree(original), f"the guide's {path} differs from the example"
        else:
            assert text.strip() == original.split("\n", 1)[1].strip()


def _run_page(page: Path) -> dict:
    """Runs every python block of `page` that is not a file block, in order."""
    namespace: dict = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    ran = 0
    for block in blocks(page):
        if block.language != "python" or block.path is not None:
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, f"{page.name}:{block.line}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(
                f"{page.name}, block at line {block.line} failed: {exc!r}"
            ) from exc
        namespace.setdefault("__outputs__", []).append(out.getvalue())
        ran += 1
    namespace["__ran__"] = ran
    return namespace


def test_the_guides_python_blocks_run(lamina_registry_factory, tmp_path, monkeypatch) -> None:
    lamina_registry_factory(("example", example_plugin))
    monkeypatch.chdir(tmp_path)
    ns = _run_page(GUIDE)
    assert ns["__ran__"] == 3  # keras import, the classification dataset, the reload
    # the classification dataset: two named classes
    assert ns["data"].class_names == ["star", "quasar"] and ns["data"].n_classes == 2
    counts = ns["data"].class_counts()
    assert set(counts) == {"star", "quasar"} and sum(counts.values()) == 200
    assert ns["__outputs__"][1].startswith("2 {'star': ")
    # the reload: the plug-in's loss, found by its registered name
    assert ns["__outputs__"][2].strip() == "log_cosh_relative"
    assert (tmp_path / "model.keras").is_file()


def test_the_visualizations_python_blocks_run(lamina_registry_factory, tmp_path, monkeypatch):
    lamina_registry_factory()
    monkeypatch.chdir(tmp_path)
    ns = _run_page(VISUALIZATIONS)
    assert ns["__ran__"] == 5
    # the first block: Grad-CAM of a LeNet, written as a PNG
    assert (tmp_path / "gradcam.png").read_bytes()[:4] == b"\x89PNG"
    peak = ns["res"].meta["peak"]
    assert ns["__outputs__"][0].strip() == str(peak)
    # the curves block: a panel with its x axis named and its unit
    assert (tmp_path / "saliency.png").read_bytes()[:4] == b"\x89PNG"
    assert ns["panel"].x_axis_label == "wavelength [Å]"
    # the spectra blocks: a data set's axis declaration, and saliency of a spectrum on it
    assert ns["extras"]["axis"]["unit"] == "Å"
    assert (tmp_path / "spectrum-saliency.png").read_bytes()[:4] == b"\x89PNG"
    first = ns["res1d"].panels[0]
    assert first.x_axis_label == "wavelength [Å]"
    assert "Hα" in [m.label for m in first.markers]

    # the plug-in block: its hook registers a prefixed entry whose form skips `model`
    module = types.ModuleType("my_plugin")
    module.register_visualizations = ns["register_visualizations"]
    registry = lamina_registry_factory(("my_plugin", module))
    assert registry.plugins["my_plugin"].ok, registry.plugins["my_plugin"].problems
    entry = registry.get("visualization", "my_plugin.mean_input")
    assert [p.name for p in entry.params] == ["data", "class_index"]
    model = ns["model"]
    data = np.random.default_rng(1).random((12, 32, 32, 1), dtype="float32")
    predicted = np.argmax(model.predict(data, verbose=0), axis=-1)
    chosen = int(predicted[0])  # a class predicted at least once
    result = lamina.viz("my_plugin.mean_input", model, data=data, class_index=chosen)
    assert result.meta["count"] == int(np.sum(predicted == chosen)) >= 1
    expected = data[predicted == chosen].mean(axis=0)[..., 0]
    np.testing.assert_allclose(result.images, expected, rtol=1e-6)
