"""The plug-in author guide (docs/plugin-guide.md) and the example plug-in agree.

- Every code block of the guide is the real code of ``plugins/lamina-example``.
- The guide has a complete section per kind of entry and covers the rest of the
  contract (schema overrides, testing helpers, failures, environment variables).
- Following the guide in a fresh virtual environment (copy the plug-in, run the
  guide's install command) makes the plug-in appear in ``lamina catalog`` and in the
  app's palette; before the install it is absent.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import textwrap
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
    assert headed == (modules - {"src/lamina_example/__init__.py"}) | {
        "tests/test_example_plugin.py"
    }


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
    for title, name in zip(SECTIONS, ENTRIES, strict=True):
        section = text.split(f". {title}\n", 1)[1].split("\n## ", 1)[0]
        assert f'name="{name}"' in section, f"section {title!r} does not register {name}"


@pytest.mark.parametrize(
    "phrase",
    [
        # entry point and install
        "[project.entry-points.lamina]",
        "pip install -e .",
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


# -- following the guide in a fresh virtual environment -------------------------------


def install_command() -> list[str]:
    """The guide's install command (the ``pip install`` line of its bash blocks)."""
    for block in code_blocks("bash"):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("pip install"):
                return shlex.split(line)
    raise AssertionError("the guide has no `pip install` command")


def filtered_site_packages(target: Path) -> Path:
    """A folder of symlinks to this environment's site-packages, minus the example.

    The developer's environment has lamina-example installed (.ci/run does it);
    a stranger's fresh environment does not. Linking everything else lets the fresh
    environment import lamina, TensorFlow and Qt without downloading them.
    """
    site_dir = Path(sysconfig.get_paths()["purelib"])
    target.mkdir()
    for item in site_dir.iterdir():
        if "lamina_example" in item.name or "lamina-example" in item.name:
            continue
        (target / item.name).symlink_to(item)
    return site_dir


PALETTE = textwrap.dedent(
    """
    import json, sys
    import lamina_example
    from lamina.engine.catalog_cache import load_cached_catalog
    from lamina.engine.handlers import handle
    from lamina.engine.protocol import CatalogRequest
    from PySide6.QtWidgets import QApplication
    from lamina_gui.widgets.palette import Palette

    catalog = handle(CatalogRequest()).to_dict()  # what the engine answers the app
    app = QApplication([])
    names = {}
    for label, data in (("engine", catalog), ("cache", load_cached_catalog())):
        palette = Palette()
        palette.set_catalog(data)  # the app fills its palette from the cache, then the engine
        names[label] = sorted(n for n in palette.visible_entries() if n.startswith("example."))
        item = palette.find_item("example.AsinhStretch", kind="layer")
        names[label + "_plugin_column"] = item.text(1) if item is not None else None
        palette.deleteLater()
    names["module"] = lamina_example.__file__
    print("RESULT" + json.dumps(names))
    """
)


def run(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{cmd} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def catalog_names(python: str, env: dict[str, str]) -> tuple[dict[str, str], set[str]]:
    """``lamina catalog --json`` in the fresh environment: (example entries, all names)."""
    entries = json.loads(run([python, "-m", "lamina", "catalog", "--json"], env))
    names = {e["name"] for e in entries}
    return {e["name"]: e["plugin"] for e in entries if e["name"].startswith("example.")}, names


def test_following_the_guide_in_a_fresh_venv_adds_the_plugin_to_catalog_and_palette(
    tmp_path: Path,
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    new_site = run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], os.environ
    ).strip()
    # lamina and its dependencies come from this environment (no download of TensorFlow):
    # `addsitedir` also runs the .pth files there (lamina's own editable install)
    linked = tmp_path / "linked-site-packages"
    filtered_site_packages(linked)
    lines = [f"import site; site.addsitedir({str(linked)!r})"]
    lines += [str(ROOT / "src"), str(ROOT / "plugins"), str(ROOT / "gui")]
    (Path(new_site) / "lamina_dev_env.pth").write_text("\n".join(lines) + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAMINA_", "PYTHON"))}
    env.update(
        LAMINA_HOME=str(tmp_path / "home"),  # no user plug-ins; the catalogue cache goes here
        QT_QPA_PLATFORM="offscreen",
        TF_CPP_MIN_LOG_LEVEL="2",
        PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        PIP_NO_INDEX="1",  # nothing may be downloaded
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )

    # a stranger's environment: lamina is there, the example plug-in is not
    before, names = catalog_names(python, env)
    assert before == {}, f"the fresh environment already has the example: {before}"
    assert {"Conv2D", "GCNConv", "Normal"} <= names  # lamina and its own plug-ins work

    # the stranger's own copy of the plug-in, installed with the guide's command
    plugin_dir = tmp_path / "lamina-example"
    shutil.copytree(
        EXAMPLE, plugin_dir, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "build")
    )
    command = install_command()
    assert command == ["pip", "install", "-e", "."]
    # --no-build-isolation: an isolated build would download setuptools from the index;
    # the fresh environment's own setuptools builds the plug-in instead.
    run([python, "-m", *command, "--no-build-isolation"], env, cwd=plugin_dir)

    after, _ = catalog_names(python, env)
    assert after == dict.fromkeys(ENTRIES, "example")
    plugins = json.loads(run([python, "-m", "lamina", "plugins", "--json"], env))
    example = next(p for p in plugins if p["name"] == "example")
    assert example["loaded"] and not example["problems"], example

    out = run([python, "-c", PALETTE], env)
    result = json.loads(out.split("RESULT", 1)[1])
    assert Path(result["module"]).resolve().is_relative_to(plugin_dir.resolve())
    for source in ("engine", "cache"):
        assert result[source] == sorted(ENTRIES), result
        assert result[source + "_plugin_column"] == "example"
