"""Graph visualizations: node embeddings (PCA) and node importance (gradients)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
if str(PLUGINS) not in sys.path:  # until the entry point is installed
    sys.path.insert(0, str(PLUGINS))

import lamina_graph.plugin as graph_plugin  # noqa: E402
from lamina_graph.datasets import graph_inputs, graph_structures  # noqa: E402


def test_embeddings_and_importance(lamina_registry_factory, tmp_path):
    from lamina.build import build_model
    from lamina.visualize import visualize

    registry = lamina_registry_factory(("graph", graph_plugin))
    data = graph_structures(n_per_class=2, seed=0)
    n, f = data.input_shape
    model = build_model(
        {
            "input": [n, f],
            "layers": [
                {"type": "GCNConv", "params": {"channels": 8, "activation": "relu"}},
                {"type": "GlobalSumPool"},
                {"type": "Dense", "params": {"units": 5, "activation": "softmax"}},
            ],
            "compile": {"loss": "sparse_categorical_crossentropy"},
        }
    )
    x, a = graph_inputs(data)
    emb = visualize("node_embeddings", model, registry=registry, x=x, a=a, graph_index=0)
    real = int(data.extras["n_nodes"][0])
    assert emb.meta["embeddings"].shape == (real, 8) and emb.meta["pca"].shape == (real, 2)
    assert emb.images.ndim == 4 and emb.images.shape[-1] == 3
    imp = visualize("node_importance", model, registry=registry, x=x[0], a=a[0])
    assert imp.meta["importance"].shape == (real,)
    assert np.all(np.isfinite(imp.meta["importance"])) and imp.meta["importance"].max() > 0
    out = imp.save_png(tmp_path / "importance.png")
    assert Path(out).stat().st_size > 1000
