"""``check``: a spec checked item by item, without data or training."""

from __future__ import annotations

from typing import Any

from lamina.build.compile_settings import compile_problems
from lamina.build.report import CheckReport
from lamina.build.stack import stack_problems
from lamina.build.symbolic import CheckCache, run_items
from lamina.registry import Registry
from lamina.spec import SpecError, load_spec


def check(
    spec: Any,
    registry: Registry | None = None,
    compile: bool = True,
    cache: CheckCache | None = None,
    max_params: int | None = None,
) -> CheckReport:
    """Checks a spec item by item without training.

    Args:
        spec: A `ModelSpec`, a dict, or a path to a JSON file.
        registry: The catalogue; defaults to the process-wide one.
        compile: Also check the loss, optimizer and metrics.
        cache: A `CheckCache` to reuse the unchanged leading items of earlier checks.
        max_params: The most parameters the model may have; defaults to
            ``$LAMINA_MAX_PARAMS`` or 250 million. Sizes are counted from the weights'
            shapes: a model over the limit is refused at the item that crosses it,
            without allocating that item's weights.

    Returns:
        A `CheckReport`. It never raises for a bad spec: problems are in the report.
    """
    from lamina.plugins import get_registry

    registry = registry or get_registry()
    report = CheckReport()
    try:
        spec = load_spec(spec)
    except SpecError as exc:
        report.problems = exc.problems
        return report
    static, entries = stack_problems(spec, registry)
    report.problems += static
    if compile:
        report.problems += compile_problems(spec, registry, entries)
    if spec.layers:
        run_items(spec, registry, report, entries, cache, max_params)
    return report
