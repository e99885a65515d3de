"""The example plug-in's hooks: one entry of each kind, every name prefixed ``example.``."""

from __future__ import annotations

from typing import Any

from lamina.hookspecs import hookimpl
from lamina_example.architectures import photometry_mlp
from lamina_example.datasets import star_colours
from lamina_example.heads import PositiveHead
from lamina_example.layers import AsinhStretch
from lamina_example.losses import log_cosh_relative
from lamina_example.optimizers import SignSGD
from lamina_example.visualizations import magnitude_response, weight_norms

__all__ = [
    "AsinhStretch",
    "PositiveHead",
    "SignSGD",
    "log_cosh_relative",
    "magnitude_response",
    "photometry_mlp",
    "star_colours",
    "weight_norms",
]


@hookimpl
def register_layers(register: Any) -> None:
    register(
        AsinhStretch,
        name="example.AsinhStretch",  # namespaced: two plug-ins cannot collide
        category="preprocessing",  # the palette group
        params={"softening": {"min": 1e-6}},  # overrides of the derived schema
        example={"params": {"softening": 0.5}, "input_shape": [8, 8, 1]},
    )


@hookimpl
def register_losses(register: Any) -> None:
    register(
        log_cosh_relative,
        name="example.log_cosh_relative",
        category="regression",
        params={"scale": {"min": 0.0}},
    )


@hookimpl
def register_optimizers(register: Any) -> None:
    register(
        SignSGD,
        name="example.SignSGD",
        category="gradient descent",
        params={"learning_rate": {"min": 0.0}, "name": None},  # None hides a parameter
        example={"params": {"learning_rate": 0.1}},
    )


@hookimpl
def register_heads(register: Any) -> None:
    register(
        PositiveHead,
        name="example.PositiveHead",
        category="regression",
        params={"units": {"min": 1}},
        example={"params": {"units": 2}, "input_shape": [4]},
        loss="example.log_cosh_relative",  # compiled when the spec names no loss
    )


@hookimpl
def register_architectures(register: Any) -> None:
    register(
        photometry_mlp,
        name="example.photometry_mlp",
        category="regression",
        params={"n_bands": {"min": 1}, "learning_rate": {"min": 0.0}, "epochs": {"min": 1}},
    )


@hookimpl
def register_datasets(register: Any) -> None:
    register(
        star_colours,
        name="example.star_colours",
        category="tables",
        params={"n": {"min": 1, "max": 1_000_000}, "noise": {"min": 0.0, "max": 1.0}},
        example={"params": {"n": 50}},
    )


@hookimpl
def register_visualizations(register: Any) -> None:
    register(
        weight_norms,
        name="example.weight_norms",
        category="weights",
        params={"height": {"min": 8, "max": 512}, "bar_width": {"min": 1, "max": 64}},
    )
    register(
        magnitude_response,
        name="example.magnitude_response",
        category="diagnostics",
        params={"span": {"min": 0.1, "max": 20.0}, "steps": {"min": 2, "max": 1000}},
    )
