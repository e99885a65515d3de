"""Tests of the example plug-in, written with lamina.testing as a plug-in author would."""

from lamina_example import plugin
from lamina_example.plugin import AsinhStretch

from lamina.testing import check_entry, check_layer


def test_asinh_stretch_layer():
    out = check_layer(
        AsinhStretch, {"softening": 0.5}, input_shape=(8, 8, 1), expected_output_shape=(8, 8, 1)
    )
    assert out.shape == (3, 8, 8, 1)


def test_every_entry_of_the_plugin(lamina_registry_factory, tmp_path):
    registry = lamina_registry_factory(("example", plugin))
    ours = [e for e in registry.entries() if e.plugin == "example"]
    assert {e.name for e in ours} == {"example.AsinhStretch", "example.log_cosh_relative"}
    for entry in ours:
        check_entry(entry, registry, tmp_dir=tmp_path)
