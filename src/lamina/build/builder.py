"""``build_model``: a spec turned into a compiled tf_keras model.

"Sequential" is the user's model; underneath the builder makes a functional model so
that graph layers can get the adjacency threaded to them.
"""

from __future__ import annotations

from typing import Any

from lamina.build.compile_settings import compile_problems, make_loss, make_optimizer
from lamina.build.report import CheckReport
from lamina.build.stack import snake, stack_problems
from lamina.build.symbolic import run_items
from lamina.registry import Registry
from lamina.spec import load_spec

#: The attribute of a built model that holds its spec.
SPEC_ATTRIBUTE = "_lamina_spec"


def build_model(spec: Any, registry: Registry | None = None, compile: bool = True) -> Any:
    """Builds a spec into a tf_keras model (compiled unless `compile` is False).

    Args:
        spec: A `ModelSpec`, a dict, or a path to a JSON file.
        registry: The catalogue; defaults to the process-wide one.
        compile: Compile with the spec's loss, optimizer and metrics.

    Returns:
        A ``tf_keras.Model``; ``lamina.spec_of(model)`` gives its spec back.

    Raises:
        SpecError: With every located problem if the spec does not build.
    """
    from lamina.keras import keras
    from lamina.plugins import get_registry

    registry = registry or get_registry()
    spec = load_spec(spec)
    report = CheckReport()
    static, entries = stack_problems(spec, registry)
    report.problems += static
    if compile:
        report.problems += compile_problems(spec, registry, entries)
    report.raise_if_failed()
    graph = run_items(spec, registry, report, entries)
    report.raise_if_failed()
    assert graph is not None
    inputs = graph.inputs if len(graph.inputs) > 1 else graph.inputs[0]
    model = keras.Model(inputs=inputs, outputs=graph.outputs, name=snake(spec.name) or "model")
    setattr(model, SPEC_ATTRIBUTE, spec)
    if compile:
        model.compile(
            loss=make_loss(spec, registry),
            optimizer=make_optimizer(spec, registry),
            metrics=list(spec.compile.metrics),
        )
    return model
