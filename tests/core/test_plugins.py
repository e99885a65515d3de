"""Plug-in loading: broken plug-ins are reported, everything else loads."""

from __future__ import annotations

import importlib.metadata
import textwrap

import pytest

from lamina import plugins as lp
from lamina.paths import ENV_HOME
from lamina.registry import HOOK_KINDS
from lamina.testing import make_registry

HEAD = (
    "from lamina.hookspecs import hookimpl\nfrom lamina.keras import layers\n"
    "def head(units: int = 1):\n    return layers.Dense(units)\n"
    "@hookimpl\ndef register_heads(register):\n"
)

GOOD = """
from lamina.hookspecs import hookimpl
from lamina.keras import keras, layers

class Doubler(layers.Layer):
    '''Multiplies its input by a factor.

    Args:
        factor: The factor. Defaults to `2.0`.
    '''

    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}

@hookimpl
def register_layers(register):
    register(Doubler, category="test", example={"params": {"factor": 3.0}, "input_shape": [4]})
"""


def _write(folder, name, source):
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def _registry_from_folder(folder):
    """The catalogue of `builtin` plus the single-file plug-ins in `folder`."""
    pm, infos = lp.make_plugin_manager(
        candidates=lp.builtin_candidates(["builtin"])
        + lp.discover(entry_points=False, folders=[folder], builtins=False)
    )
    return lp.build_registry(pm, infos)


def test_folder_plugin_loads_with_schema_from_signature_and_docstring(tmp_path):
    _write(tmp_path, "doubler", GOOD)
    registry = _registry_from_folder(tmp_path)
    entry = registry.get("layer", "Doubler")
    assert entry.plugin == "doubler"
    assert entry.summary == "Multiplies its input by a factor."
    (param,) = entry.params
    assert (param.name, param.type, param.default) == ("factor", "float", 2.0)
    assert param.help == "The factor. Defaults to `2.0`."
    assert registry.find("layer", "Dense") is not None


BROKEN = {
    "import_error": ("import not_a_module_anywhere\n", "failed to import: ModuleNotFoundError"),
    "misspelt_hook": (
        "from lamina.hookspecs import hookimpl\n"
        "@hookimpl\ndef register_layer(register):\n    pass\n",
        "unknown hook 'register_layer'; did you mean 'register_layers'?",
    ),
    "wrong_argument": (
        "from lamina.hookspecs import hookimpl\n"
        "@hookimpl\ndef register_layers(reg, extra):\n    pass\n",
        "invalid hook implementation",
    ),
    "raises": (
        "from lamina.hookspecs import hookimpl\n@hookimpl\ndef register_losses(register):\n"
        "    raise RuntimeError('boom')\n",
        "register_losses raised RuntimeError: boom (at raises.py:4)",  # the raise's line
    ),
    "duplicate": (
        "from lamina.hookspecs import hookimpl\nfrom lamina.keras import layers\n@hookimpl\n"
        "def register_layers(register):\n    register(layers.Dense)\n",
        "duplicate name 'Dense': already registered by plug-in 'builtin'",
    ),
    "no_get_config": (
        "from lamina.hookspecs import hookimpl\nfrom lamina.keras import layers\n"
        "class NoConfig(layers.Layer):\n    def __init__(self, width, **kw):\n"
        "        super().__init__(**kw)\n        self.width = width\n"
        "@hookimpl\ndef register_layers(register):\n    register(NoConfig)\n",
        "NoConfig takes ['width'] in __init__ but has no get_config()",
    ),
    "not_a_layer": (
        "from lamina.hookspecs import hookimpl\n@hookimpl\ndef register_layers(register):\n"
        "    register(object)\n",
        "a layer must be a subclass of lamina.keras.layers.Layer",
    ),
    "field_not_callable": (
        HEAD + "    register(head, name='H', check_targets=3)\n",
        "head 'H' refused: check_targets must be a function (spec, y) -> None. "
        "Received: check_targets=3",
    ),
    "field_wrong_arguments": (
        HEAD + "    register(head, name='H', predict_distribution=lambda model: model)\n",
        "head 'H' refused: predict_distribution must be a function (model, x, **options) -> Any;"
        " <lambda>(model) cannot be called with 2 positional arguments",
    ),
    "field_wrong_type": (
        HEAD + "    register(head, name='H', loss=['mse'])\n",
        "head 'H' refused: loss must be a non-empty string. Received: loss=['mse']",
    ),
    "field_bad_choice": (
        HEAD + "    register(head, name='H', inputs='x_adjacency')\n",
        "head 'H' refused: inputs must be one of 'x', 'x_a', 'x_a_e'. "
        "Received: inputs='x_adjacency'",
    ),
    "field_wrong_kind": (
        "from lamina.hookspecs import hookimpl\nfrom lamina.keras import layers\n"
        "class Id(layers.Layer):\n    pass\n"
        "@hookimpl\ndef register_layers(register):\n    register(Id, loss='mse')\n",
        "layer 'Id' refused: loss does not apply to a layer; it is read for head entries",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_plugin_is_reported_and_everything_else_loads(tmp_path, name):
    source, reason = BROKEN[name]
    _write(tmp_path, name, source)
    _write(tmp_path, "doubler", GOOD)
    registry = _registry_from_folder(tmp_path)
    problems = " | ".join(registry.plugins[name].problems)
    assert reason in problems
    assert registry.find("layer", "Doubler") is not None
    assert registry.find("layer", "Conv2D") is not None
    assert registry.plugins["builtin"].ok


def test_lamina_plugins_cli_reports_the_broken_plugin(tmp_path, monkeypatch, capsys):
    from lamina.cli import main

    _write(tmp_path, "import_error", BROKEN["import_error"][0])
    monkeypatch.setenv(lp.ENV_PATH, str(tmp_path))
    old = lp.set_registry(None)
    try:
        assert main(["plugins"]) == 0
    finally:
        lp.set_registry(old)
    out = capsys.readouterr().out
    assert "import_error" in out and "FAILED" in out and "ModuleNotFoundError" in out
    assert "builtin" in out


def test_env_variable_restricts_which_plugins_load(tmp_path, monkeypatch):
    _write(tmp_path, "doubler", GOOD)
    monkeypatch.setenv(lp.ENV_PATH, str(tmp_path))
    monkeypatch.setenv(lp.ENV_ONLY, "builtin")
    registry = lp.build_registry()
    assert registry.find("layer", "Doubler") is None
    assert set(registry.plugins) == {"builtin"}
    monkeypatch.delenv(lp.ENV_ONLY)
    monkeypatch.setenv(lp.ENV_DISABLE, "doubler")
    assert lp.build_registry().find("layer", "Doubler") is None
    monkeypatch.delenv(lp.ENV_DISABLE)
    assert lp.build_registry().find("layer", "Doubler") is not None


def test_builtin_catalogue_cannot_be_disabled(monkeypatch):
    """`builtin` loads whatever the variables say; probability and graph may be left out."""
    monkeypatch.setenv(lp.ENV_DISABLE, "builtin,probability,graph")
    registry = lp.build_registry()
    assert registry.find("layer", "Dense") is not None and registry.plugins["builtin"].ok
    assert registry.find("loss", "mean_squared_error") is not None
    assert "probability" not in registry.plugins and registry.find("head", "Normal") is None
    assert "graph" not in registry.plugins and registry.find("layer", "GCNConv") is None
    monkeypatch.delenv(lp.ENV_DISABLE)
    monkeypatch.setenv(lp.ENV_ONLY, "no_such_plugin")
    assert set(lp.build_registry().plugins) == {"builtin"}


def _entry_points(*pairs):
    return importlib.metadata.EntryPoints(
        importlib.metadata.EntryPoint(name, value, lp.ENTRY_POINT_GROUP) for name, value in pairs
    )


def test_entry_points_of_lamina_own_plugins_are_ignored(monkeypatch):
    """Metadata of an older install (builtin, probability, graph as entry points) is harmless."""
    old = _entry_points(
        ("builtin", "lamina_builtin.plugin"),
        ("graph", "lamina_graph.plugin"),
        ("probability", "lamina_probability.plugin"),
        ("astro", "astro_plugin"),
    )
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: old)
    found = lp.discover(folders=[])
    assert [c.name for c in found] == ["builtin", "probability", "graph", "astro"]
    assert [c.source for c in found[:3]] == [
        f"built in ({module})" for module in lp.BUILTIN_PLUGINS.values()
    ]
    assert found[3].source == "entry point astro_plugin"


def test_installed_metadata_lists_each_plugin_once():
    """Whether this venv's lamina metadata is old (with entry points) or new (without)."""
    names = [c.name for c in lp.discover(folders=[])]
    assert names[:3] == ["builtin", "probability", "graph"]
    assert len(names) == len(set(names))


def test_uninstalled_checkout_has_the_whole_catalogue(monkeypatch):
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: _entry_points())
    registry = lp.build_registry()
    assert set(registry.plugins) == {"builtin", "probability", "graph"}
    assert all(info.ok for info in registry.plugins.values())
    for kind, name in [("layer", "Dense"), ("head", "Normal"), ("layer", "GCNConv")]:
        assert registry.find(kind, name) is not None, name


def test_typed_fields_reach_the_entry_and_the_catalogue(lamina_temp_plugin):
    plugin = lamina_temp_plugin(
        "typed",
        HEAD + "    register(head, name='H', loss='mean_squared_error', targets='real',\n"
        "             check_targets=lambda spec, y: None,\n"
        "             predict_distribution=lambda model, x, **options: x,\n"
        "             meta={'note': 'mine', 'code': print})\n",
    )
    entry = make_registry(plugin, builtin=False).get("head", "H")
    assert (entry.loss, entry.targets, entry.inputs, entry.stochastic) == (
        "mean_squared_error",
        "real",
        "x",
        False,
    )
    assert entry.check_targets("spec", "y") is None and entry.predict_distribution(0, 5) == 5
    assert entry.before_fit is None
    meta = {"loss": "mean_squared_error", "targets": "real", "note": "mine"}
    assert entry.to_dict()["meta"] == meta  # plain values only, never code


def test_fields_given_in_meta_the_old_way_still_work(lamina_temp_plugin):
    plugin = lamina_temp_plugin(
        "oldstyle",
        HEAD + "    register(head, name='H', meta={'loss': 'mse', 'note': 'kept'})\n",
    )
    message = r"plug-in 'oldstyle', head 'H': meta\['loss'\] is deprecated; pass loss=\.\.\."
    with pytest.warns(DeprecationWarning, match=message):
        registry = make_registry(plugin, builtin=False)
    entry = registry.get("head", "H")
    assert entry.loss == "mse" and dict(entry.meta) == {"note": "kept"}


def test_visualization_that_returns_a_number_is_rejected(lamina_temp_plugin):
    from lamina.keras import keras, layers
    from lamina.testing import check_entry

    plugin = lamina_temp_plugin(
        "numberviz",
        """
        from lamina.hookspecs import hookimpl

        def weight_count(model):
            '''Counts the weights.'''
            return float(model.count_params())

        @hookimpl
        def register_visualizations(register):
            register(weight_count)
        """,
    )
    registry = make_registry(plugin, builtin=False)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    entry = registry.get("visualization", "weight_count")
    message = r"visualization 'weight_count' returned float \(3\.0\); a visualization must return"
    with pytest.raises(AssertionError, match=message):
        check_entry(entry, registry, model=model)


def test_user_plugin_folder_under_lamina_home(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_HOME, str(tmp_path))
    (tmp_path / "plugins").mkdir()
    _write(tmp_path / "plugins", "doubler", GOOD)
    assert lp.user_plugin_dirs()[0] == tmp_path / "plugins"
    assert lp.build_registry().find("layer", "Doubler") is not None


def test_every_hook_kind_can_register(lamina_temp_plugin):
    """Each hook registers through a stranger's plug-in (one test per hook, datasette-style)."""
    plugin = lamina_temp_plugin(
        "allhooks",
        """
        import numpy as np
        from lamina.hookspecs import hookimpl
        from lamina.keras import keras, layers, tf
        from lamina.data.dataset import Dataset
        from lamina.visualize import Result

        def quartic(y_true, y_pred):
            '''Mean quartic error.'''
            return tf.reduce_mean((y_true - y_pred) ** 4, axis=-1)

        def cube(x):
            '''x cubed.'''
            return x ** 3

        def my_sgd(learning_rate: float = 0.1):
            '''Plain SGD.

            Args:
                learning_rate: Step size. Defaults to `0.1`.
            '''
            return keras.optimizers.SGD(learning_rate)

        def linear_head(units: int = 1):
            '''A linear output.

            Args:
                units: Outputs. Defaults to `1`.
            '''
            return layers.Dense(units)

        def tiny_mlp(width: int = 3):
            '''A tiny MLP.

            Args:
                width: Hidden width. Defaults to `3`.
            '''
            return {"input": {"shape": [1]}, "layers": [
                {"type": "Dense", "params": {"units": width, "activation": "cube"}},
                {"type": "linear_head"}], "compile": {"loss": "quartic", "optimizer": "my_sgd"}}

        def ramp(n: int = 10):
            '''A ramp.

            Args:
                n: Samples. Defaults to `10`.
            '''
            x = np.linspace(0, 1, n, dtype="float32")[:, None]
            return Dataset(x=x, y=2 * x[:, 0], name="ramp", task="regression")

        def weights_norm(model, layer: int = 1):
            '''Norm of a layer's weights.

            Args:
                layer: Layer index. Defaults to `1`.
            '''
            norm = float(np.linalg.norm(model.layers[layer].get_weights()[0]))
            return Result("weights_norm", np.zeros((0,)), [], {"norm": norm})

        class Ident(layers.Layer):
            def call(self, x):
                return x

        @hookimpl
        def register_layers(register):
            register(Ident, example={"input_shape": [3]})

        @hookimpl
        def register_activations(register):
            register(cube)

        @hookimpl
        def register_losses(register):
            register(quartic)

        @hookimpl
        def register_optimizers(register):
            register(my_sgd)

        @hookimpl
        def register_heads(register):
            register(linear_head)

        @hookimpl
        def register_architectures(register):
            register(tiny_mlp)

        @hookimpl
        def register_datasets(register):
            register(ramp, example={"params": {"n": 5}})

        @hookimpl
        def register_visualizations(register):
            register(weights_norm)
        """,
    )
    import lamina
    from lamina.testing import check_entry, check_visualization

    registry = make_registry(plugin)
    ours = [e for e in registry.entries() if e.plugin == "allhooks"]
    assert sorted(e.kind for e in ours) == sorted(HOOK_KINDS.values())
    for entry in ours:
        if entry.kind != "visualization":
            check_entry(entry, registry)
    lp.set_registry(registry)
    try:
        spec = lamina.architecture("tiny_mlp", width=4)
        model = lamina.build_model(spec)
        data = registry.get("dataset", "ramp").obj(n=8)
        model.fit(data.x, data.y, epochs=1, verbose=0)
        result = check_visualization(registry.get("visualization", "weights_norm"), model, layer=1)
        assert result.meta["norm"] > 0
    finally:
        lp.set_registry(None)


def test_unknown_name_text_suggests_close_names_and_names_failed_plugins():
    from lamina.registry import PluginInfo, unknown_text

    pool = ["Dense", "Dropout", "Conv2D", "astro.Asinh"]
    ok = PluginInfo("builtin", "lamina_builtin")
    broken = PluginInfo("astro", "astro.py", loaded=False, problems=["SyntaxError: bad"])
    other = PluginInfo("extra", "extra.py", problems=["layer 'Dense' refused: taken"])
    text = unknown_text("layer", "Dens", pool, [ok])
    assert text == "unknown layer 'Dens'; did you mean 'Dense'?"
    assert unknown_text("layer", "dense", pool, [ok]).startswith(
        "unknown layer 'dense'; did you mean 'Dense'"
    )
    assert unknown_text("layer", "Zzz", pool, [ok]) == (
        "unknown layer 'Zzz'; see `lamina catalog --kind layer`"
    )
    # a failed plug-in whose name matches the entry's prefix is the one named
    text = unknown_text("layer", "astro.Sinh", pool, [ok, broken, other])
    assert text == (
        "unknown layer 'astro.Sinh'; did you mean 'astro.Asinh'? Note: plug-in 'astro' failed "
        "to load: SyntaxError: bad (see `lamina plugins`)"
    )
    text = unknown_text("layer", "Zzz", pool, [ok, other])
    assert text.endswith(
        ". Note: plug-in 'extra' had problems: layer 'Dense' refused: taken (see `lamina plugins`)"
    )
    # at most three failed plug-ins are named
    many = [PluginInfo(f"p{i}", f"p{i}.py", loaded=False, problems=["boom"]) for i in range(5)]
    text = unknown_text("layer", "Zzz", pool, many)
    assert [f"'p{i}'" in text for i in range(5)] == [True, True, True, False, False]


def test_registry_unknown_message_looks_among_the_asked_kinds():
    from lamina.plugins import get_registry

    registry = get_registry()
    assert "did you mean 'Dense'" in registry.unknown_message("layer", "Dens")
    assert "did you mean 'Dense'" not in registry.unknown_message("loss", "Dens")
    both = registry.unknown_message("entry", "Dens", kinds=("loss", "layer"))
    assert both.startswith("unknown entry 'Dens'; did you mean ") and "'Dense'" in both


def test_derived_params_of_odd_signatures_and_entry_docs():
    from lamina.params import derive_params
    from lamina.registry import Registry

    def f(a, *args, b=1, mystery=None, **kwargs):
        """Does f."""

    params = {p.name: p for p in derive_params(f)}
    assert list(params) == ["a", "b", "mystery"]  # keyword-only ones after *args kept
    assert (params["a"].type, params["a"].nullable) == ("any", True)  # nothing to go by
    assert params["b"].type == "int"

    from lamina.keras import keras

    class Squash(keras.losses.Loss):
        """A loss class; `reduction` and `name` are Keras's, not the user's."""

        def __init__(self, scale=1.0, reduction="auto", name="squash"):
            super().__init__(reduction=reduction, name=name)
            self.scale = scale

        def call(self, y_true, y_pred):
            return self.scale * (y_true - y_pred) ** 2

        def get_config(self):
            return {**super().get_config(), "scale": self.scale}

    class Stars:
        """A data set class whose `name` is a user parameter."""

        def __init__(self, n=10, name="s"):
            pass

    registry = Registry()
    loss = registry.make_register("loss", "test")(Squash, name="Squash")
    other = registry.make_register("dataset", "test")(Stars, name="Stars")
    assert [p.name for p in loss.params] == ["scale"]
    assert [p.name for p in other.params] == ["n", "name"]
    assert loss.doc == "A loss class; `reduction` and `name` are Keras's, not the user's."
    given = registry.make_register("dataset", "test")(Stars, name="Other", doc="Given.")
    assert given.doc == "Given."

    class Wrapped:  # a callable whose signature Python cannot read (TypeError, not ValueError)
        __signature__ = "made by a wrapper library"

        def __call__(self, y_true, y_pred):
            return y_pred

    odd = registry.make_register("loss", "test")(Wrapped(), name="wrapped_loss")
    assert odd is not None and odd.params == ()  # registered, with no parameters to show
    assert "test" not in registry.plugins  # no problem recorded


def test_a_second_plugin_of_the_same_name_is_ignored_and_the_rest_still_load():
    candidates = [
        lp.PluginCandidate("first", "first.py", "", lambda: _hook_plugin("Once")),
        lp.PluginCandidate("first", "again.py", "", lambda: _hook_plugin("Twice")),
        lp.PluginCandidate("second", "second.py", "", lambda: _hook_plugin("Later")),
    ]
    from lamina.keras import keras

    objects = keras.utils.get_custom_objects()
    saved = dict(objects)
    try:  # build_registry makes the plug-ins' layers known to Keras: undone after
        pm, infos = lp.make_plugin_manager(candidates=candidates)
        registry = lp.build_registry(pm, infos)
    finally:
        objects.clear()
        objects.update(saved)
    assert "a second plug-in named 'first' was ignored (again.py)" in infos["first"].problems
    assert infos["second"].loaded and registry.find("layer", "Later") is not None
    assert registry.find("layer", "Once") is not None and registry.find("layer", "Twice") is None


def _hook_plugin(layer_name: str):
    import types

    from lamina.hookspecs import hookimpl
    from lamina.keras import keras

    class SecondNameProbe(keras.layers.Layer):
        pass

    module = types.SimpleNamespace()

    @hookimpl
    def register_layers(register):
        register(SecondNameProbe, name=layer_name)

    module.register_layers = register_layers
    return module
