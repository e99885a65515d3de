"""`lamina.train` feeds node features and adjacency to a graph stack, from a spec alone."""

from __future__ import annotations

import lamina


def test_lamina_train_on_graph_structures_from_the_spec(tmp_path):
    spec = {
        "name": "gcn-structures",
        "input": [10, 3],
        "layers": [
            {"type": "GCNConv", "params": {"channels": 32, "activation": "relu"}},
            {"type": "GCNConv", "params": {"channels": 32, "activation": "relu"}},
            {"type": "GlobalSumPool"},
            {"type": "Dense", "params": {"units": 32, "activation": "relu"}},
            {"type": "Dense", "params": {"units": 5, "activation": "softmax"}},
        ],
        "compile": {
            "loss": "sparse_categorical_crossentropy",
            "optimizer": {"type": "Adam", "params": {"learning_rate": 0.005}},
            "metrics": ["accuracy"],
        },
        "training": {
            "epochs": 60,
            "batch_size": 16,
            "validation_split": 0.1,
            "test_split": 0.2,
            "standardize": True,
        },
        "data": {"type": "graph_structures"},
    }
    result = lamina.train(spec, project=tmp_path / "graphs")
    assert result.status == "finished"
    assert result.info["standardizer"] is None  # node features of padded graphs are left alone
    assert result.metrics["accuracy"] >= 0.9, result.metrics
    run = lamina.load_run(result.path)
    x = result.splits.test
    again = run.model().predict([x.x, x.extras["a"]], verbose=0)
    assert again.shape == (len(x), 5)
