"""Keras Tuner's ``hp`` names over an Optuna trial, for ``lamina.search(build, ...)``.

Keras Tuner cannot tune tf_keras models (it imports Keras 3), so lamina offers its
interface on Optuna: ``build(hp)`` returns a spec, and ``hp.Int``, ``hp.Float``,
``hp.Choice`` and ``hp.Boolean`` take Keras Tuner's arguments.

Example:
    >>> def build(hp):
    ...     return lamina.make_spec([8, 8, 1], [
    ...         "Flatten",
    ...         lamina.item("Dense", units=hp.Int("units", 32, 512, step=32), activation="relu"),
    ...         lamina.item("Dense", units=10, activation="softmax")],
    ...         loss="sparse_categorical_crossentropy",
    ...         optimizer={"type": "Adam", "params": {
    ...             "learning_rate": hp.Choice("learning_rate", [1e-2, 1e-3, 1e-4])}})
    >>> result = lamina.search(build, data="digits", project="tuning", trials=10)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lamina.hpsearch.errors import SearchError


class HyperParameters:
    """What ``build(hp)`` receives: Keras Tuner's ``hp`` methods, answered by an Optuna trial.

    Without a trial (``HyperParameters()``) every method returns its default, so
    ``build(HyperParameters())`` gives the default spec.

    Args:
        trial: An Optuna trial, or None for the defaults.
    """

    def __init__(self, trial: Any = None) -> None:
        self.trial = trial
        self.values: dict[str, Any] = {}

    def _keep(self, name: str, value: Any) -> Any:
        self.values[name] = value
        return value

    def Int(  # noqa: N802 - Keras Tuner's name
        self,
        name: str,
        min_value: int,
        max_value: int,
        step: int = 1,
        sampling: str = "linear",
        default: int | None = None,
    ) -> int:
        """An int from `min_value` to `max_value` (inclusive), every `step`.

        Args:
            name: The hyperparameter's name.
            min_value: Smallest value.
            max_value: Largest value.
            step: Distance between two values. Defaults to `1`.
            sampling: ``"linear"`` or ``"log"``. Defaults to ``"linear"``.
            default: The value without a trial. Defaults to `min_value`.
        """
        _check_range(name, min_value, max_value, sampling, ints=True)
        if self.trial is None:
            return self._keep(name, min_value if default is None else default)
        log = sampling == "log"
        value = self.trial.suggest_int(name, min_value, max_value, step=1 if log else step, log=log)
        return self._keep(name, value)

    def Float(  # noqa: N802 - Keras Tuner's name
        self,
        name: str,
        min_value: float,
        max_value: float,
        step: float | None = None,
        sampling: str = "linear",
        default: float | None = None,
    ) -> float:
        """A float from `min_value` to `max_value`, continuous or every `step`.

        Args:
            name: The hyperparameter's name.
            min_value: Smallest value.
            max_value: Largest value.
            step: Distance between two values, or None for any value. Defaults to `None`.
            sampling: ``"linear"`` or ``"log"``. Defaults to ``"linear"``.
            default: The value without a trial. Defaults to `min_value`.
        """
        _check_range(name, min_value, max_value, sampling, ints=False)
        if self.trial is None:
            return self._keep(name, min_value if default is None else default)
        log = sampling == "log"
        value = self.trial.suggest_float(
            name, min_value, max_value, step=None if log else step, log=log
        )
        return self._keep(name, value)

    def Choice(  # noqa: N802 - Keras Tuner's name
        self, name: str, values: Sequence[Any], ordered: bool | None = None, default: Any = None
    ) -> Any:
        """One of `values`.

        Args:
            name: The hyperparameter's name.
            values: The choices (numbers, strings or booleans).
            ordered: Accepted for Keras Tuner's signature; Optuna treats choices as unordered.
            default: The value without a trial. Defaults to the first choice.
        """
        values = list(values)
        if not values:
            raise SearchError("the list of values is empty", location=f"hp.Choice({name!r})")
        if self.trial is None:
            return self._keep(name, values[0] if default is None else default)
        return self._keep(name, self.trial.suggest_categorical(name, values))

    def Boolean(self, name: str, default: bool = False) -> bool:  # noqa: N802 - Keras Tuner's name
        """True or False.

        Args:
            name: The hyperparameter's name.
            default: The value without a trial. Defaults to `False`.
        """
        if self.trial is None:
            return self._keep(name, bool(default))
        return self._keep(name, bool(self.trial.suggest_categorical(name, [False, True])))

    def Fixed(self, name: str, value: Any) -> Any:  # noqa: N802 - Keras Tuner's name
        """A value that does not vary (recorded with the trial)."""
        if self.trial is not None:
            self.trial.set_user_attr(f"fixed.{name}", value)
        return self._keep(name, value)


def _check_range(name: str, low: Any, high: Any, sampling: str, ints: bool) -> None:
    where = f"hp.{'Int' if ints else 'Float'}({name!r})"
    kinds = (int,) if ints else (int, float)
    if not all(isinstance(v, kinds) and not isinstance(v, bool) for v in (low, high)):
        raise SearchError(
            f"min_value and max_value must be {'ints' if ints else 'numbers'}, "
            f"got {low!r}, {high!r}",
            location=where,
        )
    if not low < high:
        raise SearchError(f"min_value must be < max_value (got {low}, {high})", location=where)
    if sampling not in ("linear", "log"):
        raise SearchError(f"sampling must be 'linear' or 'log', got {sampling!r}", location=where)
    if sampling == "log" and low <= 0:
        raise SearchError(f"log sampling needs min_value > 0 (got {low})", location=where)
