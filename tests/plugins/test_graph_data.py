"""Graph datasets and loaders: the data convention and clear, located errors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
if str(PLUGINS) not in sys.path:  # until the entry point is installed
    sys.path.insert(0, str(PLUGINS))

import lamina_graph.plugin as graph_plugin  # noqa: E402
from lamina_graph.datasets import (  # noqa: E402
    NODE_TASK,
    block_model,
    graph_inputs,
    graph_structures,
)
from lamina_graph.loaders import graph_file, graph_npz  # noqa: E402

from lamina.data.errors import DataError  # noqa: E402


def test_graph_structures_convention():
    data = graph_structures(n_per_class=3, n_nodes=8, seed=1)
    assert data.x.shape == (15, 8, 3) and data.extras["a"].shape == (15, 8, 8)
    assert data.task == "classification" and data.extras["graph_task"] == "graph_classification"
    star, cycle, complete = data.extras["a"][:3, :5, :5]
    assert star.sum(1).tolist() == [4, 1, 1, 1, 1]
    assert cycle.sum(1).tolist() == [2] * 5
    assert complete.sum(1).tolist() == [4] * 5
    for a, n in zip(data.extras["a"], data.extras["n_nodes"], strict=True):
        assert np.allclose(a, a.T) and a[n:].sum() == 0
    sub = data.subset([2, 4])
    assert sub.extras["a"].shape == (2, 8, 8)
    x, a = graph_inputs(sub)
    assert x.shape == (2, 8, 3) and a.shape == (2, 8, 8)
    data.validate()


def test_block_model_convention():
    data = block_model(n_graphs=2, n_nodes=12, n_blocks=2, seed=0)
    assert data.task == NODE_TASK and data.y.shape == (2, 12)
    assert data.extras["node_mask"].shape == (2, 12)
    assert data.n_classes == 2


def test_datasets_pass_check_entry(lamina_registry_factory):
    from lamina.testing import check_entry

    registry = lamina_registry_factory(("graph", graph_plugin))
    for name in ("graph_structures", "block_model", "graph_npz", "graph_file"):
        check_entry(registry.get("dataset", name), registry)


def test_npz_dense_and_sparse(tmp_path):
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    a = (rng.random((3, 5, 5)) < 0.5).astype("float32")
    path = tmp_path / "graphs.npz"
    np.savez(path, x=rng.normal(size=(3, 5, 2)), a=a, y=[0, 1, 0], e=rng.normal(size=(3, 5, 5)))
    data = graph_npz(str(path))
    assert data.x.shape == (3, 5, 2) and data.extras["e"].shape == (3, 5, 5, 1)
    assert len(graph_inputs(data)) == 3
    one = sp.csr_matrix(a[0])
    path2 = tmp_path / "one.npz"
    np.savez(
        path2,
        x=np.ones((5, 1)),
        a_data=one.data,
        a_indices=one.indices,
        a_indptr=one.indptr,
        a_shape=one.shape,
        y=np.arange(5) % 2,
    )
    single = graph_npz(str(path2), node_labels=True)
    assert np.array_equal(single.extras["a"][0], a[0]) and single.y.shape == (1, 5)


def test_npz_errors_name_file_and_key(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.ones((4, 2)), a=np.ones((4, 3)))
    with pytest.raises(DataError, match=r"bad\.npz: adjacency 'a' is not square") as err:
        graph_npz(str(bad))
    assert err.value.key == "a"
    mismatch = tmp_path / "mismatch.npz"
    np.savez(mismatch, x=np.ones((5, 2)), a=np.ones((4, 4)))
    with pytest.raises(DataError, match=r"mismatch\.npz: node count mismatch: 'x' has 5 nodes"):
        graph_npz(str(mismatch))
    missing = tmp_path / "missing.npz"
    np.savez(missing, x=np.ones((5, 2)))
    with pytest.raises(DataError, match="no adjacency key 'a'; keys in the file: x"):
        graph_npz(str(missing))


def test_graphml_and_edge_list(tmp_path):
    import networkx as nx

    g = nx.karate_club_graph()
    for v in g.nodes:
        g.nodes[v]["size"] = float(g.degree[v])
        g.nodes[v]["club"] = g.nodes[v]["club"]
    path = tmp_path / "karate.graphml"
    nx.write_graphml(g, path)
    data = graph_file(str(path), label="club", n_nodes=40)
    assert data.x.shape == (1, 40, 1) and data.y.shape == (1, 40)
    assert data.class_names == ["Mr. Hi", "Officer"]
    assert data.extras["a"][0, :34, :34].sum() > 0 and data.extras["a"][0, 34:].sum() == 0
    edges = tmp_path / "edges.txt"
    edges.write_text("a b 1\nb c 2\n")
    small = graph_file(str(edges))
    assert small.extras["a"][0].sum() == 6 and small.x.shape == (1, 3, 1)
    with pytest.raises(DataError, match="edges.txt: node 'a' has no attribute 'mass'"):
        graph_file(str(edges), node_features=["mass"])
