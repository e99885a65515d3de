"""lamina's probabilistic plug-in: distribution heads, Bayesian layers, uncertainty.

Heads end a model spec and make ``model(x)`` return a TensorFlow Probability
distribution; the default loss is ``negative_log_likelihood``. Bayesian layers
(`DenseVariational`, `DenseFlipout`, ...) put a distribution on the weights.
`predict_distribution` and `calibration_report` turn either into numbers.
"""

from __future__ import annotations

__all__ = [
    "calibration_report",
    "check_targets",
    "predict_distribution",
    "set_kl_weight",
]


def __getattr__(name: str):  # lazy: importing the package must not import TensorFlow
    if name == "predict_distribution":
        from lamina_probability.predict import predict_distribution

        return predict_distribution
    if name == "calibration_report":
        from lamina_probability.calibration import calibration_report

        return calibration_report
    if name == "check_targets":
        from lamina_probability.heads import check_targets

        return check_targets
    if name == "set_kl_weight":
        from lamina_probability.bayesian import set_kl_weight

        return set_kl_weight
    raise AttributeError(name)
