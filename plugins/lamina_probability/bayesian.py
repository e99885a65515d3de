"""Bayesian layers: a distribution over the weights instead of one value.

Every forward pass draws new weights, so repeated predictions differ; the spread of
the predictions over passes is the *epistemic* uncertainty (what the model does not
know for lack of data). `lamina_probability.predict.predict_distribution` aggregates
the passes.

KL weight. Training minimises ``NLL + kl_weight * KL(posterior || prior)`` per
sample. For the evidence lower bound, ``kl_weight = 1 / n_train``. Each layer keeps
its weight in a non-trainable variable ``layer.kl_weight_var`` (saved with the
weights). A layer built with ``kl_weight=None`` (the default) means "1/n_train": the
trainer calls ``set_kl_weight(model, n_train)`` before ``fit``; until then the layer
uses 1.0 and warns when it trains. An explicit ``kl_weight`` is never overwritten.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from lamina.keras import keras, tf

# isort: split
import tensorflow_probability as tfp  # after lamina.keras, which selects tf_keras

tfd = tfp.distributions
tfpl = tfp.layers

__all__ = [
    "Convolution2DFlipout",
    "DenseFlipout",
    "DenseReparameterization",
    "DenseVariational",
    "bayesian_layers",
    "set_kl_weight",
]

_PRIORS = ("standard_normal", "trainable")
_SOFTPLUS_INV_1 = math.log(math.expm1(1.0))


class _KLWeightMixin:
    """Holds the KL weight in a variable that the trainer can assign."""

    def _init_kl(self, kl_weight: float | None) -> None:
        if kl_weight is not None and not kl_weight >= 0:
            raise ValueError(f"kl_weight must be >= 0 or None. Received: kl_weight={kl_weight!r}")
        self.kl_weight = kl_weight
        self.kl_weight_var: Any = None
        self._kl_weight_set = kl_weight is not None

    def _build_kl(self) -> None:
        if self.kl_weight_var is None:
            self.kl_weight_var = self.add_weight(  # type: ignore[attr-defined]
                name="kl_weight",
                shape=(),
                initializer=keras.initializers.Constant(
                    1.0 if self.kl_weight is None else float(self.kl_weight)
                ),
                trainable=False,
            )

    def assign_kl_weight(self, value: float) -> None:
        """Sets the KL weight (the trainer passes ``1 / n_train``)."""
        self._build_kl()
        self.kl_weight_var.assign(float(value))
        self._kl_weight_set = True

    def _warn_unset(self, training: Any) -> None:
        if training and not self._kl_weight_set:
            warnings.warn(
                f"{self.name}: kl_weight is None (1/n_train) but was never set; call "  # type: ignore[attr-defined]
                "lamina_probability.bayesian.set_kl_weight(model, n_train) before fit. "
                "Using 1.0.",
                stacklevel=3,
            )
            self._kl_weight_set = True  # warn once


def _normal_kl(mq: Any, sq: Any, mp: Any, sp: Any) -> Any:
    return tf.reduce_sum(
        tf.math.log(sp / sq) + (tf.square(sq) + tf.square(mq - mp)) / (2.0 * tf.square(sp)) - 0.5
    )


@keras.saving.register_keras_serializable(package="lamina")
class DenseVariational(_KLWeightMixin, keras.layers.Layer):
    """Dense layer with a mean-field Normal posterior over its weights.

    Each call draws one set of weights ``w = loc + softplus(rho) * eps`` (the same for
    the whole batch) and adds ``kl_weight * KL(posterior || prior)`` to the model's
    losses. Like ``tfp.layers.DenseVariational`` with a mean-field posterior, written
    so that it saves and reloads from its config.

    Example:
        >>> layer = DenseVariational(8, activation="relu", prior="trainable")

    Args:
        units: Number of output units.
        activation: Activation applied to the output. Defaults to `None`.
        use_bias: Whether the layer has a (Bayesian) bias. Defaults to `True`.
        prior: ``"standard_normal"`` (fixed N(0, 1) on every weight) or
            ``"trainable"`` (N(m, 1) with a learned mean m per weight). Defaults to
            `"standard_normal"`.
        kl_weight: Weight of the KL term per sample; ``None`` means ``1/n_train``, set
            by the trainer through `set_kl_weight`. Defaults to `None`.
        posterior_scale: Initial standard deviation of the posterior. Defaults to
            `0.01`.
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        use_bias: bool = True,
        prior: str = "standard_normal",
        kl_weight: float | None = None,
        posterior_scale: float = 0.01,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units < 1:
            raise ValueError(f"units must be a positive integer. Received: units={units!r}")
        if prior not in _PRIORS:
            raise ValueError(f"prior must be one of {_PRIORS}. Received: prior={prior!r}")
        if not posterior_scale > 0:
            raise ValueError(
                f"posterior_scale must be positive. Received: posterior_scale={posterior_scale!r}"
            )
        self.units = units
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.prior = prior
        self.posterior_scale = posterior_scale
        self._init_kl(kl_weight)

    def build(self, input_shape: Any) -> None:
        n_in = int(input_shape[-1])
        n = n_in * self.units + (self.units if self.use_bias else 0)
        self._n_in = n_in
        rho0 = math.log(math.expm1(self.posterior_scale))
        self.posterior_loc = self.add_weight(
            name="posterior_loc",
            shape=(n,),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / math.sqrt(n_in)),
        )
        self.posterior_rho = self.add_weight(
            name="posterior_rho", shape=(n,), initializer=keras.initializers.Constant(rho0)
        )
        if self.prior == "trainable":
            self.prior_loc = self.add_weight(name="prior_loc", shape=(n,), initializer="zeros")
        else:
            self.prior_loc = None
        self._build_kl()
        super().build(input_shape)

    def call(self, inputs: Any, training: Any = None) -> Any:
        self._warn_unset(training)
        scale = 1e-5 + tf.math.softplus(self.posterior_rho)
        w = self.posterior_loc + scale * tf.random.normal(tf.shape(self.posterior_loc))
        prior_loc = self.prior_loc if self.prior_loc is not None else tf.zeros_like(w)
        kl = _normal_kl(self.posterior_loc, scale, prior_loc, tf.ones_like(scale))
        self.add_loss(self.kl_weight_var * kl)
        k = self._n_in * self.units
        kernel = tf.reshape(w[:k], (self._n_in, self.units))
        out = tf.matmul(tf.cast(inputs, kernel.dtype), kernel)
        if self.use_bias:
            out = out + w[k:]
        return self.activation(out) if self.activation is not None else out

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tf.TensorShape(input_shape)[:-1].concatenate([self.units])

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            units=self.units,
            activation=keras.activations.serialize(self.activation),
            use_bias=self.use_bias,
            prior=self.prior,
            kl_weight=self.kl_weight,
            posterior_scale=self.posterior_scale,
        )
        return config


def _divergence(layer: Any) -> Any:
    def fn(q: Any, p: Any, _ignored: Any) -> Any:
        layer._build_kl()
        return layer.kl_weight_var * tfd.kl_divergence(q, p)

    return fn


def _tfp_config(layer: Any, **own: Any) -> dict[str, Any]:
    config = keras.layers.Layer.get_config(layer)
    config.update(own)
    return config


class _TFPWrapper(_KLWeightMixin):
    """What lamina's wrappers of `tfp.layers` share: the KL weight set-up, quiet building,
    and a ``from_config`` taking plain arguments (TFP's expects serialised functions)."""

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        return cls(**config)

    def build(self, input_shape: Any) -> None:
        self._build_kl()
        with warnings.catch_warnings():  # TFP's own deprecations, nothing the user can fix
            warnings.filterwarnings("ignore", message=".*add_variable.*|.*is unseeded.*")
            super().build(input_shape)  # type: ignore[misc]

    def call(self, inputs: Any, training: Any = None) -> Any:
        self._warn_unset(training)
        return super().call(inputs)  # type: ignore[misc]


@keras.saving.register_keras_serializable(package="lamina")
class DenseFlipout(_TFPWrapper, tfpl.DenseFlipout):
    """Dense layer with a mean-field Normal weight posterior, sampled with Flipout.

    Flipout decorrelates the weight noise between the samples of a batch, giving
    lower-variance gradients than `DenseReparameterization`. Prior: N(0, 1).

    Args:
        units: Number of output units.
        activation: Activation applied to the output. Defaults to `None`.
        kl_weight: Weight of the KL term per sample; ``None`` means ``1/n_train``, set
            by the trainer through `set_kl_weight`. Defaults to `None`.
        seed: Seed of the Flipout sign flips. Defaults to `None`.
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        kl_weight: float | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            seed=seed,
            kernel_divergence_fn=_divergence(self),
            bias_divergence_fn=_divergence(self),
            **kwargs,
        )
        self._init_kl(kl_weight)

    def get_config(self) -> dict[str, Any]:
        return _tfp_config(
            self,
            units=self.units,
            activation=keras.activations.serialize(self.activation),
            kl_weight=self.kl_weight,
            seed=self.seed,
        )


@keras.saving.register_keras_serializable(package="lamina")
class DenseReparameterization(_TFPWrapper, tfpl.DenseReparameterization):
    """Dense layer with a mean-field Normal weight posterior (reparameterization trick).

    One weight draw per call, shared by the batch. Prior: N(0, 1).

    Args:
        units: Number of output units.
        activation: Activation applied to the output. Defaults to `None`.
        kl_weight: Weight of the KL term per sample; ``None`` means ``1/n_train``, set
            by the trainer through `set_kl_weight`. Defaults to `None`.
    """

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        kl_weight: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            units,
            activation=activation,
            kernel_divergence_fn=_divergence(self),
            bias_divergence_fn=_divergence(self),
            **kwargs,
        )
        self._init_kl(kl_weight)

    def get_config(self) -> dict[str, Any]:
        return _tfp_config(
            self,
            units=self.units,
            activation=keras.activations.serialize(self.activation),
            kl_weight=self.kl_weight,
        )


@keras.saving.register_keras_serializable(package="lamina")
class Convolution2DFlipout(_TFPWrapper, tfpl.Convolution2DFlipout):
    """2-D convolution with a mean-field Normal posterior over its kernel (Flipout).

    Prior: N(0, 1) on every kernel weight and bias.

    Args:
        filters: Number of output channels.
        kernel_size: Height and width of the kernel.
        strides: Strides of the convolution. Defaults to `1`.
        padding: ``"valid"`` or ``"same"``. Defaults to `"valid"`.
        activation: Activation applied to the output. Defaults to `None`.
        kl_weight: Weight of the KL term per sample; ``None`` means ``1/n_train``, set
            by the trainer through `set_kl_weight`. Defaults to `None`.
        seed: Seed of the Flipout sign flips. Defaults to `None`.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = 1,
        padding: str = "valid",
        activation: str | None = None,
        kl_weight: float | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            activation=activation,
            seed=seed,
            kernel_divergence_fn=_divergence(self),
            bias_divergence_fn=_divergence(self),
            **kwargs,
        )
        self._init_kl(kl_weight)

    def get_config(self) -> dict[str, Any]:
        return _tfp_config(
            self,
            filters=self.filters,
            kernel_size=list(self.kernel_size),
            strides=list(self.strides),
            padding=self.padding,
            activation=keras.activations.serialize(self.activation),
            kl_weight=self.kl_weight,
            seed=self.seed,
        )


LAYERS = (DenseVariational, DenseFlipout, DenseReparameterization, Convolution2DFlipout)


def bayesian_layers(model: Any) -> list[Any]:
    """Returns the Bayesian layers of a model (those with a KL weight), nested ones too."""
    found = []
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, _KLWeightMixin):
            found.append(layer)
    return found


def set_kl_weight(model: Any, n_train: int) -> int:
    """Sets ``kl_weight = 1 / n_train`` on every Bayesian layer built with ``kl_weight=None``.

    The trainer calls this before ``fit`` with the number of training samples.

    Args:
        model: A model.
        n_train: Number of training samples.

    Returns:
        How many layers were set.
    """
    if n_train < 1:
        raise ValueError(f"n_train must be positive. Received: n_train={n_train!r}")
    count = 0
    for layer in bayesian_layers(model):
        if layer.kl_weight is None:
            layer.assign_kl_weight(1.0 / n_train)
            count += 1
    return count
