"""Hyperparameter search with Optuna: spaces over spec paths, each trial a lamina run.

`run_search` runs (or resumes) a search; `lamina.search` is its front door on the
facade, taking a spec and a space or a Keras-Tuner-style ``build(hp)`` function.

Example:
    >>> from lamina.hpsearch import SearchSettings, run_search
    >>> result = run_search("mlp.json", {"units": [16, 64], "rate": [0.0, 0.5]},
    ...                     SearchSettings(name="grid", sampler="grid", trials=4),
    ...                     project="digits-project", data="digits")
    >>> result.best_spec()
"""

from __future__ import annotations

from lamina.hpsearch.errors import SearchError
from lamina.hpsearch.events import (
    SearchEvent,
    SearchFinished,
    TrialEpoch,
    TrialFinished,
    TrialStarted,
)
from lamina.hpsearch.hp import HyperParameters
from lamina.hpsearch.run import SearchResult, run_search, run_worker
from lamina.hpsearch.settings import Objective, SearchSettings, infer_direction, objectives_of
from lamina.hpsearch.space import Param, SearchSpace, apply_values
from lamina.hpsearch.storage import redact

__all__ = [
    "HyperParameters",
    "Objective",
    "Param",
    "SearchError",
    "SearchEvent",
    "SearchFinished",
    "SearchResult",
    "SearchSettings",
    "SearchSpace",
    "TrialEpoch",
    "TrialFinished",
    "TrialStarted",
    "apply_values",
    "infer_direction",
    "objectives_of",
    "redact",
    "run_search",
    "run_worker",
]
