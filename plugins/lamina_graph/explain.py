"""Looking inside graph models: per-node embeddings and per-node importance.

Both are lamina visualizations ``fn(model, **params) -> Result``. They take one graph
(``x`` ``(N, F)``, ``a`` ``(N, N)``, or a batch and ``graph_index``) and return the
numbers in ``Result.meta`` plus a picture of the graph (networkx drawing) as the image.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lamina.visualize.result import Result

__all__ = ["draw_graph", "node_embeddings", "node_importance"]


def _one_graph(x: Any, a: Any, graph_index: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float32)
    a = np.asarray(a, dtype=np.float32)
    if x.ndim == 3:
        x = x[graph_index]
    if a.ndim == 3:
        a = a[graph_index]
    if x.ndim != 2 or a.ndim != 2 or a.shape != (x.shape[0], x.shape[0]):
        raise ValueError(
            "expected one graph: x (nodes, features) and a (nodes, nodes); "
            f"got {x.shape} and {a.shape}"
        )
    return x, a


def _real_nodes(x: np.ndarray, a: np.ndarray) -> int:
    present = (np.abs(x).sum(1) > 0) | (a.sum(1) > 0) | (a.sum(0) > 0)
    return int(np.flatnonzero(present).max()) + 1 if present.any() else len(x)


def draw_graph(
    a: np.ndarray,
    values: np.ndarray,
    title: str = "",
    cmap: str = "viridis",
    pos: np.ndarray | None = None,
    label: str = "",
) -> np.ndarray:
    """Returns an RGB image ``(H, W, 3)`` uint8 of the graph with nodes coloured by `values`.

    Args:
        a: Adjacency ``(n, n)`` of the real nodes.
        values: One value per node (colour).
        title: Figure title.
        cmap: Matplotlib colour map.
        pos: Node positions ``(n, 2)``; defaults to a spring layout.
        label: Colour-bar label.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import networkx as nx

    graph = nx.from_numpy_array((a != 0).astype(int))
    layout = (
        {i: tuple(p) for i, p in enumerate(pos)}
        if pos is not None
        else nx.spring_layout(graph, seed=0)
    )
    fig, ax = plt.subplots(figsize=(4, 3.4), dpi=100)
    nodes = nx.draw_networkx_nodes(
        graph, layout, node_color=values, cmap=cmap, node_size=260, ax=ax, edgecolors="black"
    )
    nx.draw_networkx_edges(graph, layout, ax=ax, alpha=0.5)
    nx.draw_networkx_labels(graph, layout, ax=ax, font_size=7, font_color="grey")
    fig.colorbar(nodes, ax=ax, label=label)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
    fig.tight_layout()
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return image


def _graph_layer_names(model: Any) -> list[str]:
    return [layer.name for layer in model.layers if isinstance(layer.input, list)]


def node_embeddings(
    model: Any,
    x: Any = None,
    a: Any = None,
    layer: str | None = None,
    graph_index: int = 0,
) -> Result:
    """Per-node embeddings of one graph: a graph layer's output projected to 2-D by PCA.

    Args:
        model: A model with inputs ``[x, adjacency]``.
        x: Node features of one graph ``(N, F)`` or a batch ``(n, N, F)``.
        a: Adjacency ``(N, N)`` or ``(n, N, N)``.
        layer: Name of the layer whose output to use. Defaults to the last graph layer.
        graph_index: Which graph of a batch. Defaults to `0`.

    Returns:
        A `Result` whose image is a scatter of the nodes in the PCA plane (colour =
        node index) and whose meta holds ``embeddings`` ``(n, d)``, ``pca`` ``(n, 2)``,
        ``explained_variance`` and ``layer``.
    """
    from lamina.keras import keras

    x, a = _one_graph(x, a, graph_index)
    names = _graph_layer_names(model)
    if layer is None:
        if not names:
            raise ValueError("the model has no graph layer (a layer taking [x, a])")
        layer = names[-1]
    target = model.get_layer(layer)
    sub = keras.Model(model.inputs, target.output)
    emb = np.asarray(sub([x[None], a[None]], training=False))[0]
    n = _real_nodes(x, a)
    emb = emb[:n].reshape(n, -1)
    centred = emb - emb.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(2, vt.shape[0])
    pca = centred @ vt[:k].T
    if k < 2:
        pca = np.concatenate([pca, np.zeros((n, 2 - k))], axis=1)
    var = s**2 / max(float((s**2).sum()), 1e-12)
    image = draw_graph(
        a[:n, :n],
        np.arange(n),
        title=f"{layer}: node embeddings (PCA plane)",
        pos=pca,
        cmap="tab20",
        label="node",
    )
    return Result(
        kind="node_embeddings",
        images=image[None],
        titles=[f"{layer} embeddings, PCA ({100 * float(var[:2].sum()):.0f}% of variance)"],
        meta={
            "embeddings": emb,
            "pca": pca,
            "explained_variance": var[:2],
            "layer": layer,
        },
    )


def node_importance(
    model: Any,
    x: Any = None,
    a: Any = None,
    class_index: int | None = None,
    node: int | None = None,
    graph_index: int = 0,
) -> Result:
    """How much each node's features matter for a prediction: ``|| d score / d x_i ||``.

    For a graph-level model the score is the predicted (or `class_index`) class
    probability; for a node-level model (output ``(N, classes)``) it is that of `node`
    (default: the sum over all nodes of their predicted class).

    Args:
        model: A model with inputs ``[x, adjacency]``.
        x: Node features ``(N, F)`` or ``(n, N, F)``.
        a: Adjacency ``(N, N)`` or ``(n, N, N)``.
        class_index: The class whose score is explained. Defaults to the predicted one.
        node: For node-level models, the node whose prediction is explained.
        graph_index: Which graph of a batch. Defaults to `0`.

    Returns:
        A `Result`: the graph drawn with node colour = importance; meta ``importance``
        ``(n,)`` (gradient norm per real node), ``class_index``, ``prediction``.
    """
    from lamina.keras import tf

    x, a = _one_graph(x, a, graph_index)
    xt = tf.constant(x[None])
    at = tf.constant(a[None])
    with tf.GradientTape() as tape:
        tape.watch(xt)
        inputs = [xt, at] + [tf.zeros((1, *s[1:])) for s in model.input_shape[2:]]
        out = model(inputs, training=False)
        if out.shape.rank == 3:  # node-level
            probs = out[0]
            if node is not None:
                cls = int(np.argmax(probs[node])) if class_index is None else class_index
                score = probs[node, cls]
            else:
                mask = tf.one_hot(tf.argmax(probs, axis=-1), probs.shape[-1])
                if class_index is not None:
                    mask = tf.one_hot(tf.fill([tf.shape(probs)[0]], class_index), probs.shape[-1])
                cls = class_index
                score = tf.reduce_sum(probs * mask)
        else:
            probs = out[0]
            cls = int(np.argmax(probs)) if class_index is None else class_index
            score = probs[cls]
    grad = np.asarray(tape.gradient(score, xt))[0]
    n = _real_nodes(x, a)
    importance = np.linalg.norm(grad[:n], axis=1)
    image = draw_graph(
        a[:n, :n],
        importance,
        title=f"node importance for class {cls}",
        cmap="inferno",
        label="|d score / d x|",
    )
    return Result(
        kind="node_importance",
        images=image[None],
        titles=[f"importance of each node for class {cls}"],
        meta={"importance": importance, "class_index": cls, "prediction": np.asarray(probs)},
    )
