"""Loading your own graphs: ``.npz`` arrays and networkx-readable files.

Both return a graph `Dataset` following `lamina_graph.datasets` (node features in
``x``, adjacency in ``extras["a"]``). Errors name the file and the key or node.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from lamina.data.dataset import Dataset
from lamina.data.errors import DataError
from lamina_graph.datasets import make_graph_dataset

__all__ = ["graph_file", "graph_npz"]


def _dense(value: Any) -> np.ndarray:
    return np.asarray(value.toarray() if hasattr(value, "toarray") else value)


def _load_adjacency(data: Any, key: str, path: str) -> np.ndarray:
    """Reads a dense array, or a scipy sparse matrix saved with ``scipy.sparse.save_npz``
    or as ``<key>_data``/``<key>_indices``/``<key>_indptr``/``<key>_shape`` keys."""
    if key in data.files:
        arr = data[key]
        if arr.dtype == object:
            arr = _dense(arr.item())
        return arr
    csr = [f"{key}_{p}" for p in ("data", "indices", "indptr", "shape")]
    if all(k in data.files for k in csr):
        import scipy.sparse as sp

        return sp.csr_matrix(
            (data[csr[0]], data[csr[1]], data[csr[2]]), shape=tuple(data[csr[3]])
        ).toarray()
    if {"data", "indices", "indptr", "shape"} <= set(data.files):
        import scipy.sparse as sp

        return sp.load_npz(path).toarray()
    raise DataError(
        f"no adjacency key {key!r}; keys in the file: {', '.join(data.files)}", source=path, key=key
    )


def graph_npz(
    path: str,
    x_key: str = "x",
    a_key: str = "a",
    e_key: str = "e",
    y_key: str = "y",
    node_labels: bool = False,
    class_names: list[str] | None = None,
) -> Dataset:
    """Graphs from a NumPy ``.npz`` file.

    Keys: node features `x_key` ``(N, F)`` for one graph or ``(graphs, N, F)``;
    adjacency `a_key` ``(N, N)`` or ``(graphs, N, N)``, dense or a scipy sparse matrix
    (stored under ``a_data``, ``a_indices``, ``a_indptr``, ``a_shape``, or a file made by
    ``scipy.sparse.save_npz``); optional edge features `e_key` ``(..., N, N, S)`` and
    labels `y_key` (one per graph, or one per node with ``node_labels=True``).
    Node features default to a single column of ones when `x_key` is missing.

    Args:
        path: The ``.npz`` file.
        x_key: Key of the node features. Defaults to `"x"`.
        a_key: Key of the adjacency. Defaults to `"a"`.
        e_key: Key of the edge features (optional). Defaults to `"e"`.
        y_key: Key of the labels (optional). Defaults to `"y"`.
        node_labels: Labels are per node. Defaults to `False`.
        class_names: Names of the classes. Defaults to `None`.
    """
    path = str(path)
    if not Path(path).is_file():
        raise DataError("file not found", source=path)
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError:
        data = np.load(path, allow_pickle=True)  # a sparse matrix saved as an object
    with data:
        a = _load_adjacency(data, a_key, path).astype(np.float32)
        single = a.ndim == 2
        if a.ndim not in (2, 3) or a.shape[-1] != a.shape[-2]:
            raise DataError(
                f"adjacency {a_key!r} is not square: got shape {a.shape}; expected (N, N) "
                "or (graphs, N, N)",
                source=path,
                key=a_key,
            )
        if single:
            a = a[None]
        if x_key in data.files:
            x = np.asarray(data[x_key], dtype=np.float32)
            x = x[None] if single and x.ndim == 2 else x
            if x.ndim == 2 and not single:
                x = x[..., None]
        else:
            x = np.ones(a.shape[:2] + (1,), dtype=np.float32)
        if x.ndim == 3 and x.shape[1] != a.shape[1]:
            raise DataError(
                f"node count mismatch: {x_key!r} has {x.shape[1]} nodes but the adjacency "
                f"{a_key!r} has {a.shape[1]}",
                source=path,
                key=x_key,
            )
        e = None
        if e_key in data.files:
            e = np.asarray(data[e_key], dtype=np.float32)
            e = e[None] if single else e
            if e.ndim == 3:
                e = e[..., None]
        y = np.asarray(data[y_key]) if y_key in data.files else None
        if y is not None and single:
            y = y[None] if node_labels else y.reshape(1)
    return make_graph_dataset(
        x,
        a,
        y,
        name=Path(path).stem,
        node_labels=node_labels,
        e=e,
        class_names=class_names,
        source=path,
    )


def graph_file(
    path: str,
    node_features: list[str] | None = None,
    label: str | None = None,
    n_nodes: int | None = None,
) -> Dataset:
    """One graph from a file networkx reads: GraphML (``.graphml``), GML (``.gml``),
    GEXF (``.gexf``), or an edge list (``.edgelist``/``.txt``/``.csv``: ``u v [weight]``).

    Node attributes named in `node_features` become the node features (default: every
    numeric node attribute, or a column of ones if there is none). A node attribute
    `label` gives node labels (node classification); otherwise a graph attribute
    `label` gives the graph's label. Edge weights (``weight``) fill the adjacency.

    Args:
        path: The file.
        node_features: Node attributes to use as features. Defaults to all numeric ones.
        label: Name of the label attribute (node or graph). Defaults to `None`.
        n_nodes: Pad the graph to this many nodes. Defaults to its own size.
    """
    import networkx as nx

    path = str(path)
    p = Path(path)
    if not p.is_file():
        raise DataError("file not found", source=path)
    readers = {
        ".graphml": nx.read_graphml,
        ".gml": nx.read_gml,
        ".gexf": nx.read_gexf,
    }
    try:
        if p.suffix.lower() in readers:
            graph = readers[p.suffix.lower()](path)
        else:
            graph = nx.read_weighted_edgelist(path, delimiter="," if p.suffix == ".csv" else None)
    except Exception as exc:  # noqa: BLE001 - any parser error is reported with the file
        raise DataError(f"networkx cannot read it: {exc}", source=path) from exc
    nodes = list(graph.nodes)
    n = len(nodes)
    if n == 0:
        raise DataError("the graph has no nodes", source=path)
    size = n_nodes or n
    if size < n:
        raise DataError(f"the graph has {n} nodes, more than n_nodes={size}", source=path)
    a = np.zeros((1, size, size), dtype=np.float32)
    a[0, :n, :n] = nx.to_numpy_array(graph, nodelist=nodes, weight="weight", dtype=np.float32)
    attrs = [graph.nodes[v] for v in nodes]
    if node_features is None:
        keys = sorted({k for d in attrs for k, v in d.items() if k != label and _numeric(v)})
    else:
        keys = list(node_features)
    x = np.zeros((1, size, max(len(keys), 1)), dtype=np.float32)
    if keys:
        for i, (v, d) in enumerate(zip(nodes, attrs, strict=True)):
            for j, k in enumerate(keys):
                if k not in d:
                    raise DataError(f"node {v!r} has no attribute {k!r}", source=path, column=k)
                if not _numeric(d[k]):
                    raise DataError(
                        f"node {v!r} attribute {k!r} is not a number: {d[k]!r}",
                        source=path,
                        column=k,
                    )
                x[0, i, j] = float(d[k])
    else:
        x[0, :n, 0] = 1.0
    y = None
    class_names = None
    node_level = label is not None and any(label in d for d in attrs)
    if node_level:
        raw = [d.get(label) for d in attrs]
        missing = [v for v, r in zip(nodes, raw, strict=True) if r is None]
        if missing:
            raise DataError(
                f"node {missing[0]!r} has no label {label!r}", source=path, column=label
            )
        class_names = sorted({str(r) for r in raw}, key=_natural)
        y = np.zeros((1, size), dtype=np.int64)
        y[0, :n] = [class_names.index(str(r)) for r in raw]
    elif label is not None:
        if label not in graph.graph:
            raise DataError(f"no node or graph attribute {label!r}", source=path, column=label)
        y = np.array([int(graph.graph[label])])
    return make_graph_dataset(
        x,
        a,
        y,
        name=p.stem,
        node_labels=node_level,
        n_nodes=np.array([n]),
        class_names=class_names,
        feature_names=keys or ["one"],
        source=path,
    )


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _natural(text: str) -> tuple[int, Any]:
    try:
        return (0, float(text))
    except ValueError:
        return (1, text)
