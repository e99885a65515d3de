"""``lamina.search``: the facade's one call for a hyperparameter search."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from lamina.hpsearch.run import SearchResult, run_search
from lamina.hpsearch.settings import SearchSettings, objectives_of


def search(
    spec_or_build: Any,
    space: Any = None,
    *,
    data: Any = None,
    project: Any = "lamina-project",
    trials: int = 20,
    sampler: str = "tpe",
    pruner: str = "none",
    objective: str | Sequence[str] = "val_loss",
    direction: str | Sequence[str] | None = None,
    name: str = "search",
    seed: int | None = None,
    storage: str | None = None,
    workers: int = 1,
    epochs: int | None = None,
    data_params: dict[str, Any] | None = None,
    on_event: Callable[[Any], None] | None = None,
    stop: threading.Event | None = None,
) -> SearchResult:
    """Searches hyperparameters with Optuna; each trial is a lamina run in `project`.

    Example:
        >>> def build(hp):
        ...     units = hp.Int("units", 16, 128, step=16)
        ...     return lamina.make_spec([8, 8, 1], ["Flatten",
        ...         lamina.item("Dense", units=units, activation="relu"),
        ...         lamina.item("Dense", units=10, activation="softmax")],
        ...         loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> result = lamina.search(build, data="digits", trials=10, objective="val_accuracy")
        >>> result.best_spec()

    Args:
        spec_or_build: A spec with a `space`, or ``build(hp) -> spec`` (Keras Tuner's ``hp``).
        space: The space (dict, JSON text or file) when a spec is given.
        data: The data, as for `lamina.train`. Defaults to the spec's ``data``.
        project: The project folder for the runs (and the study's journal file).
        trials: How many trials to finish. Defaults to `20`.
        sampler: ``"tpe"``, ``"random"`` or ``"grid"``. Defaults to ``"tpe"``.
        pruner: ``"none"``, ``"median"``, ``"halving"`` or ``"hyperband"``.
        objective: A logged metric, or several (a Pareto front). Defaults to ``"val_loss"``.
        direction: ``"minimize"``/``"maximize"`` per objective; inferred from the names.
        name: The search's (study's) name. Defaults to ``"search"``.
        seed: Seed of the sampler.
        storage: A database URL (``postgresql://...``); None keeps the study in the project.
        workers: Worker processes on this machine.
        epochs: Overrides the spec's epochs for every trial.
        data_params: Extra parameters of the dataset or loader.
        on_event: Receives `TrialStarted`, `TrialEpoch`, `TrialFinished`, `SearchFinished`.
        stop: A `threading.Event`; set it to stop within one batch (resumable).
    """
    settings = SearchSettings(
        name=name,
        trials=trials,
        sampler=sampler,
        pruner=pruner,
        objectives=objectives_of(objective, direction),
        seed=seed,
        storage=storage,
        workers=workers,
        epochs=epochs,
    )
    return run_search(
        spec_or_build,
        space,
        settings,
        project=project,
        data=data,
        data_params=data_params,
        on_event=on_event,
        stop=stop,
    )
