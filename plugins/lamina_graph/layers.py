"""Graph convolution layers for lamina, wrapping spektral 1.3.1 in dense batch mode.

Every layer here is called by lamina's builder as ``layer([x, a])`` (or
``layer([x, a, e])`` for edge-conditioned layers), where

- ``x`` is ``(batch, nodes, features)``: node features of a batch of graphs padded to
  the same number of nodes;
- ``a`` is ``(batch, nodes, nodes)``: the **raw** adjacency matrix (0/1 or edge
  weights, no self loops needed);
- ``e`` is ``(batch, nodes, nodes, edge_features)``: edge features.

Users never pre-process the adjacency: each layer normalises it inside its graph the
way its paper does (GCN: ``D^-1/2 (A + I) D^-1/2``; ChebConv: the rescaled Laplacian
with ``lambda_max = 2``; ARMA, GCS, diffusion: ``D^-1/2 A D^-1/2``; GIN and ECC use
``A`` as it is). Passing an already normalised matrix normalises it twice.

A layer given anything else than node features (e.g. after ``Flatten`` or on an
image input) raises a ``ValueError`` in ``build`` naming the layer and the shape it got.
"""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, tf

# isort: split
import spektral.layers as sl

__all__ = [
    "ARMAConv",
    "ChebConv",
    "DiffusionConv",
    "ECCConv",
    "GCNConv",
    "GCSConv",
    "GINConv",
    "GraphSageConv",
    "check_graph_inputs",
    "gcn_normalize",
    "rescaled_laplacian",
    "sym_normalize",
]

_SER = keras.saving.register_keras_serializable(package="lamina_graph")


def _fmt(shape: Any) -> str:
    dims = [
        "batch" if d is None and i == 0 else ("?" if d is None else str(d))
        for i, d in enumerate(shape)
    ]
    return "(" + ", ".join(dims) + ")"


def _as_shapes(input_shape: Any) -> list[tf.TensorShape]:
    if (
        isinstance(input_shape, (list, tuple))
        and input_shape
        and not isinstance(input_shape[0], (int, type(None)))
    ):
        return [tf.TensorShape(s) for s in input_shape]
    return [tf.TensorShape(input_shape)]


def check_graph_inputs(name: str, input_shape: Any, n_inputs: int = 2) -> None:
    """Raises a clear ValueError unless `input_shape` is ``[x, a]`` (``[x, a, e]``) of a batch.

    Args:
        name: The layer's class name, used in the message.
        input_shape: What Keras passes to ``build``.
        n_inputs: 2 for ``[x, a]``, 3 for ``[x, a, e]``, 1 for ``x`` alone (pooling).
    """
    shapes = _as_shapes(input_shape)
    what = {1: "x", 2: "[x, a]", 3: "[x, a, e]"}[n_inputs]
    if len(shapes) != n_inputs:
        raise ValueError(
            f"{name} takes {what} (node features, adjacency, edge features) but got "
            f"{len(shapes)} input(s) of shapes {', '.join(_fmt(s) for s in shapes)}"
        )
    x = shapes[0]
    if x.rank != 3:
        raise ValueError(
            f"{name} needs node features of shape (nodes, features) per graph, i.e. a "
            f"batch (batch, nodes, features), but got {_fmt(x)}. A graph layer cannot "
            "follow Flatten or a layer that mixes the nodes, nor take images: make the "
            "model input [nodes, features] and put graph layers first."
        )
    if n_inputs >= 2:
        a = shapes[1]
        if a.rank != 3 or (a[1] is not None and a[2] is not None and a[1] != a[2]):
            raise ValueError(f"{name}: the adjacency must be (batch, nodes, nodes), got {_fmt(a)}")
        if x[1] is not None and a[1] is not None and x[1] != a[1]:
            raise ValueError(
                f"{name} got node features for {x[1]} nodes but an adjacency of {a[1]} "
                "nodes; a hierarchical pooling layer before it changes the number of "
                "nodes: follow it by global pooling, not by graph convolutions"
            )
    if n_inputs == 3:
        e = shapes[2]
        if e.rank != 4:
            raise ValueError(
                f"{name}: edge features must be (batch, nodes, nodes, edge_features), got {_fmt(e)}"
            )


# -- adjacency normalisation (dense, batch, inside the graph) ----------------------------


def _inv_sqrt_degree(a: tf.Tensor) -> tf.Tensor:
    deg = tf.reduce_sum(a, axis=-1)
    inv = tf.math.rsqrt(tf.maximum(deg, 1e-12))
    return tf.where(deg > 0, inv, tf.zeros_like(inv))


def sym_normalize(a: tf.Tensor) -> tf.Tensor:
    """Returns ``D^-1/2 A D^-1/2`` (isolated and padding nodes give zero rows)."""
    a = tf.cast(a, tf.float32)
    d = _inv_sqrt_degree(a)
    return d[..., :, None] * a * d[..., None, :]


def gcn_normalize(a: tf.Tensor) -> tf.Tensor:
    """Returns Kipf & Welling's ``D^-1/2 (A + I) D^-1/2`` (as `spektral.utils.gcn_filter`)."""
    a = tf.cast(a, tf.float32)
    eye = tf.eye(tf.shape(a)[-1], dtype=a.dtype)
    return sym_normalize(a + eye)


def rescaled_laplacian(a: tf.Tensor) -> tf.Tensor:
    """Returns ``2 L / lambda_max - I`` with ``L = I - D^-1/2 A D^-1/2`` and ``lambda_max = 2``.

    That is ``-D^-1/2 A D^-1/2``; spektral's ``ChebConv.preprocess`` estimates
    ``lambda_max`` (at most 2) with an eigen-solver, which a graph cannot do cheaply.
    """
    return -sym_normalize(a)


class _GraphConv:
    """Mix-in: checks the inputs in ``build`` and normalises the adjacency in ``call``."""

    _n_inputs = 2

    def _normalize(self, a: tf.Tensor) -> tf.Tensor:
        return tf.cast(a, tf.float32)

    def build(self, input_shape: Any) -> None:
        check_graph_inputs(type(self).__name__, input_shape, self._n_inputs)
        super().build(input_shape)  # type: ignore[misc]

    def call(self, inputs: Any, mask: Any = None) -> Any:
        inputs = list(inputs)
        inputs[1] = self._normalize(inputs[1])
        return super().call(inputs, mask=mask)  # type: ignore[misc]

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = _as_shapes(input_shape)
        return tf.TensorShape([*shapes[0][:-1], self.channels])  # type: ignore[attr-defined]


@_SER
class GCNConv(_GraphConv, sl.GCNConv):
    """Graph convolution of Kipf & Welling: ``act(D^-1/2 (A+I) D^-1/2 X W + b)``.

    Each node averages its own features and its neighbours' (weighted by degrees), then
    a shared Dense maps them to `channels`. Takes ``[x, a]`` with the raw adjacency.

    Args:
        channels: Number of output features per node.
        activation: Activation. Defaults to `None`.
        use_bias: Whether to add a bias. Defaults to `True`.
    """

    def _normalize(self, a: tf.Tensor) -> tf.Tensor:
        return gcn_normalize(a)


@_SER
class ChebConv(_GraphConv, sl.ChebConv):
    """Chebyshev spectral graph convolution (Defferrard et al.): a K-hop polynomial filter.

    Args:
        channels: Number of output features per node.
        K: Order of the Chebyshev polynomial (neighbourhood radius). Defaults to `1`.
        activation: Activation. Defaults to `None`.
    """

    def _normalize(self, a: tf.Tensor) -> tf.Tensor:
        return rescaled_laplacian(a)


@_SER
class ARMAConv(_GraphConv, sl.ARMAConv):
    """Auto-regressive moving-average graph filter (Bianchi et al.).

    Args:
        channels: Number of output features per node.
        order: Number of parallel stacks. Defaults to `1`.
        iterations: Number of iterations of each stack. Defaults to `1`.
        share_weights: Share weights across iterations. Defaults to `False`.
        gcn_activation: Activation inside the stacks. Defaults to `"relu"`.
        dropout_rate: Dropout on the skip connection. Defaults to `0.0`.
        activation: Activation. Defaults to `None`.
    """

    def _normalize(self, a: tf.Tensor) -> tf.Tensor:
        return sym_normalize(a)


@_SER
class GCSConv(_GraphConv, sl.GCSConv):
    """Graph convolution with a trainable skip connection: ``D^-1/2 A D^-1/2 X W + X V``.

    Args:
        channels: Number of output features per node.
        activation: Activation. Defaults to `None`.
    """

    def _normalize(self, a: tf.Tensor) -> tf.Tensor:
        return sym_normalize(a)


@_SER
class DiffusionConv(_GraphConv, sl.DiffusionConv):
    """Diffusion convolution (Li et al.): a learned K-step diffusion of node features.

    Args:
        channels: Number of output features per node.
        K: Number of diffusion steps. Defaults to `6`.
        activation: Activation. Defaults to `"tanh"`.
    """

    def _normalize(self, a: tf.Tensor) -> tf.Tensor:
        return sym_normalize(a)

    def call(self, inputs: Any, mask: Any = None) -> Any:
        # spektral's DiffusionConv.call has no `mask` argument
        x, a = inputs
        return sl.DiffusionConv.call(self, [x, self._normalize(a)])


@_SER
class GINConv(_GraphConv, sl.GINConvBatch):
    """Graph isomorphism network convolution (Xu et al.), dense batch mode.

    ``MLP((1 + eps) x_i + sum_j a_ij x_j)``: a sum (not a mean) over neighbours, as
    powerful as the Weisfeiler-Lehman test at telling graphs apart.

    Args:
        channels: Number of output features per node.
        epsilon: The fixed `eps`, or `None` to learn it. Defaults to `None`.
        mlp_hidden: Widths of the MLP's hidden layers. Defaults to `None` (no hidden).
        mlp_activation: Activation of the hidden layers. Defaults to `"relu"`.
        activation: Activation of the output. Defaults to `None`.
    """

    def call(self, inputs: Any, mask: Any = None) -> Any:
        x, a = inputs
        return sl.GINConvBatch.call(self, [x, tf.cast(a, x.dtype)])


@_SER
class ECCConv(_GraphConv, sl.ECCConv):
    """Edge-conditioned convolution (Simonovsky & Komodakis): weights computed from edge features.

    Takes ``[x, a, e]`` with edge features ``e`` of shape ``(nodes, nodes, S)``; a small
    network maps each edge's features to a ``features x channels`` matrix. Dense batch
    mode costs ``nodes^2 * features * channels`` memory: keep graphs small.

    Args:
        channels: Number of output features per node.
        kernel_network: Widths of the hidden layers of the filter network. Defaults to `None`.
        root: Add a root (self) weight. Defaults to `True`.
        activation: Activation. Defaults to `None`.
    """

    _n_inputs = 3

    def build(self, input_shape: Any) -> None:
        check_graph_inputs("ECCConv", input_shape, 3)
        sl.ECCConv.build(self, [tf.TensorShape(s) for s in input_shape])


@_SER
class GraphSageConv(keras.layers.Layer):
    """GraphSAGE with mean aggregation (Hamilton et al.), dense batch mode.

    ``h_i = act(W [x_i || mean_{j in N(i)} x_j] + b)``, L2-normalised per node.
    (spektral's ``GraphSageConv`` needs sparse single-graph inputs; this is the same
    maths for lamina's dense batches.)

    Args:
        channels: Number of output features per node.
        activation: Activation. Defaults to `None`.
        use_bias: Whether to add a bias. Defaults to `True`.
        normalize: L2-normalise the output of each node. Defaults to `True`.
        kernel_initializer: Initializer of the weights. Defaults to `"glorot_uniform"`.
        kernel_regularizer: Regularizer of the weights. Defaults to `None`.
    """

    def __init__(
        self,
        channels: int,
        activation: Any = None,
        use_bias: bool = True,
        normalize: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        kernel_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(channels, int) or isinstance(channels, bool) or channels < 1:
            raise ValueError(
                f"channels must be a positive integer. Received: channels={channels!r}"
            )
        self.channels = channels
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.normalize = normalize
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape: Any) -> None:
        check_graph_inputs("GraphSageConv", input_shape, 2)
        f = int(_as_shapes(input_shape)[0][-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(2 * f, self.channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.channels,), initializer="zeros")
        super().build(input_shape)

    def call(self, inputs: Any) -> Any:
        x, a = inputs
        a = tf.cast(a, x.dtype)
        deg = tf.reduce_sum(a, axis=-1, keepdims=True)
        neigh = tf.matmul(a, x) / tf.maximum(deg, 1.0)
        h = tf.matmul(tf.concat([x, neigh], axis=-1), self.kernel)
        if self.use_bias:
            h = h + self.bias
        h = self.activation(h)
        if self.normalize:
            h = tf.math.l2_normalize(h, axis=-1)
        return h

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tf.TensorShape([*_as_shapes(input_shape)[0][:-1], self.channels])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "channels": self.channels,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "normalize": self.normalize,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
        }
