"""lamina: a Keras workbench built from plug-ins.

Example:
    >>> import lamina
    >>> spec = lamina.make_spec([8, 8, 1], ["Flatten", lamina.item("Dense", units=10,
    ...                         activation="softmax")], loss="sparse_categorical_crossentropy")
    >>> model = lamina.build_model(spec)      # a compiled tf_keras model
    >>> lamina.spec_of(model) == spec
    True

``import lamina`` is light: TensorFlow loads on the first call that needs it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from lamina._env import prepare_environment as _prepare_environment

_prepare_environment()

__version__ = "0.1.0"

#: public name -> module that defines it (imported on first use)
_EXPORTS = {
    "ModelSpec": "lamina.spec",
    "SpecError": "lamina.spec",
    "load_spec": "lamina.spec",
    "save_spec": "lamina.spec",
    "parse_spec": "lamina.spec",
    "make_spec": "lamina.spec",
    "item": "lamina.spec",
    "json_schema": "lamina.spec",
    "check": "lamina.build",
    "build_model": "lamina.build",
    "spec_of": "lamina.build",
    "catalog": "lamina.api",
    "get_registry": "lamina.plugins",
    "list_plugins": "lamina.api",
    "architecture": "lamina.api",
    "load_model": "lamina.api",
    "train": "lamina.training",
    "CancelToken": "lamina.training",
    "evaluate": "lamina.inference",
    "predict": "lamina.inference",
    "predict_uncertainty": "lamina.inference",
    "load_data": "lamina.data",
    "list_devices": "lamina.training.devices",
    "load_project": "lamina.project",
    "create_project": "lamina.project",
    "open_project": "lamina.project",
    "load_run": "lamina.project",
    "Project": "lamina.project",
    "Run": "lamina.project",
    "ProjectError": "lamina.project",
    "export_python": "lamina.export",
    "export_keras": "lamina.export",
    "export_savedmodel": "lamina.export",
    "ExportError": "lamina.export",
    "viz": "lamina.visualize",
    "visualize_run": "lamina.visualize.runs",
    "save_png": "lamina.visualize",
    "VisualizationError": "lamina.visualize",
    "search": "lamina.hpsearch.api",
    "SearchSpace": "lamina.hpsearch",
    "SearchSettings": "lamina.hpsearch",
}

__all__ = ["__version__", *_EXPORTS]


#: public name -> name in its module, where they differ
_RENAMED = {"viz": "visualize"}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'lamina' has no attribute {name!r}")
    value = getattr(import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
