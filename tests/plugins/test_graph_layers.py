"""Every graph entry of the registry: one training step in its own process, and located errors.

Each layer trains in a child process (``python this_file.py ENTRY``) so that a layer whose
gradient aborts TensorFlow (as spektral's ``GATConv`` is reported to) fails its test
instead of killing the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
if str(PLUGINS) not in sys.path:  # until the entry point is installed
    sys.path.insert(0, str(PLUGINS))

import lamina_graph.plugin as graph_plugin  # noqa: E402

GRAPH_ENTRIES = [cls.__name__ for cls, *_ in graph_plugin.graph_layer_table()] + [
    cls.__name__ for cls, *_ in graph_plugin.pooling_table()
]


def _child_main(name: str) -> None:
    from lamina.build import build_model
    from lamina.plugins import set_registry
    from lamina.testing import make_registry

    registry = make_registry(("graph", graph_plugin))
    set_registry(registry)

    entry = registry.get("layer", name)
    example = entry.example
    n, f = example["input_shape"]
    mode = entry.inputs
    item = {"type": name, "params": dict(example["params"]), "name": "under_test"}
    layers = [item]
    if entry.category == "graph" or name == "MinCutPool":
        layers.append({"type": "GlobalSumPool"})
    layers.append({"type": "Dense", "params": {"units": 2, "activation": "softmax"}})
    spec = {
        "input": [n, f],
        "layers": layers,
        "compile": {"loss": "sparse_categorical_crossentropy", "optimizer": "Adam"},
        "data": {"type": "graph_structures", "params": {"edge_features": 2}},
    }
    model = build_model(spec, registry=registry)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, n, f)).astype("float32")
    upper = np.triu(rng.random((4, n, n)) < 0.5, 1)
    a = (upper | upper.transpose(0, 2, 1)).astype("float32")
    inputs = [x, a] if "a" in mode else [x]
    if "e" in mode:
        inputs.append(rng.normal(size=(4, n, n, 2)).astype("float32") * a[..., None])
    inputs = inputs[: len(model.inputs)]  # global pooling alone: the model takes x only
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(inputs, rng.integers(0, 2, 4), epochs=1, batch_size=4, verbose=0)
    loss = history.history["loss"][0]
    assert np.isfinite(loss), f"{name}: loss {loss}"
    changed = any(not np.allclose(b, w) for b, w in zip(before, model.get_weights(), strict=True))
    assert changed, f"{name}: one training step changed no weight"
    out = model.predict(inputs, verbose=0)
    assert np.all(np.isfinite(out)), f"{name}: non-finite predictions"
    layer = model.get_layer("under_test")
    config = layer.get_config()
    clone = type(layer).from_config(config)
    differing = [k for k, v in clone.get_config().items() if k in config and config[k] != v]
    assert not differing, f"{name}: get_config does not round-trip for {differing}"
    print("OK", name, flush=True)


def test_registry_lists_every_graph_entry(lamina_registry_factory):
    registry = lamina_registry_factory(("graph", graph_plugin))
    assert not registry.plugins["graph"].problems
    names = {e.name for e in registry.entries("layer") if e.plugin == "graph"}
    assert names == set(GRAPH_ENTRIES)
    assert "GATConv" not in names  # spektral's GATConv is never registered (see attention.py)
    for entry in registry.entries("layer"):
        if entry.plugin != "graph":
            continue
        assert entry.category in ("graph", "graph pooling")
        assert entry.inputs in ("x", "x_a", "x_a_e")
        assert entry.example["input_shape"] and "params" in entry.example
    datasets = {e.name for e in registry.entries("dataset") if e.plugin == "graph"}
    assert {"graph_structures", "block_model", "graph_npz", "graph_file"} <= datasets
    visuals = {e.name for e in registry.entries("visualization") if e.plugin == "graph"}
    assert visuals == {"node_embeddings", "node_importance"}


@pytest.mark.parametrize("name", GRAPH_ENTRIES)
def test_entry_trains_one_step_in_a_child_process(name):
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, __file__, name],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    tail = (proc.stdout + proc.stderr)[-2000:]
    assert proc.returncode == 0, f"{name}: child exited with {proc.returncode}\n{tail}"
    assert f"OK {name}" in proc.stdout, tail


def _spec(layers, shape):
    return {
        "input": shape,
        "layers": layers,
        "compile": {"loss": "sparse_categorical_crossentropy"},
    }


def test_graph_layer_after_flatten_is_located(lamina_registry_factory):
    from lamina.build import check

    registry = lamina_registry_factory(("graph", graph_plugin))
    spec = _spec(
        [
            {"type": "Flatten"},
            {"type": "Dense", "params": {"units": 64}},
            {"type": "GCNConv", "params": {"channels": 4}},
        ],
        [6, 3],
    )
    report = check(spec, registry=registry)
    assert not report.ok
    problem = report.problems[0]
    assert problem.path == "layers[2]"
    assert "GCNConv needs node features of shape (nodes, features)" in problem.message
    assert "(batch, 64)" in problem.message


def test_graph_layer_on_image_input_is_located(lamina_registry_factory):
    from lamina.build import check

    registry = lamina_registry_factory(("graph", graph_plugin))
    spec = _spec([{"type": "GraphAttention", "params": {"channels": 4}}], [8, 8, 1])
    report = check(spec, registry=registry)
    assert [p.path for p in report.problems] == ["layers[0]"]
    assert "GraphAttention needs node features" in report.problems[0].message
    assert "(batch, 8, 8, 1)" in report.problems[0].message


def test_graph_conv_after_mincut_pool_is_located(lamina_registry_factory):
    from lamina.build import check

    registry = lamina_registry_factory(("graph", graph_plugin))
    spec = _spec(
        [
            {"type": "GCNConv", "params": {"channels": 4}},
            {"type": "MinCutPool", "params": {"k": 2}},
            {"type": "GCNConv", "params": {"channels": 4}},
        ],
        [6, 3],
    )
    report = check(spec, registry=registry)
    assert report.problems[0].path == "layers[2]"
    assert "2 nodes but an adjacency of 6 nodes" in report.problems[0].message


def test_constructor_arguments_are_checked():
    from lamina_graph.attention import GraphAttention
    from lamina_graph.layers import GraphSageConv

    with pytest.raises(ValueError, match="channels=0"):
        GraphAttention(0)
    with pytest.raises(ValueError, match="dropout_rate=1.5"):
        GraphAttention(4, dropout_rate=1.5)
    with pytest.raises(ValueError, match="channels=-1"):
        GraphSageConv(-1)


def test_graph_attention_matches_the_gat_formula():
    """The attention coefficients are a softmax over neighbours and self of LeakyReLU scores."""
    from lamina_graph.attention import GraphAttention

    from lamina.keras import tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 4, 3)).astype("float32")
    a = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]], "float32")[None]
    layer = GraphAttention(2, attn_heads=1, return_attention=True, use_bias=False)
    out, alpha = layer([tf.constant(x), tf.constant(a)])
    w = layer.kernel.numpy()
    s, t = layer.attn_kernel_self.numpy()[0], layer.attn_kernel_neighs.numpy()[0]
    h = x[0] @ w
    e = (h @ s)[:, None] + (h @ t)[None, :]
    e = np.where(e > 0, e, 0.2 * e)
    mask = (a[0] + np.eye(4)) > 0
    e = np.where(mask, e, -np.inf)
    expected = np.exp(e - e.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(alpha.numpy()[0, 0], expected, atol=1e-5)
    np.testing.assert_allclose(out.numpy()[0], expected @ h, atol=1e-5)
    assert alpha.numpy()[0, 0, 3, 3] == pytest.approx(1.0)  # isolated node attends to itself


if __name__ == "__main__":
    _child_main(sys.argv[1])
