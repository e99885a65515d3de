"""Transformer encoder block: self-attention and a feed-forward network."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, layers, tf
from lamina_builtin.layers._utils import check_positive_int, check_rate


@keras.saving.register_keras_serializable(package="lamina")
class TransformerEncoder(layers.Layer):
    """One Transformer encoder block (Vaswani et al., 2017).

    Multi-head self-attention followed by a two-layer feed-forward network, each with
    dropout, a residual connection and layer normalization::

        h = norm1(x + dropout(attention(x, x)))
        y = norm2(h + dropout(dense2(dense1(h))))

    With `norm_first=True` the normalization is applied before each sub-block
    instead (`h = x + dropout(attention(norm1(x)))`, "pre-LN"), which trains more
    stably in deep stacks.

    The attention weights can be read with `return_attention_scores=True` in `call`
    or with `attention_scores(x)`; they have shape `(batch, num_heads, steps, steps)`
    and each row sums to 1. The inner `MultiHeadAttention` layer is the `attention`
    attribute. A padding mask (e.g. from `Embedding(mask_zero=True)`) hides the
    masked steps from the attention.

    Input shape: `(batch, steps, d)`. Output shape: the same.

    Example:

    >>> block = TransformerEncoder(num_heads=2, key_dim=8, ff_dim=32)
    >>> x = np.random.rand(4, 10, 16).astype("float32")
    >>> block(x).shape
    TensorShape([4, 10, 16])
    >>> block.attention_scores(x).shape
    TensorShape([4, 2, 10, 10])

    Args:
        num_heads: Number of attention heads. Defaults to `2`.
        key_dim: Size of each head's query and key (and value) projections.
            Defaults to `16`.
        ff_dim: Number of hidden units of the feed-forward network. Defaults to `64`.
        dropout: Dropout rate on the attention weights and on the outputs of both
            sub-blocks, in `[0, 1)`. Defaults to `0.1`.
        activation: Activation of the feed-forward hidden layer. Defaults to `"relu"`.
        norm_first: Whether to normalize before each sub-block (pre-LN) instead of
            after the residual sum (post-LN). Defaults to `False`.
        epsilon: Epsilon of the layer normalizations. Defaults to `1e-6`.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.
    """

    def __init__(
        self,
        num_heads: int = 2,
        key_dim: int = 16,
        ff_dim: int = 64,
        dropout: float = 0.1,
        activation: str = "relu",
        norm_first: bool = False,
        epsilon: float = 1e-6,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.num_heads = check_positive_int(num_heads, "num_heads")
        self.key_dim = check_positive_int(key_dim, "key_dim")
        self.ff_dim = check_positive_int(ff_dim, "ff_dim")
        self.dropout = check_rate(dropout, "dropout")
        self.activation = keras.activations.get(activation)
        self.norm_first = bool(norm_first)
        if isinstance(epsilon, bool) or not isinstance(epsilon, int | float) or epsilon <= 0:
            raise ValueError(f"`epsilon` must be a positive float. Received: epsilon={epsilon!r}")
        self.epsilon = float(epsilon)
        self.supports_masking = True
        self.input_spec = layers.InputSpec(ndim=3)

        self.attention = layers.MultiHeadAttention(
            num_heads=self.num_heads, key_dim=self.key_dim, dropout=self.dropout, name="attention"
        )
        self.attention_dropout = layers.Dropout(self.dropout, name="attention_dropout")
        self.norm1 = layers.LayerNormalization(epsilon=self.epsilon, name="norm1")
        self.dense1 = layers.Dense(self.ff_dim, activation=self.activation, name="dense1")
        self.dense2: layers.Dense | None = None
        self.ff_dropout = layers.Dropout(self.dropout, name="ff_dropout")
        self.norm2 = layers.LayerNormalization(epsilon=self.epsilon, name="norm2")

    def build(self, input_shape: Any) -> None:
        input_shape = tf.TensorShape(input_shape)
        depth = input_shape[-1]
        if depth is None:
            raise ValueError(
                "TransformerEncoder needs a known size of the last input axis. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.input_spec = layers.InputSpec(ndim=3, axes={-1: depth})
        if not self.attention._built_from_signature:
            self.attention._build_from_signature(query=input_shape, value=input_shape)
        self.norm1.build(input_shape)
        self.dense1.build(input_shape)
        self.dense2 = layers.Dense(int(depth), name="dense2")
        self.dense2.build(input_shape[:-1].concatenate([self.ff_dim]))
        self.norm2.build(input_shape)
        super().build(input_shape)

    @staticmethod
    def _attention_mask(mask: tf.Tensor | None) -> tf.Tensor | None:
        if mask is None:
            return None
        return tf.cast(mask, tf.bool)[:, tf.newaxis, :]

    def call(
        self,
        inputs: tf.Tensor,
        training: bool | None = None,
        mask: tf.Tensor | None = None,
        return_attention_scores: bool = False,
    ) -> tf.Tensor | tuple[tf.Tensor, tf.Tensor]:
        attention_mask = self._attention_mask(mask)
        x = inputs
        query = self.norm1(x) if self.norm_first else x
        attended, scores = self.attention(
            query,
            query,
            attention_mask=attention_mask,
            return_attention_scores=True,
            training=training,
        )
        h = x + self.attention_dropout(attended, training=training)
        if not self.norm_first:
            h = self.norm1(h)
        ff_in = self.norm2(h) if self.norm_first else h
        ff = self.ff_dropout(self.dense2(self.dense1(ff_in)), training=training)
        y = h + ff
        if not self.norm_first:
            y = self.norm2(y)
        if return_attention_scores:
            return y, scores
        return y

    def attention_scores(self, inputs: Any, mask: Any | None = None) -> tf.Tensor:
        """Returns the attention weights of this block for `inputs`, in inference mode.

        Args:
            inputs: The block's input, of shape `(batch, steps, d)`.
            mask: An optional boolean padding mask of shape `(batch, steps)`.
                Defaults to `None`.

        Returns:
            A tensor of shape `(batch, num_heads, steps, steps)`; row `i` of a head
            gives how much step `i` attends to each step.
        """
        inputs = tf.convert_to_tensor(inputs, dtype=self.compute_dtype)
        if mask is not None:
            mask = tf.convert_to_tensor(mask)
        _, scores = self(inputs, training=False, mask=mask, return_attention_scores=True)
        return scores

    def compute_mask(self, inputs: tf.Tensor, mask: tf.Tensor | None = None) -> tf.Tensor | None:
        return mask

    def compute_output_shape(self, input_shape: Any) -> tf.TensorShape:
        return tf.TensorShape(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "num_heads": self.num_heads,
                "key_dim": self.key_dim,
                "ff_dim": self.ff_dim,
                "dropout": self.dropout,
                "activation": keras.activations.serialize(self.activation),
                "norm_first": self.norm_first,
                "epsilon": self.epsilon,
            }
        )
        return config
