"""`SearchSettings`: how a search runs (trials, sampler, pruner, objectives, storage)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from lamina.hpsearch.errors import SearchError

SAMPLERS = ("random", "grid", "tpe")
PRUNERS = ("none", "median", "halving", "hyperband")
DIRECTIONS = ("minimize", "maximize")
#: Parts of a metric name that mean "higher is better".
MAXIMIZE_WORDS = ("acc", "auc", "precision", "recall", "r2", "f1", "iou")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_search_name(name: Any) -> None:
    """Refuses a search name that is not letters, digits, '_', '-' and '.'.

    The name goes into file names, Optuna study names and the Slurm script.

    Raises:
        SearchError: Located at ``search.name``.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise SearchError(
            f"{name!r} is not a valid search name",
            location="search.name",
            hint="letters, digits, '_', '-' and '.', starting with a letter or digit",
        )


def infer_direction(metric: str) -> str:
    """``"maximize"`` for accuracy-like metrics (acc, auc, precision, recall, r2), else minimize.

    Example:
        >>> infer_direction("val_accuracy"), infer_direction("val_loss")
        ('maximize', 'minimize')
    """
    name = metric.lower()
    if any(word in name for word in ("loss", "error", "mae", "mse", "rmse")):
        return "minimize"
    return "maximize" if any(word in name for word in MAXIMIZE_WORDS) else "minimize"


@dataclass(frozen=True)
class Objective:
    """One objective: a logged metric and its direction.

    A metric is any name of the run's history (``val_loss``, ``val_accuracy``, ...):
    its value at the best epoch is the trial's value. ``test_NAME`` is the test metric
    NAME of the finished run (not usable for pruning).
    """

    metric: str
    direction: str

    def to_json(self) -> dict[str, str]:
        """``{"metric", "direction"}``."""
        return {"metric": self.metric, "direction": self.direction}


def objectives_of(metrics: Any, directions: Any = None) -> tuple[Objective, ...]:
    """Objectives from metric name(s) and optional direction(s) (inferred when missing).

    A direction given as ``"auto"`` or None is inferred from its metric's name too.

    Raises:
        SearchError: If a direction is not minimize/maximize or the counts differ.
    """
    names = [metrics] if isinstance(metrics, str) else list(metrics or ["val_loss"])
    if isinstance(directions, str):
        directions = [directions]
    dirs = list(directions or [])
    if dirs and len(dirs) != len(names):
        raise SearchError(
            f"{len(dirs)} direction(s) for {len(names)} objective(s)",
            location="search.directions",
            hint="give one direction per objective, or none to infer them from the names",
        )
    out = []
    for i, name in enumerate(names):
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][\w.]*", name):
            raise SearchError(f"not a metric name: {name!r}", location="search.objectives")
        direction = dirs[i] if dirs else None
        if direction in (None, "auto"):
            direction = infer_direction(name)
        if direction not in DIRECTIONS:
            raise SearchError(
                f"unknown direction {direction!r}; use minimize, maximize or auto",
                location="search.directions",
            )
        out.append(Objective(name, direction))
    if len({o.metric for o in out}) != len(out):
        raise SearchError("an objective is given twice", location="search.objectives")
    return tuple(out)


@dataclass(frozen=True)
class SearchSettings:
    """How a search runs.

    Args:
        name: The study's name (one project can hold several searches).
        trials: How many trials to finish (trials that fail count; trials cut short by a
            kill are retried and do not).
        sampler: ``"random"``, ``"grid"`` (the full grid of choices and steps) or ``"tpe"``.
        pruner: ``"none"``, ``"median"``, ``"halving"`` (successive halving) or
            ``"hyperband"``; fed with the first objective after every epoch.
        objectives: One or several `Objective`; several give a Pareto front.
        seed: Seed of the sampler: the same seed proposes the same trials.
        storage: An Optuna storage URL (``postgresql://...``, ``sqlite:///...``) or None
            for the journal file in the project (``PROJECT/search/studies.journal``).
        workers: Worker processes on this machine.
        epochs: Overrides ``training.epochs`` of every trial (None keeps the spec's).
    """

    name: str = "search"
    trials: int = 20
    sampler: str = "tpe"
    pruner: str = "none"
    objectives: tuple[Objective, ...] = field(
        default_factory=lambda: (Objective("val_loss", "minimize"),)
    )
    seed: int | None = None
    storage: str | None = None
    workers: int = 1
    epochs: int | None = None

    def __post_init__(self) -> None:
        check_search_name(self.name)
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or self.trials < 1:
            raise SearchError(
                f"must be a whole number >= 1, got {self.trials!r}", location="search.trials"
            )
        if self.sampler not in SAMPLERS:
            raise SearchError(
                f"unknown sampler {self.sampler!r}",
                location="search.sampler",
                hint=f"use one of {', '.join(SAMPLERS)}",
            )
        if self.pruner not in PRUNERS:
            raise SearchError(
                f"unknown pruner {self.pruner!r}",
                location="search.pruner",
                hint=f"use one of {', '.join(PRUNERS)}",
            )
        if not self.objectives:
            raise SearchError("at least one objective is needed", location="search.objectives")
        if self.pruner != "none" and len(self.objectives) > 1:
            raise SearchError(
                "Optuna cannot prune a search with several objectives",
                location="search.pruner",
                hint="use the pruner none, or one objective",
            )
        if self.pruner != "none" and self.objectives[0].metric.startswith("test_"):
            raise SearchError(
                f"{self.objectives[0].metric} is only known after training, so it cannot prune",
                location="search.pruner",
                hint="use a validation metric (val_loss) or the pruner none",
            )
        if self.seed is not None and (
            isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0
        ):
            raise SearchError(
                f"must be a whole number >= 0, got {self.seed!r}", location="search.seed"
            )
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise SearchError(
                f"must be a whole number >= 1, got {self.workers!r}", location="search.workers"
            )
        if self.epochs is not None and (not isinstance(self.epochs, int) or self.epochs < 1):
            raise SearchError(
                f"must be a whole number >= 1, got {self.epochs!r}", location="search.epochs"
            )

    @property
    def directions(self) -> list[str]:
        """The objectives' directions."""
        return [o.direction for o in self.objectives]

    @property
    def metrics(self) -> list[str]:
        """The objectives' metric names."""
        return [o.metric for o in self.objectives]

    def to_json(self) -> dict[str, Any]:
        """What the study stores of the settings (never the storage URL: it may hold a password)."""
        data = asdict(self)
        data.pop("storage")
        data["objectives"] = [o.to_json() for o in self.objectives]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], **changes: Any) -> SearchSettings:
        """Settings stored by `to_json`, with `changes`."""
        data = {**data, **changes}
        data["objectives"] = tuple(Objective(**o) for o in data.get("objectives", []))
        return cls(**data)
