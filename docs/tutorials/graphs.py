"""Makes the figures of docs/tutorials/graphs.md.

Run from the repository root::

    .venv/bin/python docs/tutorials/graphs.py

Trains two small graph models for a few seconds each and writes
docs/tutorials/img/graph_*.png. ``main(quick=True)`` runs the same code on fewer graphs
with fewer epochs (what the test suite runs, see tests/docs/test_tutorials.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
IMG = HERE / "img"
try:
    import lamina_graph  # noqa: F401
except ImportError:  # the plug-in is not installed: use the source tree
    sys.path.insert(0, str(HERE.parents[1] / "plugins"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from lamina_graph.datasets import block_model, graph_inputs, graph_structures  # noqa: E402
from lamina_graph.explain import node_embeddings, node_importance  # noqa: E402

from lamina.build import build_model  # noqa: E402
from lamina.keras import tf  # noqa: E402
from lamina.plugins import get_registry, set_registry  # noqa: E402

COMPILE = {
    "loss": "sparse_categorical_crossentropy",
    "optimizer": {"type": "Adam", "params": {"learning_rate": 0.005}},
    "metrics": ["accuracy"],
}


def _registry() -> None:
    if get_registry().find("layer", "GCNConv") is None:  # plug-in not installed yet
        import lamina_graph.plugin as plugin

        from lamina.testing import make_registry

        set_registry(make_registry(("graph", plugin)))


def adjacency_figure(out_dir: Path = IMG) -> None:
    data = graph_structures(n_per_class=100, seed=0)
    fig, axes = plt.subplots(2, 3, figsize=(9, 6), dpi=100)
    for k, title in enumerate(["star", "cycle", "complete"]):
        a = data.extras["a"][k]
        n = int(data.extras["n_nodes"][k])
        g = nx.from_numpy_array(a[:n, :n].astype(int))
        nx.draw_networkx(
            g, nx.circular_layout(g), ax=axes[0, k], node_color="#4c72b0", font_color="white"
        )
        axes[0, k].set_title(f"{title} graph")
        axes[0, k].axis("off")
        axes[1, k].imshow(a[:n, :n], cmap="Greys", vmin=0, vmax=1)
        axes[1, k].set_title("adjacency matrix A (black = 1)")
        axes[1, k].set_xticks(range(n))
        axes[1, k].set_yticks(range(n))
    fig.tight_layout()
    fig.savefig(out_dir / "graph_adjacency.png")
    plt.close(fig)


def structures_figure(out_dir: Path = IMG, quick: bool = False) -> float:
    """Graph classification (star, cycle, ...); returns the test accuracy (chance 1/5)."""
    tf.random.set_seed(0)
    n_per_class = 40 if quick else 100
    data = graph_structures(n_per_class=n_per_class, seed=0)
    n, f = data.input_shape
    spec = {
        "input": [n, f],
        "layers": [
            {"type": "GCNConv", "params": {"channels": 32, "activation": "relu"}},
            {"type": "GCNConv", "params": {"channels": 32, "activation": "relu"}},
            {"type": "GlobalSumPool"},
            {"type": "Dense", "params": {"units": 32, "activation": "relu"}},
            {"type": "Dense", "params": {"units": 5, "activation": "softmax"}},
        ],
        "compile": COMPILE,
    }
    model = build_model(spec)
    order = np.random.default_rng(1).permutation(len(data))
    n_train = 4 * n_per_class  # 4/5 of the graphs
    train, test = data.subset(order[:n_train]), data.subset(order[n_train:])
    epochs = 40 if quick else 100
    model.fit(graph_inputs(train), train.y, epochs=epochs, batch_size=16, verbose=0)
    _, accuracy = model.evaluate(graph_inputs(test), test.y, verbose=0)
    print("graph_structures test accuracy", accuracy)
    x, a = graph_inputs(data)
    for k, name in ((0, "star"),):
        res = node_importance(model, x=x, a=a, graph_index=k)
        plt.imsave(out_dir / f"graph_importance_{name}.png", res.images[0])
    return float(accuracy)


def block_figure(out_dir: Path = IMG, quick: bool = False) -> float:
    """Node classification (communities); returns the test accuracy (chance 1/3)."""
    tf.random.set_seed(0)
    data = block_model(seed=0, n_nodes=30)
    n, f = data.input_shape
    spec = {
        "input": [n, f],
        "layers": [
            {"type": "GraphAttention", "params": {"channels": 8, "attn_heads": 2}},
            {"type": "GCNConv", "params": {"channels": 16, "activation": "relu"}},
            {"type": "Dense", "params": {"units": 3, "activation": "softmax"}},
        ],
        "compile": COMPILE,
    }
    model = build_model(spec)
    train, test = data.subset(range(16)), data.subset(range(16, 20))
    model.fit(graph_inputs(train), train.y, epochs=20 if quick else 40, batch_size=4, verbose=0)
    _, accuracy = model.evaluate(graph_inputs(test), test.y, verbose=0)
    print("block_model test accuracy", accuracy)
    x, a = graph_inputs(test)
    res = node_embeddings(model, x=x, a=a, graph_index=0)
    pca = res.meta["pca"]
    fig, ax = plt.subplots(figsize=(4.5, 3.6), dpi=100)
    for c in range(3):
        sel = test.y[0] == c
        ax.scatter(pca[sel, 0], pca[sel, 1], label=f"community {c}", s=25)
    ax.set_title(f"{res.meta['layer']}: node embeddings (PCA)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "graph_embeddings.png")
    plt.close(fig)
    return float(accuracy)


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Makes the four figures; returns the test accuracy of both models.

    Args:
        quick: Fewer graphs and fewer epochs (seconds on a laptop); same code path.
        out_dir: Where the PNGs are written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _registry()
    adjacency_figure(out_dir)
    return {
        "structures_accuracy": structures_figure(out_dir, quick),
        "block_accuracy": block_figure(out_dir, quick),
    }


if __name__ == "__main__":
    main()
