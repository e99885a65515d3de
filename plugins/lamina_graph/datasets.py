"""Graph datasets for lamina, and the convention by which graph data is held.

**Convention.** A graph dataset is a `lamina.data.Dataset` holding a batch of graphs
padded to the same number of nodes ``N``:

- ``x``: node features ``(n_graphs, N, F)`` float32 (padding nodes are all zero);
- ``extras["a"]``: the raw adjacency ``(n_graphs, N, N)`` float32 (0/1 or edge
  weights, symmetric for undirected graphs, no self loops needed: the layers
  normalise it themselves; padding rows and columns are zero);
- ``extras["e"]`` (optional): edge features ``(n_graphs, N, N, S)``;
- ``extras["n_nodes"]``: the real number of nodes of each graph ``(n_graphs,)``;
- ``extras["graph_task"]``: ``"graph_classification"`` or ``"node_classification"``;
- ``y``: graph labels ``(n_graphs,)`` with ``task="classification"``, or node labels
  ``(n_graphs, N)`` for node classification. lamina's `Dataset` knows no
  ``"node_classification"`` task yet, so node labels use ``task="segmentation"``
  (one integer class per element, exactly what a per-node label is) unless the core
  adds it; padding nodes get label 0 and ``extras["node_mask"]`` ``(n_graphs, N)``
  marks the real nodes (use it as ``sample_weight``).

All of these extras are per-sample, so ``Dataset.subset`` slices them with ``x``.
The model built from a spec with graph layers has the inputs ``[x, adjacency]``
(``[x, adjacency, edge_features]`` with an edge-conditioned layer): feed it
``graph_inputs(dataset)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.data.dataset import TASKS, Dataset
from lamina.data.errors import DataError

__all__ = [
    "NODE_TASK",
    "STRUCTURES",
    "block_model",
    "graph_inputs",
    "graph_structures",
    "make_graph_dataset",
    "validate_graph_arrays",
]

#: The Dataset task used for node labels (see the module docstring).
NODE_TASK = "node_classification" if "node_classification" in TASKS else "segmentation"

#: The classes of `graph_structures`, in label order.
STRUCTURES = ("star", "cycle", "complete", "path", "random")


def validate_graph_arrays(
    x: np.ndarray, a: np.ndarray, e: np.ndarray | None = None, source: str = "graph"
) -> None:
    """Checks node features against adjacency (and edge features); raises `DataError`.

    Args:
        x: Node features ``(n_graphs, N, F)``.
        a: Adjacency ``(n_graphs, N, N)``.
        e: Edge features ``(n_graphs, N, N, S)`` or None.
        source: The file or generator, named in the message.
    """
    if a.ndim != 3 or a.shape[1] != a.shape[2]:
        shape = a.shape[1:] if a.ndim == 3 else a.shape
        raise DataError(
            f"adjacency is not square: each graph's adjacency must be (nodes, nodes), "
            f"got {tuple(int(s) for s in shape)}",
            source=source,
            key="a",
        )
    if x.ndim != 3:
        raise DataError(
            f"node features must be (graphs, nodes, features), got shape {x.shape}",
            source=source,
            key="x",
        )
    if len(x) != len(a):
        raise DataError(
            f"{len(x)} graph(s) of node features but {len(a)} adjacency matrices",
            source=source,
        )
    if x.shape[1] != a.shape[1]:
        raise DataError(
            f"node count mismatch: the node features have {x.shape[1]} nodes per graph but "
            f"the adjacency has {a.shape[1]}",
            source=source,
            key="x",
        )
    if e is not None and (e.ndim != 4 or e.shape[:3] != a.shape):
        raise DataError(
            f"edge features must be (graphs, nodes, nodes, S) = {a.shape} + (S,), got {e.shape}",
            source=source,
            key="e",
        )
    for what, arr in (("adjacency", a), ("edge features", e)):
        if arr is not None and not np.all(np.isfinite(arr)):
            g = int(np.flatnonzero(~np.isfinite(arr.reshape(len(arr), -1)).all(axis=1) == 0)[0])
            raise DataError(f"{what} of graph {g} has NaN/inf values", source=source, row=g)


def make_graph_dataset(
    x: np.ndarray,
    a: np.ndarray,
    y: np.ndarray | None,
    *,
    name: str,
    node_labels: bool = False,
    e: np.ndarray | None = None,
    n_nodes: np.ndarray | None = None,
    class_names: list[str] | None = None,
    feature_names: list[str] | None = None,
    description: str = "",
    source: str = "",
) -> Dataset:
    """Returns a graph `Dataset` following the module's convention (after checking it)."""
    x = np.asarray(x, dtype=np.float32)
    a = np.asarray(a, dtype=np.float32)
    e = None if e is None else np.asarray(e, dtype=np.float32)
    validate_graph_arrays(x, a, e, source or name)
    if n_nodes is None:
        present = (np.abs(x).sum(-1) > 0) | (a.sum(-1) > 0) | (a.sum(-2) > 0)
        n_nodes = np.array([int(np.flatnonzero(p).max()) + 1 if p.any() else 0 for p in present])
    n_nodes = np.asarray(n_nodes, dtype=np.int64)
    extras: dict[str, Any] = {
        "a": a,
        "n_nodes": n_nodes,
        "graph_task": "node_classification" if node_labels else "graph_classification",
    }
    per_sample = ["a", "n_nodes"]
    if e is not None:
        extras["e"] = e
        per_sample.append("e")
    if node_labels:
        extras["node_mask"] = (np.arange(x.shape[1])[None, :] < n_nodes[:, None]).astype(np.float32)
        per_sample.append("node_mask")
    extras["per_sample"] = per_sample
    return Dataset(
        x=x,
        y=y,
        name=name,
        task=NODE_TASK if node_labels else "classification",
        class_names=class_names,
        feature_names=feature_names,
        description=description,
        source=source or name,
        extras=extras,
    )


def graph_inputs(dataset: Dataset) -> list[np.ndarray]:
    """Returns the model inputs of a graph dataset: ``[x, a]``, or ``[x, a, e]`` with edge features.

    The adjacency is returned raw: lamina's graph layers normalise it themselves, so the
    same inputs fit every layer type.

    Raises:
        DataError: If the dataset has no adjacency in ``extras["a"]``.
    """
    if "a" not in dataset.extras:
        raise DataError(
            "not a graph dataset: no adjacency in extras['a'] (see lamina_graph.datasets)",
            source=dataset.source,
        )
    out = [dataset.x, np.asarray(dataset.extras["a"], dtype=np.float32)]
    if dataset.extras.get("e") is not None:
        out.append(np.asarray(dataset.extras["e"], dtype=np.float32))
    return out


# -- graph_structures ------------------------------------------------------------------


def _structure(kind: str, n: int, rng: np.random.Generator, p: float) -> np.ndarray:
    a = np.zeros((n, n), dtype=np.float32)
    if kind == "star":
        a[0, 1:] = a[1:, 0] = 1
    elif kind == "cycle":
        for i in range(n):
            a[i, (i + 1) % n] = a[(i + 1) % n, i] = 1
    elif kind == "complete":
        a[:] = 1
        np.fill_diagonal(a, 0)
    elif kind == "path":
        for i in range(n - 1):
            a[i, i + 1] = a[i + 1, i] = 1
    else:  # Erdős–Rényi, redrawn until it is none of the other structures
        others = {
            tuple(sorted(_structure(k, n, rng, p).sum(1))) for k in STRUCTURES if k != "random"
        }
        while True:
            upper = np.triu(rng.random((n, n)) < p, 1)
            a = (upper | upper.T).astype(np.float32)
            if tuple(sorted(a.sum(1))) not in others:
                break
    return a


def graph_structures(
    n_per_class: int = 100,
    n_nodes: int = 10,
    min_nodes: int = 5,
    n_features: int = 3,
    noise: float = 0.1,
    p_random: float = 0.4,
    seed: int | None = 0,
) -> Dataset:
    """Small graphs whose class is their structure: star, cycle, complete, path or random.

    Each graph has between `min_nodes` and `n_nodes` nodes and is padded to `n_nodes`.
    The first three graphs are the course's examples: a star, a cycle and a complete
    graph of 5 nodes (or `min_nodes` if larger). Node features are
    ``[1, degree, 0, ...]`` plus Gaussian noise of scale `noise`, with the degree
    column then divided by 4
    (padding nodes stay zero). The degree is given because a GCN averages its
    neighbours: on any regular graph (a cycle, a complete graph) constant features stay
    constant, so without it a GCN could not tell a cycle from a complete graph.

    Args:
        n_per_class: Graphs per class. Defaults to `100`.
        n_nodes: Nodes after padding (largest graph). Defaults to `10`.
        min_nodes: Smallest graph. Defaults to `5`.
        n_features: Node features (at least 2). Defaults to `3`.
        noise: Scale of the feature noise. Defaults to `0.1`.
        p_random: Edge probability of the random (Erdős–Rényi) graphs. Defaults to `0.4`.
        seed: Random seed. Defaults to `0`.
    """
    if n_features < 2:
        raise ValueError(f"n_features must be at least 2. Received: n_features={n_features!r}")
    if not 4 <= min_nodes <= n_nodes:
        raise ValueError(
            "need 4 <= min_nodes <= n_nodes. "
            f"Received: min_nodes={min_nodes!r}, n_nodes={n_nodes!r}"
        )
    rng = np.random.default_rng(seed)
    first = max(5, min_nodes) if max(5, min_nodes) <= n_nodes else n_nodes
    jobs: list[tuple[int, int]] = [(0, first), (1, first), (2, first)]
    rest = [
        (c, int(rng.integers(min_nodes, n_nodes + 1))) for c in range(5) for _ in range(n_per_class)
    ]
    for c in (0, 1, 2):  # the course's three examples count towards their classes
        rest.remove(next(j for j in rest if j[0] == c))
    order = rng.permutation(len(rest))
    jobs += [rest[i] for i in order]
    total = len(jobs)
    x = np.zeros((total, n_nodes, n_features), dtype=np.float32)
    a = np.zeros((total, n_nodes, n_nodes), dtype=np.float32)
    y = np.zeros(total, dtype=np.int64)
    sizes = np.zeros(total, dtype=np.int64)
    for g, (c, n) in enumerate(jobs):
        adj = _structure(STRUCTURES[c], n, rng, p_random)
        a[g, :n, :n] = adj
        x[g, :n, 0] = 1.0
        x[g, :n, 1] = adj.sum(1)
        x[g, :n] += noise * rng.normal(size=(n, n_features))
        x[g, :n, 1] /= 4.0  # a typical degree becomes ~1 (and its noise noise / 4)
        y[g] = c
        sizes[g] = n
    return make_graph_dataset(
        x,
        a,
        y,
        name="graph_structures",
        n_nodes=sizes,
        class_names=list(STRUCTURES),
        feature_names=["one", "degree"] + [f"noise_{i}" for i in range(n_features - 2)],
        description=(
            "Small graphs labelled by their structure (star, cycle, complete, path, random "
            "Erdős–Rényi), padded to the same number of nodes, with noisy node features."
        ),
    )


# -- block_model ------------------------------------------------------------------------


def block_model(
    n_graphs: int = 20,
    n_nodes: int = 60,
    n_blocks: int = 3,
    p_in: float = 0.2,
    p_out: float = 0.02,
    n_features: int = 8,
    signal: float = 0.6,
    seed: int | None = 0,
) -> Dataset:
    """Stochastic block model graphs: label each node with its community.

    Every graph has `n_nodes` nodes split into `n_blocks` communities; two nodes are
    linked with probability `p_in` inside a community and `p_out` across. Node
    features are a weak community signature (a fixed random vector per community,
    scaled by `signal`) plus unit Gaussian noise, so one node alone is hard to classify
    but averaging over its (mostly same-community) neighbours makes it easy. Node
    labels ``y`` are ``(n_graphs, n_nodes)``; use ``n_graphs=1`` for one big graph.

    Args:
        n_graphs: Number of graphs. Defaults to `20`.
        n_nodes: Nodes per graph. Defaults to `60`.
        n_blocks: Number of communities (classes). Defaults to `3`.
        p_in: Edge probability within a community. Defaults to `0.2`.
        p_out: Edge probability between communities. Defaults to `0.02`.
        n_features: Node features. Defaults to `8`.
        signal: Strength of the community signature in the features. Defaults to `0.6`.
        seed: Random seed. Defaults to `0`.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_blocks, n_features)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True) / np.sqrt(n_features) * 1.0
    x = np.zeros((n_graphs, n_nodes, n_features), dtype=np.float32)
    a = np.zeros((n_graphs, n_nodes, n_nodes), dtype=np.float32)
    y = np.zeros((n_graphs, n_nodes), dtype=np.int64)
    for g in range(n_graphs):
        labels = rng.permutation(np.arange(n_nodes) % n_blocks)
        same = labels[:, None] == labels[None, :]
        prob = np.where(same, p_in, p_out)
        upper = np.triu(rng.random((n_nodes, n_nodes)) < prob, 1)
        a[g] = (upper | upper.T).astype(np.float32)
        x[g] = signal * centres[labels] + rng.normal(size=(n_nodes, n_features))
        y[g] = labels
    return make_graph_dataset(
        x,
        a,
        y,
        name="block_model",
        node_labels=True,
        n_nodes=np.full(n_graphs, n_nodes),
        class_names=[f"community {i}" for i in range(n_blocks)],
        description=(
            "Stochastic block model: nodes linked mostly within their community; "
            "label every node with its community from weak, noisy features."
        ),
    )
