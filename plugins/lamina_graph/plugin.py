"""Hook implementations of the ``graph`` plug-in (spektral 1.3.1 in dense batch mode).

Graph layers are registered with ``inputs="x_a"`` (``"x_a_e"`` for edge features):
the builder adds an ``adjacency`` input ``(N, N)`` (and ``edge_features`` ``(N, N, S)``)
to the model and calls them as ``layer([x, a])``. The model input is
``[N, F]``: N nodes (graphs padded to N) with F features each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lamina.hookspecs import hookimpl

#: Small sample files: the examples of the file sources.
SAMPLES = Path(__file__).resolve().parent / "samples"

#: Parameters that make no sense in a spec form.
_HIDDEN = {
    name: None
    for name in (
        "kernel_constraint",
        "bias_constraint",
        "activity_regularizer",
        "attn_kernel_constraint",
        "return_attn_coef",
        "return_attention",
        "return_selection",
    )
}

_N, _F = 6, 3


def _channels(help_text: str = "Number of output features per node.") -> dict[str, Any]:
    return {"channels": {"min": 1, "help": help_text}}


def graph_layer_table() -> list[tuple[Any, dict[str, Any], dict[str, Any], str]]:
    """Returns ``(class, example params, param overrides, inputs mode)`` of every graph layer."""
    from lamina_graph.attention import GraphAttention
    from lamina_graph.layers import (
        ARMAConv,
        ChebConv,
        DiffusionConv,
        ECCConv,
        GCNConv,
        GCSConv,
        GINConv,
        GraphSageConv,
    )

    return [
        (GCNConv, {"channels": 4, "activation": "relu"}, _channels(), "x_a"),
        (ChebConv, {"channels": 4, "K": 2}, {**_channels(), "K": {"min": 1}}, "x_a"),
        (
            GINConv,
            {"channels": 4, "mlp_hidden": [8]},
            {**_channels(), "epsilon": {"type": "float", "nullable": True}},
            "x_a",
        ),
        (GraphSageConv, {"channels": 4}, _channels(), "x_a"),
        (
            ARMAConv,
            {"channels": 4, "order": 2, "iterations": 2},
            {**_channels(), "order": {"min": 1}, "iterations": {"min": 1}},
            "x_a",
        ),
        (GCSConv, {"channels": 4}, _channels(), "x_a"),
        (DiffusionConv, {"channels": 4, "K": 3}, {**_channels(), "K": {"min": 1}}, "x_a"),
        (
            GraphAttention,
            {"channels": 4, "attn_heads": 2, "dropout_rate": 0.1},
            {
                **_channels("Output features per node and attention head."),
                "attn_heads": {"min": 1},
                "dropout_rate": {"min": 0.0, "max": 0.99},
            },
            "x_a",
        ),
        (ECCConv, {"channels": 4, "kernel_network": [8]}, _channels(), "x_a_e"),
    ]


def pooling_table() -> list[tuple[Any, dict[str, Any], dict[str, Any], str]]:
    """Returns ``(class, example params, param overrides, inputs mode)`` of every pooling layer."""
    from lamina_graph.pooling import (
        GlobalAttentionPool,
        GlobalAvgPool,
        GlobalMaxPool,
        GlobalSumPool,
        MinCutPool,
    )

    return [
        (GlobalSumPool, {}, {}, "x"),
        (GlobalAvgPool, {}, {}, "x"),
        (GlobalMaxPool, {}, {}, "x"),
        (GlobalAttentionPool, {"channels": 4}, {"channels": {"min": 1}}, "x"),
        (MinCutPool, {"k": 3, "mlp_hidden": [8]}, {"k": {"min": 1}}, "x_a"),
    ]


@hookimpl
def register_layers(register: Any) -> None:
    """Graph convolutions, graph attention and graph pooling."""
    for cls, example, params, inputs in graph_layer_table():
        register(
            cls,
            category="graph",
            params={**_HIDDEN, **params},
            example={"params": example, "input_shape": [_N, _F]},
            inputs=inputs,
            aliases=("GAT",) if cls.__name__ == "GraphAttention" else (),
        )
    for cls, example, params, inputs in pooling_table():
        register(
            cls,
            category="graph pooling",
            params={**_HIDDEN, **params},
            example={"params": example, "input_shape": [_N, _F]},
            inputs=inputs,
        )


@hookimpl
def register_datasets(register: Any) -> None:
    """Graph datasets: synthetic structures, a stochastic block model, .npz and networkx files."""
    from lamina_graph.datasets import block_model, graph_structures
    from lamina_graph.loaders import graph_file, graph_npz

    seed = {"seed": {"nullable": True}}
    register(
        graph_structures,
        category="graphs",
        params={**seed, "n_per_class": {"min": 1}, "n_nodes": {"min": 4}, "min_nodes": {"min": 4}},
        example={"params": {"n_per_class": 4, "n_nodes": 8}},
    )
    register(
        block_model,
        category="graphs",
        params={**seed, "n_graphs": {"min": 1}, "n_nodes": {"min": 2}, "n_blocks": {"min": 2}},
        example={"params": {"n_graphs": 2, "n_nodes": 20}},
    )
    register(
        graph_npz,
        category="files",
        params={"path": {"type": "str"}},
        example={"params": {"path": str(SAMPLES / "structures.npz")}},
    )
    register(
        graph_file,
        category="files",
        params={"path": {"type": "str"}},
        example={"params": {"path": str(SAMPLES / "karate.graphml"), "label": "club"}},
    )


@hookimpl
def register_visualizations(register: Any) -> None:
    """Node embeddings (PCA) and node importance (gradients) of graph models."""
    from lamina_graph.explain import node_embeddings, node_importance

    register(node_embeddings, category="graph")
    register(node_importance, category="graph")
