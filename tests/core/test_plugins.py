"""Plug-in loading: broken plug-ins are reported, everything else loads."""

from __future__ import annotations

import textwrap

import pytest

from lamina import plugins as lp
from lamina.registry import HOOK_KINDS
from lamina.testing import make_registry

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
    pm, infos = lp.make_plugin_manager(  # lamina's own first, as `discover()` orders them
        candidates=[c for c in lp.discover(folders=[]) if c.name == "builtin"]
        + [c for c in lp.discover(folders=[folder]) if c.name != "builtin"]
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
        "register_losses raised RuntimeError: boom",
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


def test_user_plugin_folder_under_lamina_home(tmp_path, monkeypatch):
    monkeypatch.setenv(lp.ENV_HOME, str(tmp_path))
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
            return float(np.linalg.norm(model.layers[layer].get_weights()[0]))

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
    from lamina.testing import check_entry

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
        assert registry.get("visualization", "weights_norm").obj(model, layer=1) > 0
    finally:
        lp.set_registry(None)
