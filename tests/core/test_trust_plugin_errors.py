"""Finding 10 of issue 14: plug-in failures are traceable, export says what it wants."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import lamina
from lamina import plugins as lp
from lamina.errors import LaminaError
from lamina.export import ExportError, export_keras, export_savedmodel

MISSPELT = """
from lamina.hookspecs import hookimpl
from lamina.keras import layers

class Magnitudes(layers.Layer):
    def call(self, x):
        return x

@hookimpl
def register_layer(register):  # misspelt: register_layers
    register(Magnitudes, name="astro.Magnitudes")
"""


def _registry_with(folder, name, source):
    (folder / f"{name}.py").write_text(textwrap.dedent(source))
    pm, infos = lp.make_plugin_manager(
        candidates=lp.builtin_candidates(["builtin"])
        + lp.discover(entry_points=False, folders=[folder], builtins=False)
    )
    return lp.build_registry(pm, infos)


def test_unknown_entry_names_the_plugin_that_failed_and_why(tmp_path):
    registry = _registry_with(tmp_path, "astro", MISSPELT)
    spec = {
        "input": {"shape": [4]},
        "layers": [{"type": "astro.Magnitudes"}],
        "compile": {"loss": "mean_squared_error"},
    }
    problems = lamina.check(spec, registry=registry).problems
    assert problems[0].path == "layers[0].type"
    message = problems[0].message
    assert "unknown layer 'astro.Magnitudes'" in message
    assert "plug-in 'astro' failed to load" in message
    assert "register_layer" in message and "register_layers" in message
    with pytest.raises(LaminaError, match="plug-in 'astro' failed to load"):
        registry.get("layer", "astro.Magnitudes")


def test_unknown_entry_without_failed_plugins_is_unchanged(tmp_path):
    registry = _registry_with(tmp_path, "fine", "X = 1\n")
    expected = "unknown layer 'Dens'; did you mean 'Dense'?"
    assert registry.unknown_message("layer", "Dens") == expected


def test_export_of_a_file_path_says_it_wants_a_model_or_a_run(tmp_path):
    spec_file = tmp_path / "spec.json"
    spec_file.write_text("{}")
    for bad in (spec_file, str(spec_file), tmp_path / "missing", 42):
        with pytest.raises(ExportError, match="a model, a run"):
            export_keras(bad, tmp_path / "m.keras")
        with pytest.raises(ExportError, match="a model, a run"):
            export_savedmodel(bad, tmp_path / "sm")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.json"]


def test_failed_keras_save_leaves_no_temp_file(tmp_path):
    class Broken:
        def save(self, path, **kwargs):
            Path(path).write_bytes(b"half")
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        export_keras(Broken(), tmp_path / "m.keras")
    assert list(tmp_path.iterdir()) == []
