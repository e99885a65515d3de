"""One trial: the spec with the trial's values, checked, trained as an ordinary lamina run.

The pruner is fed after every epoch from the run's `EpochEnded` events; a pruned trial
stops at the end of that epoch (its run is saved with ``search.state = "pruned"``). A
trial that fails (does not build, NaN loss, out of memory, any error) is recorded as
failed with its reason; the search goes on.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lamina.hpsearch.events import TrialEpoch, TrialFinished, TrialStarted
from lamina.hpsearch.settings import SearchSettings
from lamina.hpsearch.space import SearchSpace, apply_values
from lamina.hpsearch.storage import redact
from lamina.spec import ModelSpec


def stop_token(stop: threading.Event | None) -> Any:
    """A `CancelToken` that is also cancelled once the search's `stop` event is set."""
    from lamina.training.callbacks import CancelToken

    class StopToken(CancelToken):
        @property
        def cancelled(self) -> bool:
            return self._event.is_set() or (stop is not None and stop.is_set())

    return StopToken()


@dataclass
class TrialContext:
    """What every trial of a search shares.

    The data set is loaded once per search (`dataset`) and handed to every trial's
    `lamina.train`; each run still records where its data came from (``data_ref``).
    """

    spec: ModelSpec
    space: SearchSpace | None
    settings: SearchSettings
    project: Any
    data: Any
    data_params: dict[str, Any] | None = None
    build: Callable[[Any], Any] | None = None
    registry: Any = None
    _dataset: Any = field(default=None, init=False, repr=False)

    def dataset(self, spec: ModelSpec) -> Any:
        """The search's data as a `Dataset`, loaded at the first trial and kept.

        Raises:
            DataError: If the data cannot be loaded or do not fit `spec`'s input.
        """
        if self._dataset is None:
            from lamina.data.sources import load_data

            self._dataset = load_data(self.data, self.registry, self.data_params, spec)
        return self._dataset

    def data_ref(self, spec: ModelSpec) -> dict[str, Any] | None:
        """Where the data come from, as each trial's ``run.json`` records it."""
        from lamina.training.run_info import data_ref

        return data_ref(self.data, self.data_params, spec)


def objective_values(
    settings: SearchSettings, history: dict[str, list[float]], metrics: dict[str, Any]
) -> list[float]:
    """The trial's objective values: at the best epoch of the first objective.

    Raises:
        KeyError: Naming a metric the run did not log.
    """
    first = settings.objectives[0]
    epochs = len(next(iter(history.values()), []))
    best = epochs - 1
    if not first.metric.startswith("test_"):
        series = history[first.metric]
        pick = min if first.direction == "minimize" else max
        finite = [(v, i) for i, v in enumerate(series) if math.isfinite(v)]
        best = pick(finite)[1] if finite else epochs - 1
    out = []
    for o in settings.objectives:
        if o.metric.startswith("test_"):
            out.append(float(metrics[o.metric[5:]]))
        else:
            out.append(float(history[o.metric][best]))
    return out


def run_trial(
    study: Any, trial: Any, ctx: TrialContext, stop: threading.Event | None, emit: Any
) -> tuple[str, list[float] | None, str]:
    """Trains one trial; returns ``(state, values, reason)`` for the caller to tell Optuna.

    The state is ``"complete"``, ``"pruned"``, ``"failed"`` or ``"interrupted"`` (`stop`
    ended it: it is marked so and queued again, and the study resumes it).
    """
    from lamina.errors import LaminaError
    from lamina.training import EpochEnded, train

    t0 = time.perf_counter()
    settings = ctx.settings
    tag: dict[str, Any] = {"name": settings.name, "trial": trial.number}
    token = stop_token(stop)
    state, reason, values, run_id = "failed", "", None, ""
    try:
        spec = _trial_spec(trial, ctx)
        emit(TrialStarted(trial.number, dict(trial.params)))
        # `train` checks the trial's spec as it builds it (located problems, the size
        # guard, before any weight is made or any file written): a bad combination of
        # values fails this trial with a `SpecError` naming the item
        last: dict[str, float] = {}
        metric = settings.objectives[0].metric
        prune = settings.pruner != "none"

        def on_event(event: Any) -> None:
            if isinstance(event, EpochEnded):
                last.clear()
                last.update(event.metrics)
                emit(TrialEpoch(trial.number, event.epoch, dict(event.metrics)))

        def prune_hook(context: Any) -> None:
            if not prune or metric not in last:
                return
            trial.report(float(last[metric]), context.epoch)
            if trial.should_prune():
                tag["pruned_after_epoch"] = context.epoch + 1
                context.model.stop_training = True

        result = train(
            spec,
            data=ctx.dataset(spec),
            project=ctx.project,
            on_event=on_event,
            cancel=token,
            registry=ctx.registry,
            run_label=f"{settings.name}-t{trial.number}",
            epoch_hooks=[prune_hook] if prune else (),
            run_tags={"search": tag, "data_ref": ctx.data_ref(spec)},
        )
        run_id = result.run_id if result.path is not None else ""
        trial.set_user_attr("run_id", run_id)
        trial.set_user_attr("epochs", result.epochs_run)
        trial.set_user_attr("tf_threads", _tf_threads())
        if result.status == "cancelled":
            state, reason = "interrupted", "stopped; retried when the search resumes"
        elif result.status == "failed":
            reason = result.reason
        elif "pruned_after_epoch" in tag:
            state = "pruned"
            reason = f"pruned after epoch {tag['pruned_after_epoch']}"
        else:
            try:
                values = objective_values(settings, result.history, result.metrics)
            except KeyError as exc:
                logged = ", ".join(sorted(result.history)) or "nothing"
                reason = f"the run did not log the objective {exc.args[0]!r} (it logged {logged})"
            else:
                if all(math.isfinite(v) for v in values):
                    state = "complete"
                else:
                    reason = f"an objective is not finite: {values}"
                    values = None
    except (LaminaError, ValueError, MemoryError, ArithmeticError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - e.g. tf.errors.ResourceExhaustedError (out of memory)
        reason = f"{type(exc).__name__}: {exc}"
    except KeyboardInterrupt:
        mark_interrupted(study, trial, "interrupted (Ctrl+C); retried when the search resumes")
        raise
    reason = redact(reason)
    if reason:
        trial.set_user_attr("reason", reason)
    if state == "interrupted":
        mark_interrupted(study, trial, reason)
    emit(
        TrialFinished(
            trial.number,
            "failed" if state == "interrupted" else state,
            values,
            run_id,
            reason,
            time.perf_counter() - t0,
        )
    )
    return state, values, reason


def _tf_threads() -> int:
    """TensorFlow's threads per operation in this process (0: its default, all cores)."""
    from lamina.keras import tf

    return int(tf.config.threading.get_intra_op_parallelism_threads())


def _trial_spec(trial: Any, ctx: TrialContext) -> ModelSpec:
    """The trial's spec: the space's values applied, or what ``build(hp)`` returns."""
    from lamina.spec import load_spec

    if ctx.build is not None:
        from lamina.hpsearch.hp import HyperParameters

        spec = load_spec(ctx.build(HyperParameters(trial)))
    else:
        assert ctx.space is not None
        spec = apply_values(ctx.spec, ctx.space.suggest(trial))
    if ctx.settings.epochs is not None:
        spec = spec.copy_with(
            training={**spec.training.model_dump(mode="json"), "epochs": ctx.settings.epochs}
        )
    return spec


def mark_interrupted(study: Any, trial: Any, reason: str) -> None:
    """Marks a trial cut short (stop, Ctrl+C) so it does not count, and queues it again."""
    trial.set_user_attr("interrupted", True)
    trial.set_user_attr("reason", reason)
    if trial.params:
        study.enqueue_trial(dict(trial.params), user_attrs={"retry_of": trial.number})
