"""Graph pooling for lamina: global pooling (graph -> vector) and MinCut (hierarchical).

Global pooling items take node features ``(batch, nodes, features)`` and return one
vector per graph ``(batch, features)``; put one between the graph layers and the Dense
head of a graph-level classifier. They are called with ``x`` only (registered with
``inputs="x"``).

`MinCutPool` is hierarchical: it clusters the ``nodes`` into ``k`` super-nodes and
returns their features ``(batch, k, features)``. It takes ``[x, a]``. lamina's builder
threads one adjacency through the stack, so the pooled adjacency is not passed on:
follow `MinCutPool` by a global pooling (or Flatten + Dense), not by more graph
convolutions (those raise a clear error). Its two auxiliary losses (min-cut and
orthogonality) are added to the model's loss.
"""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, tf

# isort: split
import spektral.layers as sl

from lamina_graph.layers import _as_shapes, check_graph_inputs

__all__ = ["GlobalAttentionPool", "GlobalAvgPool", "GlobalMaxPool", "GlobalSumPool", "MinCutPool"]

_SER = keras.saving.register_keras_serializable(package="lamina_graph")


class _Global:
    def build(self, input_shape: Any) -> None:
        check_graph_inputs(type(self).__name__, input_shape, 1)
        super().build(input_shape)  # type: ignore[misc]


@_SER
class GlobalSumPool(_Global, sl.GlobalSumPool):
    """Sums the features of all nodes: ``(batch, nodes, F) -> (batch, F)``."""


@_SER
class GlobalAvgPool(_Global, sl.GlobalAvgPool):
    """Averages the features of all nodes (padding included): ``(b, nodes, F) -> (b, F)``."""


@_SER
class GlobalMaxPool(_Global, sl.GlobalMaxPool):
    """Takes each feature's maximum over the nodes: ``(batch, nodes, F) -> (batch, F)``."""


@_SER
class GlobalAttentionPool(_Global, sl.GlobalAttentionPool):
    """Gated attention pooling (Li et al.): ``sum_i sigmoid(x_i W_g) * (x_i W)``.

    Args:
        channels: Size of the graph vector.
    """


@_SER
class MinCutPool(sl.MinCutPool):
    """MinCut pooling (Bianchi et al.): learns a soft clustering of the nodes into `k` groups.

    Takes ``[x, a]``, returns the pooled node features ``(batch, k, features)`` only
    (follow it with a global pooling). Adds the min-cut and orthogonality losses.

    Args:
        k: Number of clusters (output nodes).
        mlp_hidden: Widths of the hidden layers of the assignment MLP. Defaults to `None`.
        mlp_activation: Activation of those layers. Defaults to `"relu"`.
    """

    def build(self, input_shape: Any) -> None:
        check_graph_inputs("MinCutPool", input_shape, 2)
        super().build([tf.TensorShape(s) for s in _as_shapes(input_shape)])

    def call(self, inputs: Any, mask: Any = None) -> Any:
        x, a = inputs
        out = super().call([x, tf.cast(a, x.dtype)], mask=mask)
        return out[0]

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = _as_shapes(input_shape)
        return tf.TensorShape([shapes[0][0], self.k, shapes[0][-1]])
