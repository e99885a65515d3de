"""Losses for distribution outputs."""

from __future__ import annotations

from typing import Any


def negative_log_likelihood(y_true: Any, y_pred: Any) -> Any:
    """Negative log-likelihood of the targets under the predicted distribution.

    ``y_pred`` is the distribution returned by a probabilistic head (``model(x)``);
    the loss is ``-y_pred.log_prob(y_true)`` per sample. With a unit-scale Normal
    head it equals half the squared error plus a constant.

    Args:
        y_true: Targets, shaped like a sample of the distribution.
        y_pred: A ``tfp.distributions.Distribution``.

    Raises:
        TypeError: If ``y_pred`` is a plain tensor (the stack does not end with a head).
    """
    if not hasattr(y_pred, "log_prob"):
        raise TypeError(
            "negative_log_likelihood needs a distribution as prediction: end the stack "
            f"with a probabilistic head (e.g. 'Normal'); got {type(y_pred).__name__}"
        )
    return -y_pred.log_prob(y_true)
