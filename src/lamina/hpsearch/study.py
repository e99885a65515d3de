"""The Optuna study of a search: created or resumed, with what lamina stores in it.

A study keeps, in its user attributes, everything a worker needs to join it from any
machine: the spec, the space, the data reference and the settings (never a storage URL).
Reusing a study name with another space, spec or objectives is refused.
"""

from __future__ import annotations

import json
from typing import Any

from lamina.hpsearch.errors import SearchError
from lamina.hpsearch.settings import SearchSettings
from lamina.hpsearch.space import SearchSpace
from lamina.hpsearch.storage import describe, open_storage
from lamina.spec import ModelSpec

ATTR = "lamina"


def make_sampler(settings: SearchSettings, space: SearchSpace | None, offset: int = 0) -> Any:
    """The Optuna sampler of the settings (seeded with ``seed + offset`` when a seed is set)."""
    import optuna

    seed = None if settings.seed is None else settings.seed + offset
    if settings.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if settings.sampler == "grid":
        if space is None:
            raise SearchError(
                "a grid needs a search space (JSON), not build(hp)",
                location="search.sampler",
                hint="use the sampler random or tpe with build(hp)",
            )
        return optuna.samplers.GridSampler(space.grid(), seed=seed)
    return optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=min(10, max(2, settings.trials // 3))
    )


def make_pruner(settings: SearchSettings, max_epochs: int) -> Any:
    """The Optuna pruner of the settings (epochs are its resource)."""
    import optuna

    if settings.pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1)
    if settings.pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    if settings.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=max(max_epochs, 3), reduction_factor=3
        )
    return optuna.pruners.NopPruner()


def budget(settings: SearchSettings, space: SearchSpace | None) -> int:
    """How many trials the search runs: `settings.trials`, at most the grid's size."""
    if settings.sampler == "grid" and space is not None:
        return min(settings.trials, space.grid_size())
    return settings.trials


def stored(study: Any) -> dict[str, Any] | None:
    """What lamina stored in the study, or None for a study it did not make."""
    return study.user_attrs.get(ATTR)


def _differences(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    if old["space"] != new["space"]:
        changed = sorted(set(old["space"]) ^ set(new["space"])) or [
            k for k in new["space"] if old["space"].get(k) != new["space"][k]
        ]
        return f"another space (differs at {', '.join(repr(c) for c in changed[:3])})"
    if old["spec"] != new["spec"]:
        return "another spec"
    if old["settings"]["objectives"] != new["settings"]["objectives"]:
        return "other objectives"
    if old["settings"]["sampler"] != new["settings"]["sampler"]:
        return f"the {old['settings']['sampler']} sampler"
    return None


def create_or_resume(
    spec: ModelSpec,
    space: SearchSpace | None,
    settings: SearchSettings,
    project: Any,
    data_ref: Any,
    offset: int = 0,
) -> Any:
    """Creates the study, or loads it when it exists and was made with the same space.

    Raises:
        SearchError: If the study exists with another space, spec, objectives or sampler.
    """
    import optuna

    storage = open_storage(settings.storage, project)
    where = describe(settings.storage, project)
    record = {
        "spec": spec.to_dict(),
        "space": space.to_json() if space is not None else None,
        "data": data_ref,
        "settings": settings.to_json(),
    }
    record = json.loads(json.dumps(record))
    existing = {
        s.study_name: s for s in optuna.get_all_study_summaries(storage, include_best_trial=False)
    }
    if settings.name in existing:
        old = existing[settings.name].user_attrs.get(ATTR)
        # a study without lamina's record and without trials is one whose creation was
        # killed before the record was written: it is taken over, not refused
        if old is None and existing[settings.name].n_trials > 0:
            raise SearchError(
                f"a study {settings.name!r} not made by lamina is in {where}",
                location="search.name",
            )
        diff = None if old is None else _differences(old, record)
        if diff is not None:
            raise SearchError(
                f"the search {settings.name!r} in {where} was made with {diff}",
                location="search.name",
                hint="give this search another name, or run it with what it was made with",
            )
    study = optuna.create_study(
        storage=storage,
        study_name=settings.name,
        directions=settings.directions,  # type: ignore[arg-type]
        load_if_exists=True,
        sampler=make_sampler(settings, space, offset),
        pruner=make_pruner(settings, settings.epochs or spec.training.epochs),
    )
    study.set_user_attr(ATTR, record)  # new, or the same search with another budget
    return study


def load(
    name: str, storage: str | None, project: Any, offset: int = 0
) -> tuple[Any, dict[str, Any]]:
    """Loads a study made by lamina, with its sampler and pruner; returns it and its record.

    Raises:
        SearchError: If there is no such study (the known ones are listed).
    """
    import optuna

    store = open_storage(storage, project, create=False)
    names = [s.study_name for s in optuna.get_all_study_summaries(store, include_best_trial=False)]
    where = describe(storage, project)
    if name not in names:
        raise SearchError(
            f"no search {name!r} in {where}",
            location="search.name",
            hint=f"searches there: {', '.join(names)}"
            if names
            else "start one with `lamina search SPEC`",
        )
    study = optuna.load_study(study_name=name, storage=store)
    record = stored(study)
    if record is None:
        raise SearchError(
            f"the study {name!r} in {where} was not made by lamina", location="search.name"
        )
    settings = SearchSettings.from_json(record["settings"], storage=storage)
    space = _space_of(record)
    spec = ModelSpec.model_validate(record["spec"])
    study.sampler = make_sampler(settings, space, offset)
    study.pruner = make_pruner(settings, settings.epochs or spec.training.epochs)
    return study, record


def _space_of(record: dict[str, Any]) -> SearchSpace | None:
    from lamina.hpsearch.space import Param

    if record.get("space") is None:
        return None
    params = []
    for path, value in record["space"].items():
        if isinstance(value, list):
            params.append(Param(path, "categorical", choices=tuple(value)))
        else:
            params.append(
                Param(
                    path,
                    value["type"],
                    value["low"],
                    value["high"],
                    value.get("step"),
                    value.get("log", False),
                )
            )
    return SearchSpace(tuple(params))


def space_of(record: dict[str, Any]) -> SearchSpace | None:
    """The space a study was made with (paths already checked when it was made)."""
    return _space_of(record)


def list_studies(storage: str | None, project: Any) -> list[str]:
    """Names of the studies in a storage."""
    import optuna

    store = open_storage(storage, project, create=False)
    return [s.study_name for s in optuna.get_all_study_summaries(store, include_best_trial=False)]
