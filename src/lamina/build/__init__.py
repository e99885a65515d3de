"""Turning a spec into a compiled tf_keras model, and checking a spec item by item.

``check`` runs every item symbolically (no data, no training) and reports, per item,
its output shape, parameter count and error; ``build_model`` does the same and
compiles the model; ``spec_of`` gives a model's spec back.

Modules:
    report: `CheckReport` and `ItemReport`.
    params: checking spec parameters and turning them into keyword arguments.
    stack: which entry each item names; the items' layer names.
    graph_inputs: the extra inputs (adjacency, edge features) graph layers take.
    symbolic: running the items on Keras inputs, with a prefix `CheckCache`.
    compile_settings: the loss, optimizer and metrics.
    checker, builder, from_model: `check`, `build_model` and `spec_of`.
"""

from lamina.build.builder import SPEC_ATTRIBUTE, build_model
from lamina.build.checker import check
from lamina.build.compile_settings import make_loss, make_optimizer
from lamina.build.from_model import spec_of
from lamina.build.params import check_params, convert_params, make_regularizer
from lamina.build.report import CheckReport, ItemReport
from lamina.build.stack import item_layer_name, resolve_item
from lamina.build.symbolic import CheckCache

__all__ = [
    "SPEC_ATTRIBUTE",
    "CheckCache",
    "CheckReport",
    "ItemReport",
    "build_model",
    "check",
    "check_params",
    "convert_params",
    "item_layer_name",
    "make_loss",
    "make_optimizer",
    "make_regularizer",
    "resolve_item",
    "spec_of",
]
