"""``lamina plugins --entries NAME``: what one plug-in contributed and where the app shows it."""

from __future__ import annotations

import json

import pytest
from lamina_example import plugin as example_plugin

from lamina.cli import main
from lamina.entry_places import UnknownPluginError, app_places, plugin_entries

EXTRA = """
from lamina.hookspecs import hookimpl
from lamina.keras import layers, tf


def shifted_relu(x):
    '''ReLU shifted down by one.'''
    return tf.nn.relu(x) - 1.0


class TwoDense(layers.Layer):
    '''Two Dense layers in one item.'''

    def __init__(self, units: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.a, self.b = layers.Dense(units), layers.Dense(units)

    def call(self, x):
        return self.b(self.a(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@hookimpl
def register_activations(register):
    register(shifted_relu, name="extra.shifted_relu")


@hookimpl
def register_layers(register):
    register(TwoDense, name="extra.TwoDense", category="block")
"""


def test_every_kind_of_the_example_with_its_place_in_the_app(lamina_registry_factory):
    registry = lamina_registry_factory(("example", example_plugin))
    got = {e.name: (e.kind, e.places) for e in plugin_entries("example", registry)}
    assert got == {
        "example.AsinhStretch": (
            "layer",
            (
                "palette: Layers > preprocessing",
                "Compose view: the model stack (double-click or drag from the palette)",
            ),
        ),
        "example.PositiveHead": (
            "head",
            ("palette: Heads", "Compose view: the last item of the model stack"),
        ),
        "example.photometry_mlp": (
            "architecture",
            (
                "palette: Architectures & blocks",
                "Compose view: double-click fills the model stack with its spec",
            ),
        ),
        "example.log_cosh_relative": (
            "loss",
            ("palette: Losses", "Compose view: compile panel, Loss list"),
        ),
        "example.SignSGD": (
            "optimizer",
            ("palette: Optimizers", "Compose view: compile panel, Optimizer list"),
        ),
        "example.star_colours": (
            "dataset",
            ("palette: Datasets", "Data view: the dataset list"),
        ),
        **{
            name: (
                "visualization",
                ("palette: Visualizations", "Visualize view: the visualization list"),
            )
            for name in got
            if got[name][0] == "visualization"
        },
    }
    assert any(kind == "visualization" for kind, _ in got.values())
    # in palette order: layers first, visualizations last
    kinds = [e.kind for e in plugin_entries("example", registry)]
    assert kinds.index("layer") < kinds.index("head") < kinds.index("loss")
    assert kinds[-1] == "visualization"


def test_blocks_and_activations(lamina_registry_factory, lamina_temp_plugin):
    module = lamina_temp_plugin("extra", EXTRA)
    registry = lamina_registry_factory(("extra", module))
    got = {e.name: e.places[0] for e in plugin_entries("extra", registry)}
    assert got == {
        "extra.shifted_relu": "palette: Activations",
        "extra.TwoDense": "palette: Architectures & blocks",  # a layer of category "block"
    }
    assert app_places("activation", "")[1].startswith("Compose view: the `activation` drop-down")


def test_only_that_plugins_entries(lamina_registry_factory):
    registry = lamina_registry_factory(("example", example_plugin))
    names = {e.name for e in plugin_entries("builtin", registry)}
    assert "Conv2D" in names and not any(n.startswith("example.") for n in names)


def test_cli_table_and_json(lamina_registry_factory, capsys):
    lamina_registry_factory(("example", example_plugin))
    assert main(["plugins", "--entries", "example", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["name"] == "example" and out["loaded"] and out["problems"] == []
    rows = {e["name"]: e for e in out["entries"]}
    assert rows["example.SignSGD"]["kind"] == "optimizer"
    assert rows["example.SignSGD"]["summary"].startswith("Sign gradient descent")
    assert rows["example.SignSGD"]["places"][1] == "Compose view: compile panel, Optimizer list"

    assert main(["plugins", "--entries", "example"]) == 0
    text = capsys.readouterr().out
    assert "plug-in example:" in text and "example.star_colours" in text
    assert "Data view: the dataset list" in text


def test_unknown_plugin_is_a_located_error_with_the_names_there_are(
    lamina_registry_factory, capsys
):
    registry = lamina_registry_factory(("example", example_plugin))
    with pytest.raises(UnknownPluginError, match="did you mean 'example'"):
        plugin_entries("exampel", registry)
    assert main(["plugins", "--entries", "exampel"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --entries: no plug-in named 'exampel'")
    assert "plug-ins found: builtin, example" in err


def test_a_plugin_with_a_refused_entry_lists_the_rest_and_the_problem(
    lamina_registry_factory, lamina_temp_plugin, capsys
):
    module = lamina_temp_plugin(
        "half",
        """
        from lamina.hookspecs import hookimpl

        def good(y_true, y_pred):
            '''A good loss.'''
            return (y_true - y_pred) ** 2

        @hookimpl
        def register_losses(register):
            register(good, name="half.good")
            register(good, name="mse")  # taken by lamina's own
        """,
    )
    lamina_registry_factory(("half", module))
    assert main(["plugins", "--entries", "half"]) == 0
    out = capsys.readouterr().out
    assert "half.good" in out
    assert "problem:" in out and "mse" in out.split("problem:", 1)[1]
