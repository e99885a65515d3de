"""What a running search reports through ``on_event``: small typed dataclasses.

The app's engine relays them; the CLI draws its progress bar from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TrialStarted:
    """A trial starts training with these parameter values (path -> value)."""

    number: int
    params: dict[str, Any]


@dataclass(frozen=True)
class TrialEpoch:
    """A trial finished an epoch (0-based) with these logs (metric -> value)."""

    number: int
    epoch: int
    logs: dict[str, float]


@dataclass(frozen=True)
class TrialFinished:
    """A trial ended.

    Attributes:
        number: The trial's number in the study.
        state: ``"complete"``, ``"pruned"`` or ``"failed"``.
        values: The objective value(s), or None when failed.
        run_id: The trial's run in the project ("" if none was saved).
        reason: Why it was pruned or failed.
        seconds: Wall time of the trial.
    """

    number: int
    state: str
    values: list[float] | None
    run_id: str
    reason: str
    seconds: float


@dataclass(frozen=True)
class SearchFinished:
    """The search ended (budget reached, grid done, or stopped).

    Attributes:
        name: The study's name.
        complete: Trials complete, pruned and failed in the study.
        stopped: True if ``stop`` was set before the budget was reached.
        best: Numbers of the best trial(s) (several on a Pareto front).
    """

    name: str
    complete: int
    pruned: int
    failed: int
    stopped: bool
    best: list[int] = field(default_factory=list)


SearchEvent = TrialStarted | TrialEpoch | TrialFinished | SearchFinished
