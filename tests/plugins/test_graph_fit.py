"""Graph models learn: a GCN classifies graph structures, a GCN labels block-model nodes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
if str(PLUGINS) not in sys.path:  # until the entry point is installed
    sys.path.insert(0, str(PLUGINS))

import lamina_graph.plugin as graph_plugin  # noqa: E402
from lamina_graph.datasets import block_model, graph_inputs, graph_structures  # noqa: E402


def _compile(lr: float) -> dict:
    return {
        "loss": "sparse_categorical_crossentropy",
        "optimizer": {"type": "Adam", "params": {"learning_rate": lr}},
        "metrics": ["accuracy"],
    }


def test_gcn_classifies_graph_structures(lamina_registry_factory):
    from lamina.build import build_model
    from lamina.keras import keras

    lamina_registry_factory(("graph", graph_plugin))
    keras.utils.set_random_seed(0)  # Python, NumPy and TensorFlow: fit's shuffling too
    data = graph_structures(n_per_class=100, seed=0)
    assert data.class_names[:3] == ["star", "cycle", "complete"]
    assert list(data.y[:3]) == [0, 1, 2]  # the course's three examples come first
    n, f = data.input_shape
    spec = {
        "name": "gcn-structures",
        "input": [n, f],
        "layers": [
            {"type": "GCNConv", "params": {"channels": 32, "activation": "relu"}},
            {"type": "GCNConv", "params": {"channels": 32, "activation": "relu"}},
            {"type": "GlobalSumPool"},
            {"type": "Dense", "params": {"units": 32, "activation": "relu"}},
            {"type": "Dense", "params": {"units": 5, "activation": "softmax"}},
        ],
        "compile": _compile(0.005),
    }
    model = build_model(spec)
    assert [i.name for i in model.inputs] == ["input", "adjacency"]
    order = np.random.default_rng(1).permutation(len(data))
    train, test = data.subset(order[:400]), data.subset(order[400:])
    model.fit(graph_inputs(train), train.y, epochs=100, batch_size=16, verbose=0)
    _, accuracy = model.evaluate(graph_inputs(test), test.y, verbose=0)
    print(f"graph_structures test accuracy: {accuracy:.3f}")
    assert accuracy >= 0.95 - 1e-6  # 95 of 100 is 0.9499999881 in float32


def test_gcn_labels_block_model_nodes(lamina_registry_factory):
    from lamina.build import build_model
    from lamina.keras import keras

    lamina_registry_factory(("graph", graph_plugin))
    keras.utils.set_random_seed(0)
    data = block_model(seed=0)
    assert data.y.shape == data.x.shape[:2]
    n, f = data.input_shape
    spec = {
        "name": "gcn-communities",
        "input": [n, f],
        "layers": [
            {"type": "GCNConv", "params": {"channels": 16, "activation": "relu"}},
            {"type": "GCNConv", "params": {"channels": 16, "activation": "relu"}},
            {"type": "Dense", "params": {"units": 3, "activation": "softmax"}},
        ],
        "compile": _compile(0.01),
    }
    model = build_model(spec)
    train, test = data.subset(range(16)), data.subset(range(16, 20))
    model.fit(graph_inputs(train), train.y, epochs=40, batch_size=4, verbose=0)
    _, accuracy = model.evaluate(graph_inputs(test), test.y, verbose=0)
    print(f"block_model test node accuracy: {accuracy:.3f}")
    assert accuracy >= 0.90
