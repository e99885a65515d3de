"""lamina's built-in catalogue, registered through the same hooks a stranger's plug-in uses."""

from __future__ import annotations

from typing import Any

from lamina.hookspecs import hookimpl
from lamina_builtin.architectures import register_builtin_architectures
from lamina_builtin.compile_entries import (
    register_builtin_activations,
    register_builtin_losses,
    register_builtin_optimizers,
)
from lamina_builtin.datasets import register_builtin_datasets
from lamina_builtin.keras_layers import register_keras_layers
from lamina_builtin.layers import register_custom_layers
from lamina_builtin.visualizations import register_builtin_visualizations


@hookimpl
def register_layers(register: Any) -> None:
    """Keras layers and lamina's own blocks."""
    register_keras_layers(register)
    register_custom_layers(register)


@hookimpl
def register_activations(register: Any) -> None:
    """Activation functions."""
    register_builtin_activations(register)


@hookimpl
def register_losses(register: Any) -> None:
    """Losses."""
    register_builtin_losses(register)


@hookimpl
def register_optimizers(register: Any) -> None:
    """Optimizers."""
    register_builtin_optimizers(register)


@hookimpl
def register_architectures(register: Any) -> None:
    """Architecture templates."""
    register_builtin_architectures(register)


@hookimpl
def register_datasets(register: Any) -> None:
    """Synthetic sets, scikit-learn's digits, and file sources."""
    register_builtin_datasets(register)


@hookimpl
def register_visualizations(register: Any) -> None:
    """Filters, feature maps, deconvnet, saliency, Grad-CAM, occlusion, deep dream, diagnostics."""
    register_builtin_visualizations(register)
