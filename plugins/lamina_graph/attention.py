"""A graph-attention layer (GAT, Veličković et al.) for lamina's dense batch mode.

Why not spektral's ``GATConv``: lamina's design notes report that its gradient aborts
the whole process (C++ ``std::bad_function_call``) on TF 2.21 in dense batch mode.
Its ``_call_dense`` does everything with ``tf.einsum``, including a pure transpose
written as an einsum (``"...ABC -> ...CBA"``), uses ``tf.linalg.set_diag`` on the
adjacency, and adds a ``-10e9`` mask. On this machine (TF 2.21.0, tf_keras 2.21.0,
CPU) the abort could not be reproduced (eager, ``tf.function``, XLA, unknown node
count, mixed and sparse single mode all train), so the crash depends on something
else in the environment it was seen in. Because a crash cannot be caught, lamina
does not register ``GATConv`` at all and ships `GraphAttention` instead: the same
maths with ``tf.matmul``/``tf.transpose`` only (no einsum, no ``set_diag``, no ragged
ops), whose gradients are the plainest TF has.

Maths, per head ``k`` (``W_k`` is ``features x channels``, ``a_k`` is ``2 channels``)::

    h_i   = W_k x_i
    e_ij  = LeakyReLU(a_k^T [h_i || h_j])          (slope 0.2)
    alpha = softmax_j over j in N(i) + {i}          (masked softmax, self loops)
    out_i = sum_j alpha_ij h_j

then heads are concatenated (``concat_heads=True``) or averaged, a bias is added and
the activation applied. Dropout acts on the attention coefficients during training.
"""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, tf
from lamina_graph.layers import _as_shapes, check_graph_inputs

__all__ = ["GraphAttention"]


@keras.saving.register_keras_serializable(package="lamina_graph")
class GraphAttention(keras.layers.Layer):
    """Graph attention (GAT): each node takes a learned, attention-weighted mean of its neighbours.

    Takes ``[x, a]``: node features ``(batch, nodes, features)`` and the raw adjacency
    ``(batch, nodes, nodes)``; nodes attend to their neighbours (``a_ij != 0``) and to
    themselves. Output: ``(batch, nodes, channels * attn_heads)`` when `concat_heads`,
    else ``(batch, nodes, channels)``.

    Example:
        >>> layer = GraphAttention(8, attn_heads=2)
        >>> y = layer([x, a])  # x: (b, n, f), a: (b, n, n)

    Args:
        channels: Output features per node and head.
        attn_heads: Number of attention heads. Defaults to `1`.
        concat_heads: Concatenate the heads (else average them). Defaults to `True`.
        dropout_rate: Dropout on the attention coefficients. Defaults to `0.0`.
        negative_slope: Slope of the LeakyReLU of the scores. Defaults to `0.2`.
        add_self_loops: Let each node attend to itself. Defaults to `True`.
        activation: Activation of the output. Defaults to `None`.
        use_bias: Whether to add a bias. Defaults to `True`.
        return_attention: Also return the coefficients ``(batch, heads, nodes, nodes)``
            (not usable as a spec item, which needs one output). Defaults to `False`.
        kernel_initializer: Initializer of `W` and `a`. Defaults to `"glorot_uniform"`.
        kernel_regularizer: Regularizer of `W`. Defaults to `None`.
    """

    def __init__(
        self,
        channels: int,
        attn_heads: int = 1,
        concat_heads: bool = True,
        dropout_rate: float = 0.0,
        negative_slope: float = 0.2,
        add_self_loops: bool = True,
        activation: Any = None,
        use_bias: bool = True,
        return_attention: bool = False,
        kernel_initializer: Any = "glorot_uniform",
        kernel_regularizer: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for label, value in (("channels", channels), ("attn_heads", attn_heads)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{label} must be a positive integer. Received: {label}={value!r}")
        if not 0.0 <= float(dropout_rate) < 1.0:
            raise ValueError(
                f"dropout_rate must be in [0, 1). Received: dropout_rate={dropout_rate!r}"
            )
        self.channels = channels
        self.attn_heads = attn_heads
        self.concat_heads = bool(concat_heads)
        self.dropout_rate = float(dropout_rate)
        self.negative_slope = float(negative_slope)
        self.add_self_loops = bool(add_self_loops)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.return_attention = bool(return_attention)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.output_dim = channels * attn_heads if self.concat_heads else channels

    def build(self, input_shape: Any) -> None:
        check_graph_inputs("GraphAttention", input_shape, 2)
        f = int(_as_shapes(input_shape)[0][-1])
        h, c = self.attn_heads, self.channels
        self.kernel = self.add_weight(
            name="kernel",
            shape=(f, h * c),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.attn_kernel_self = self.add_weight(
            name="attn_kernel_self", shape=(h, c), initializer=self.kernel_initializer
        )
        self.attn_kernel_neighs = self.add_weight(
            name="attn_kernel_neighs", shape=(h, c), initializer=self.kernel_initializer
        )
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.output_dim,), initializer="zeros")
        self.dropout = keras.layers.Dropout(self.dropout_rate)
        super().build(input_shape)

    def call(self, inputs: Any, training: Any = None) -> Any:
        x, a = inputs
        a = tf.cast(a, x.dtype)
        n = tf.shape(x)[-2]
        h_, c = self.attn_heads, self.channels
        hx = tf.matmul(x, self.kernel)  # (b, n, h*c)
        hx = tf.reshape(hx, tf.concat([tf.shape(x)[:-1], [h_, c]], axis=0))  # (b, n, h, c)
        hx = tf.transpose(hx, (0, 2, 1, 3))  # (b, h, n, c)
        s_self = tf.reduce_sum(hx * self.attn_kernel_self[None, :, None, :], axis=-1)  # (b,h,n)
        s_neigh = tf.reduce_sum(hx * self.attn_kernel_neighs[None, :, None, :], axis=-1)
        scores = s_self[..., :, None] + s_neigh[..., None, :]  # (b, h, n, n): e_ij
        scores = tf.nn.leaky_relu(scores, alpha=self.negative_slope)
        connected = tf.not_equal(a, 0.0)
        if self.add_self_loops:
            connected = tf.logical_or(connected, tf.eye(n, dtype=tf.bool)[None])
        mask = tf.cast(connected, x.dtype)[:, None]  # (b, 1, n, n)
        scores = scores + (mask - 1.0) * 1e9
        alpha = tf.nn.softmax(scores, axis=-1) * mask
        alpha = alpha / tf.maximum(tf.reduce_sum(alpha, axis=-1, keepdims=True), 1e-12)
        dropped = self.dropout(alpha, training=training)
        out = tf.matmul(dropped, hx)  # (b, h, n, c)
        out = tf.transpose(out, (0, 2, 1, 3))  # (b, n, h, c)
        if self.concat_heads:
            out = tf.reshape(out, tf.concat([tf.shape(x)[:-1], [h_ * c]], axis=0))
        else:
            out = tf.reduce_mean(out, axis=-2)
        if self.use_bias:
            out = out + self.bias
        out = self.activation(out)
        if self.return_attention:
            return out, alpha
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = _as_shapes(input_shape)
        return tf.TensorShape([*shapes[0][:-1], self.output_dim])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "channels": self.channels,
            "attn_heads": self.attn_heads,
            "concat_heads": self.concat_heads,
            "dropout_rate": self.dropout_rate,
            "negative_slope": self.negative_slope,
            "add_self_loops": self.add_self_loops,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "return_attention": self.return_attention,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
        }
