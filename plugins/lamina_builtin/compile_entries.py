"""Activations, losses and optimizers of the built-in catalogue."""

from __future__ import annotations

from typing import Any

from lamina.keras import keras, tf


@keras.saving.register_keras_serializable(package="lamina")
def leaky_relu(x: Any) -> Any:
    """Leaky ReLU: `x` for x > 0, `0.2 x` otherwise."""
    return tf.nn.leaky_relu(x, alpha=0.2)


_ACTIVATIONS = [
    ("linear", "Identity: no non-linearity."),
    ("sigmoid", "Logistic sigmoid 1 / (1 + exp(-x)); squashes to (0, 1)."),
    ("tanh", "Hyperbolic tangent; squashes to (-1, 1), zero-centred."),
    ("relu", "Rectified linear unit max(0, x)."),
    ("softplus", "Soft ReLU log(1 + exp(x)): a smooth ReLU."),
    ("elu", "Exponential linear unit: x for x > 0, exp(x) - 1 otherwise."),
    ("selu", "Scaled ELU (self-normalising networks)."),
    ("softmax", "Normalised exponentials: a probability vector over the last axis."),
    ("softsign", "x / (1 + |x|)."),
    ("swish", "x * sigmoid(x) (also called SiLU)."),
    ("gelu", "Gaussian error linear unit x * Phi(x)."),
    ("mish", "x * tanh(softplus(x))."),
    ("hard_sigmoid", "Piecewise-linear approximation of the sigmoid."),
    ("exponential", "exp(x)."),
]


def register_builtin_activations(register: Any) -> None:
    """Registers Keras's activations and a leaky ReLU."""
    for name, summary in _ACTIVATIONS:
        register(
            getattr(keras.activations, name), name=name, category="activation", summary=summary
        )
    register(leaky_relu, name="leaky_relu", category="activation")


_HIDE = {"reduction": None, "name": None}

#: (name, class, aliases, category, summary, overrides)
_LOSSES: list[tuple[str, type, tuple[str, ...], str, str, dict[str, Any]]] = [
    (
        "mean_squared_error",
        keras.losses.MeanSquaredError,
        ("mse",),
        "regression",
        "Mean squared error: the negative log-likelihood of a unit-variance Normal.",
        {},
    ),
    (
        "mean_absolute_error",
        keras.losses.MeanAbsoluteError,
        ("mae",),
        "regression",
        "Mean absolute error: the negative log-likelihood of a Laplace distribution.",
        {},
    ),
    (
        "huber",
        keras.losses.Huber,
        (),
        "regression",
        "Huber loss: quadratic near zero, linear beyond `delta` (robust to outliers).",
        {"delta": {"type": "float", "min": 0.0}},
    ),
    ("log_cosh", keras.losses.LogCosh, (), "regression", "log(cosh(error)): a smooth Huber.", {}),
    (
        "binary_crossentropy",
        keras.losses.BinaryCrossentropy,
        (),
        "classification",
        "Binary cross-entropy: the negative log-likelihood of a Bernoulli.",
        {"label_smoothing": {"min": 0.0, "max": 1.0}, "axis": None},
    ),
    (
        "categorical_crossentropy",
        keras.losses.CategoricalCrossentropy,
        (),
        "classification",
        "Categorical cross-entropy with one-hot targets.",
        {"label_smoothing": {"min": 0.0, "max": 1.0}, "axis": None},
    ),
    (
        "sparse_categorical_crossentropy",
        keras.losses.SparseCategoricalCrossentropy,
        (),
        "classification",
        "Categorical cross-entropy with integer class targets.",
        {"ignore_class": None},
    ),
    (
        "hinge",
        keras.losses.Hinge,
        (),
        "classification",
        "Hinge loss max(0, 1 - y f(x)) for targets in {-1, 1} (the SVM loss).",
        {},
    ),
    ("squared_hinge", keras.losses.SquaredHinge, (), "classification", "Squared hinge loss.", {}),
    (
        "categorical_hinge",
        keras.losses.CategoricalHinge,
        ("multiclass_svm",),
        "classification",
        "Multi-class SVM (Crammer-Singer) hinge loss with one-hot targets.",
        {},
    ),
    (
        "kl_divergence",
        keras.losses.KLDivergence,
        (),
        "probabilistic",
        "Kullback-Leibler divergence between target and predicted distributions.",
        {},
    ),
    (
        "poisson",
        keras.losses.Poisson,
        (),
        "regression",
        "Poisson negative log-likelihood for count targets.",
        {},
    ),
]


def register_builtin_losses(register: Any) -> None:
    """Registers Keras's losses under their snake_case names."""
    for name, cls, aliases, category, summary, overrides in _LOSSES:
        register(
            cls,
            name=name,
            aliases=aliases,
            category=category,
            summary=summary,
            params={**_HIDE, **overrides},
        )


def AMSGrad(  # noqa: N802 - it is a catalogue name, like the classes
    learning_rate: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    weight_decay: float | None = None,
    clipnorm: float | None = None,
) -> Any:
    """AMSGrad: Adam that keeps the maximum of past squared-gradient averages.

    Args:
        learning_rate: Step size, or a schedule. Defaults to `0.001`.
        beta_1: Decay of the first-moment average. Defaults to `0.9`.
        beta_2: Decay of the second-moment average. Defaults to `0.999`.
        epsilon: Small constant for numerical stability. Defaults to `1e-7`.
        weight_decay: Decoupled weight decay, if set. Defaults to `None`.
        clipnorm: Clip each gradient to this norm, if set. Defaults to `None`.
    """
    return keras.optimizers.Adam(
        learning_rate=learning_rate,
        beta_1=beta_1,
        beta_2=beta_2,
        epsilon=epsilon,
        amsgrad=True,
        weight_decay=weight_decay,
        clipnorm=clipnorm,
    )


_OPT_HIDE = {
    "name": None,
    "jit_compile": None,
    "use_ema": None,
    "ema_momentum": None,
    "ema_overwrite_frequency": None,
    "global_clipnorm": None,
    "adaptive_epsilon": None,
}
_LR = {
    "learning_rate": {
        "type": "learning_rate",
        "help": "Step size, a positive number, or a "
        "schedule {'type': 'ExponentialDecay', 'params': {...}}.",
    }
}

_OPTIMIZERS: list[tuple[Any, str]] = [
    (keras.optimizers.SGD, "Stochastic gradient descent, with optional momentum and Nesterov."),
    (
        keras.optimizers.Adagrad,
        "AdaGrad: per-parameter steps scaled by accumulated squared gradients.",
    ),
    (keras.optimizers.RMSprop, "RMSprop: steps scaled by a moving average of squared gradients."),
    (keras.optimizers.Adam, "Adam: momentum plus RMSprop-style scaling, bias-corrected."),
    (AMSGrad, "AMSGrad: Adam with a non-decreasing second-moment estimate."),
    (keras.optimizers.AdamW, "AdamW: Adam with decoupled weight decay."),
    (keras.optimizers.Nadam, "Nadam: Adam with Nesterov momentum."),
    (keras.optimizers.Adadelta, "Adadelta: AdaGrad with a moving window."),
    (keras.optimizers.Adamax, "Adamax: Adam with the infinity norm."),
]


def register_builtin_optimizers(register: Any) -> None:
    """Registers Keras's optimizers and AMSGrad."""
    for obj, summary in _OPTIMIZERS:
        register(
            obj,
            name=obj.__name__,
            category="gradient descent",
            summary=summary,
            params={**_OPT_HIDE, **_LR},
        )
