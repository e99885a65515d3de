"""Hook implementations of the ``probability`` plug-in."""

from __future__ import annotations

from typing import Any

from lamina.hookspecs import hookimpl


@hookimpl
def register_heads(register: Any) -> None:
    """Distribution heads (``model(x)`` returns a TFP distribution)."""
    from lamina_probability.heads import HEADS, check_targets
    from lamina_probability.predict import predict_distribution

    for name, (fn, targets, example) in HEADS.items():
        register(
            fn,
            name=name,
            category="probabilistic",
            example={"params": example, "input_shape": [4]},
            loss="negative_log_likelihood",
            targets=targets,
            check_targets=check_targets,
            predict_distribution=predict_distribution,
        )


@hookimpl
def register_layers(register: Any) -> None:
    """Bayesian layers (distributions over weights)."""
    from lamina_probability.bayesian import (
        Convolution2DFlipout,
        DenseFlipout,
        DenseReparameterization,
        DenseVariational,
        set_kl_weight,
    )

    bayesian: dict[str, Any] = {
        "stochastic": True,
        "before_fit": set_kl_weight,
        "meta": {"bayesian": True},
    }
    kl = {"kl_weight": {"min": 0.0}}
    register(
        DenseVariational,
        category="bayesian",
        params={
            **kl,
            "units": {"min": 1},
            "prior": {"type": "choice", "choices": ["standard_normal", "trainable"]},
            "posterior_scale": {"min": 0.0},
        },
        example={"params": {"units": 3, "kl_weight": 0.01}, "input_shape": [4]},
        **bayesian,
    )
    register(
        DenseFlipout,
        category="bayesian",
        params={**kl, "units": {"min": 1}},
        example={"params": {"units": 3, "kl_weight": 0.01}, "input_shape": [4]},
        **bayesian,
    )
    register(
        DenseReparameterization,
        category="bayesian",
        params={**kl, "units": {"min": 1}},
        example={"params": {"units": 3, "kl_weight": 0.01}, "input_shape": [4]},
        **bayesian,
    )
    register(
        Convolution2DFlipout,
        category="bayesian",
        params={**kl, "filters": {"min": 1}, "padding": {"choices": ["valid", "same"]}},
        example={
            "params": {"filters": 2, "kernel_size": 3, "kl_weight": 0.01},
            "input_shape": [6, 6, 1],
        },
        **bayesian,
    )


@hookimpl
def register_losses(register: Any) -> None:
    """Losses for distribution outputs."""
    from lamina_probability.losses import negative_log_likelihood

    register(negative_log_likelihood, category="probabilistic", targets="distribution")
