"""Testing helpers for lamina and for plug-in authors (also a pytest plug-in).

Installed with lamina, this module is registered as a pytest plug-in, so in any test
suite you get the fixtures ``lamina_registry_factory`` and ``lamina_temp_plugin``,
and can call the checks directly::

    from lamina.testing import check_layer, check_entry

    def test_my_layer():
        check_layer(MyLayer, {"units": 4}, input_shape=(8,))

    def test_every_entry_of_my_plugin(lamina_registry_factory):
        registry = lamina_registry_factory(my_plugin_module)
        for entry in registry.entries():
            if entry.plugin == "my_plugin":
                check_entry(entry, registry)

    def test_my_loss_reloads_from_a_keras_file():
        check_loss_roundtrip("my_plugin.my_loss", {"scale": 2.0})
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lamina.params import default_disagreements
from lamina.plugins import (
    PluginCandidate,
    build_registry,
    builtin_candidates,
    discover,
    make_plugin_manager,
    set_registry,
)
from lamina.registry import Entry, Registry
from lamina.reload_check import (
    LossReload,
    check_loss_roundtrip,
    check_losses_roundtrip,
    non_default_params,
    reload_losses,
)

__all__ = [
    "LossReload",
    "check_entry",
    "check_layer",
    "check_loss_roundtrip",
    "check_losses_roundtrip",
    "check_visualization",
    "make_registry",
    "non_default_params",
    "random_input",
    "reload_losses",
]


def random_input(
    shape: Sequence[int | None],
    dtype: str = "float32",
    batch: int = 3,
    seed: int = 0,
    high: int = 5,
) -> np.ndarray:
    """Returns a random batch for an input of `shape` (None sizes become 4)."""
    rng = np.random.default_rng(seed)
    full = (batch, *[4 if d is None else int(d) for d in shape])
    if dtype.startswith("int"):
        return rng.integers(0, high, size=full).astype(dtype)
    return rng.normal(size=full).astype(dtype)


def make_registry(*plugins: Any, builtin: bool = True, installed: bool = False) -> Registry:
    """Builds an isolated registry from plug-in modules (or objects).

    Args:
        *plugins: Modules or objects with ``@hookimpl`` functions, or ``(name, module)``
            pairs.
        builtin: Include lamina's own catalogue (the ``builtin`` plug-in).
        installed: Include every installed plug-in (entry points and user folders).
    """
    candidates: list[PluginCandidate] = []
    if installed:
        candidates = discover()
    elif builtin:
        candidates = builtin_candidates(["builtin"])
    extra = []
    for plugin in plugins:
        if isinstance(plugin, tuple):
            extra.append(plugin)
        else:
            extra.append((getattr(plugin, "__name__", "plugin").rsplit(".", 1)[-1], plugin))
    pm, infos = make_plugin_manager(candidates=candidates, extra=extra)
    return build_registry(pm, infos)


def _model_for(
    entry: Entry,
    params: Mapping[str, Any],
    input_shape: Sequence[int | None],
    dtype: str,
    registry: Registry,
) -> Any:
    from lamina.build import build_model

    spec = {
        "name": f"check_{entry.name}",
        "input": {"shape": list(input_shape), "dtype": dtype},
        "layers": [{"type": entry.name, "params": dict(params)}],
    }
    return build_model(spec, registry=registry, compile=False)


def check_layer(
    cls: type[Any],
    init_kwargs: Mapping[str, Any] | None = None,
    input_shape: Sequence[int | None] = (8,),
    input_dtype: str = "float32",
    expected_output_shape: Sequence[int | None] | None = None,
    tmp_dir: str | Path | None = None,
    stochastic: bool = False,
    inputs_mode: str = "x",
) -> np.ndarray:
    """Checks a layer class the way Keras's ``run_layer_test`` does.

    Builds ``Input(input_shape) -> cls(**init_kwargs)``, runs a random batch through
    it, checks the output shape, that ``from_config(get_config())`` gives the same
    config and outputs, and that the model saves to ``.keras`` and reloads with the
    same outputs.

    Args:
        cls: The layer class.
        init_kwargs: Constructor arguments.
        input_shape: Input shape without the batch axis.
        input_dtype: Input dtype (``"int32"`` for embeddings).
        expected_output_shape: Expected output shape without the batch axis, if known.
        tmp_dir: Where to write the saved model; a temporary folder by default.
        stochastic: The layer samples on every call (e.g. a Bayesian layer): the random
            seed is reset before each forward pass so outputs can be compared.
        inputs_mode: ``"x"`` for one input; ``"x_a"`` for a graph layer called with node
            features and a random symmetric 0/1 adjacency; ``"x_a_e"`` adds edge features.

    Returns:
        The layer's output on the random batch.

    Raises:
        AssertionError: If any check fails.
    """
    from lamina.keras import keras, tf

    def run(m: Any) -> np.ndarray:
        if stochastic:
            tf.random.set_seed(0)
        return np.asarray(m.predict(x, verbose=0))

    kwargs = dict(init_kwargs or {})
    x: Any = random_input(input_shape, input_dtype)
    inputs: Any = keras.Input(shape=tuple(input_shape), dtype=input_dtype)
    if inputs_mode != "x":
        x, inputs = _graph_inputs(x, inputs, inputs_mode)
    layer = cls(**kwargs)
    model = keras.Model(inputs, layer(inputs))
    out = run(model)
    batch = (x[0] if isinstance(x, list) else x).shape[0]
    assert out.shape[0] == batch, f"{cls.__name__}: batch axis changed to {out.shape}"
    if expected_output_shape is not None:
        assert list(out.shape[1:]) == list(expected_output_shape), (
            f"{cls.__name__}: output shape {out.shape[1:]}, expected {tuple(expected_output_shape)}"
        )
    symbolic = [d for d in model.output_shape[1:]]
    assert all(s is None or s == o for s, o in zip(symbolic, out.shape[1:], strict=True)), (
        f"{cls.__name__}: symbolic shape {symbolic} differs from actual {out.shape[1:]}"
    )
    config = layer.get_config()
    clone = cls.from_config(config)
    clone_config = clone.get_config()
    differing = [k for k in clone_config if k in config and clone_config[k] != config[k]]
    assert not differing, f"{cls.__name__}: get_config does not round-trip for {differing}"
    clone_model = keras.Model(inputs, clone(inputs))
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(
        run(clone_model),
        out,
        rtol=1e-5,
        atol=1e-5,
        err_msg=f"{cls.__name__}: a layer rebuilt from get_config() gives other outputs",
    )
    folder = Path(tmp_dir) if tmp_dir else Path(tempfile.mkdtemp(prefix="lamina_check_"))
    path = folder / f"{cls.__name__}.keras"
    model.save(path)
    reloaded = keras.models.load_model(path, compile=False)
    again = run(reloaded)
    np.testing.assert_allclose(
        again,
        out,
        rtol=1e-5,
        atol=1e-5,
        err_msg=f"{cls.__name__}: outputs differ after save/reload",
    )
    return out


def _graph_inputs(x: np.ndarray, x_input: Any, mode: str) -> tuple[list[Any], list[Any]]:
    """Adds a random symmetric adjacency (and edge features) to a node-feature batch."""
    from lamina.keras import keras

    rng = np.random.default_rng(1)
    batch, n = x.shape[0], x.shape[1]
    upper = np.triu(rng.random((batch, n, n)) < 0.5, 1)
    a = (upper | upper.transpose(0, 2, 1)).astype("float32")
    arrays, inputs = [x, a], [x_input, keras.Input(shape=(n, n))]
    if mode.endswith("_e"):
        arrays.append((rng.normal(size=(batch, n, n, 1)) * a[..., None]).astype("float32"))
        inputs.append(keras.Input(shape=(n, n, 1)))
    return arrays, inputs


def check_entry(
    entry: Entry, registry: Registry, tmp_dir: str | Path | None = None, model: Any = None
) -> None:
    """Checks one catalogue entry with its registered ``example``.

    Layers are checked with `check_layer` (after building through a spec, so the
    parameter schema is exercised too); activations, losses, optimizers, heads,
    architectures and datasets get a check fitting their kind. Visualizations need a
    model to look at: they are checked with `check_visualization` when `model` is
    given, and skipped otherwise.

    Args:
        entry: The entry.
        registry: The catalogue it belongs to.
        tmp_dir: Where `check_layer` saves models; a temporary folder by default.
        model: A model for a visualization to run on.

    Every kind is first checked for help that states another default than the schema
    has (``Defaults to `8`.`` over a default of 7): the app shows both side by side.

    Raises:
        AssertionError: If the entry does not work with its example, or its help and
            schema disagree on a default.
    """
    wrong = default_disagreements(entry.params)
    where = f"{entry.kind} {entry.name!r} of plug-in {entry.plugin!r}"
    assert not wrong, f"{where}: " + "; ".join(wrong)
    example = dict(entry.example)
    params = example.get("params", {})
    if entry.kind == "layer":
        shape = example.get("input_shape", [8])
        dtype = example.get("input_dtype", "float32")
        model = _model_for(entry, params, shape, dtype, registry)
        layer = model.layers[-1]
        from lamina.build import convert_params

        check_layer(
            type(layer),
            {**convert_params(entry, params, registry)},
            shape,
            dtype,
            expected_output_shape=model.output_shape[1:],
            tmp_dir=tmp_dir,
            stochastic=entry.stochastic,
            inputs_mode=entry.inputs,
        )
    elif entry.kind == "activation":
        from lamina.keras import tf

        x = tf.constant(np.linspace(-3, 3, 12, dtype="float32").reshape(3, 4))
        y = np.asarray(entry.obj(x))
        assert y.shape == (3, 4) and np.all(np.isfinite(y)), f"{entry.name}: bad output {y!r}"
    elif entry.kind == "loss":
        _check_loss(entry, params, registry)
    elif entry.kind == "optimizer":
        _check_optimizer(entry, params, registry)
    elif entry.kind == "architecture":
        from lamina.build import check

        spec = entry.obj(**params)
        report = check(spec, registry=registry)
        assert report.ok, f"architecture {entry.name}: {report.problems}"
    elif entry.kind == "dataset":
        from lamina.data.dataset import Dataset

        data = entry.obj(**params)
        assert isinstance(data, Dataset), f"dataset {entry.name} returned {type(data).__name__}"
        assert len(data.x) > 0, f"dataset {entry.name} is empty"
        data.validate()
    elif entry.kind == "head":
        shape = example.get("input_shape", [4])
        head_model = _model_for(entry, params, shape, "float32", registry)
        out = head_model(random_input(shape))
        assert out is not None, f"head {entry.name} returned nothing"
    elif entry.kind == "visualization" and model is not None:
        check_visualization(entry, model, **params)


def check_visualization(entry: Entry, model: Any, **params: Any) -> Any:
    """Runs a visualization entry on `model` and checks that it returns a `Result`.

    Args:
        entry: A ``visualization`` entry.
        model: The model to look at.
        **params: The visualization's parameters.

    Returns:
        The `lamina.visualize.Result`.

    Raises:
        AssertionError: If it returns anything else.
    """
    from lamina.visualize.result import Result

    result = entry.obj(model, **params)
    assert isinstance(result, Result), (
        f"visualization {entry.name!r} returned {type(result).__name__} "
        f"({result!r}); a visualization must return a lamina.visualize.Result "
        "(arrays plus metadata)"
    )
    return result


def _check_loss(entry: Entry, params: Mapping[str, Any], registry: Registry) -> None:
    from lamina.build import make_loss
    from lamina.spec import parse_spec

    spec = parse_spec(
        {
            "input": [4],
            "layers": ["Flatten"],
            "compile": {"loss": {"type": entry.name, "params": dict(params)}},
        }
    )
    loss = make_loss(spec, registry)
    kind = entry.targets or "probabilities"
    rng = np.random.default_rng(0)
    if entry.name.startswith("sparse"):
        y_true = rng.integers(0, 4, size=(5,)).astype("float32")
    else:
        y_true = rng.uniform(0.0, 1.0, size=(5, 4)).astype("float32")
    y_pred = rng.uniform(0.05, 0.95, size=(5, 4)).astype("float32")
    if kind == "probabilities":
        y_pred = y_pred / y_pred.sum(axis=1, keepdims=True)
    if kind == "distribution":
        import tensorflow_probability as tfp

        y_pred = tfp.distributions.Normal(loc=y_pred, scale=1.0)
    value = np.asarray(loss(y_true, y_pred))
    assert np.all(np.isfinite(value)), f"loss {entry.name} gave {value!r}"


def _check_optimizer(entry: Entry, params: Mapping[str, Any], registry: Registry) -> None:
    from lamina.build import convert_params
    from lamina.keras import tf

    optimizer = entry.obj(**convert_params(entry, params, registry))
    var = tf.Variable([1.0, -2.0])
    before = var.numpy().copy()
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(var**2)
    optimizer.apply_gradients(zip(tape.gradient(loss, [var]), [var], strict=True))
    assert np.all(np.abs(var.numpy()) < np.abs(before)), (
        f"optimizer {entry.name}: one step on sum(w^2) did not move towards 0 "
        f"({before} -> {var.numpy()})"
    )


# -- pytest fixtures ------------------------------------------------------------------


@pytest.fixture
def lamina_registry_factory() -> Iterator[Callable[..., Registry]]:
    """A factory ``(*plugins, builtin=True) -> Registry`` for tests.

    It installs the registry as the process-wide one for the test and restores the
    previous one afterwards.
    """
    old = set_registry(None)
    made: list[Registry] = []

    def factory(*plugins: Any, builtin: bool = True, installed: bool = False) -> Registry:
        registry = make_registry(*plugins, builtin=builtin, installed=installed)
        set_registry(registry)
        made.append(registry)
        return registry

    yield factory
    set_registry(old)


@pytest.fixture
def lamina_temp_plugin(tmp_path: Path) -> Iterator[Callable[[str, str], Any]]:
    """A factory ``(name, source) -> module`` that writes a plug-in module and imports it.

    The source is dedented; it may use ``from lamina.hookspecs import hookimpl``.
    """
    created: list[str] = []

    def factory(name: str, source: str) -> Any:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        module_name = f"lamina_temp_plugin_{name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        created.append(module_name)
        spec.loader.exec_module(module)
        module.__name__ = name
        return module

    yield factory
    for module_name in created:
        sys.modules.pop(module_name, None)
