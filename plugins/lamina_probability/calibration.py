"""Calibration of predictive distributions: do the intervals hold what they promise?

A 95% central interval should contain 95% of the test targets. `calibration_report`
measures the coverage of the 68% and 95% intervals, the mean negative
log-likelihood, and a calibration curve (expected vs observed coverage of central
intervals for a grid of levels), which `CalibrationReport.plot` draws to a PNG.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lamina.keras import tf

__all__ = ["CalibrationReport", "calibration_report", "mean_nll"]


@dataclass
class CalibrationReport:
    """Calibration numbers for one model on one test set.

    Attributes:
        coverage_68: Fraction of targets inside the 68% central intervals.
        coverage_95: Fraction of targets inside the 95% central intervals.
        nll: Mean negative log-likelihood per sample.
        levels: Nominal levels of the calibration curve.
        observed: Observed coverage at each level.
    """

    coverage_68: float
    coverage_95: float
    nll: float
    levels: np.ndarray
    observed: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        """Returns plain JSON-serialisable numbers."""
        return {
            "coverage_68": self.coverage_68,
            "coverage_95": self.coverage_95,
            "nll": self.nll,
            "levels": self.levels.tolist(),
            "observed": self.observed.tolist(),
        }

    def plot(self, path: str | Path, title: str = "Calibration") -> Path:
        """Draws the calibration curve to a PNG (matplotlib, Agg backend); returns the path."""
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure

        fig = Figure(figsize=(4, 4), dpi=100)
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect")
        ax.plot(self.levels, self.observed, "o-", label="model")
        ax.set_xlabel("expected coverage of central interval")
        ax.set_ylabel("observed coverage")
        ax.set_title(
            f"{title}\n68%: {self.coverage_68:.2f}, 95%: {self.coverage_95:.2f}, "
            f"NLL {self.nll:.2f}",
            fontsize=9,
        )
        ax.legend(loc="upper left", fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        fig.tight_layout()
        path = Path(path)
        fig.savefig(path)
        return path


def mean_nll(model: Any, x: Any, y: Any, passes: int = 1, seed: int | None = 0) -> float:
    """Mean negative log-likelihood per sample.

    With several passes (Bayesian layers) the predictive density is the average of
    the per-pass densities: ``-log mean_p p_p(y | x)``.

    Args:
        model: A model ending in a probabilistic head.
        x: Inputs.
        y: Targets.
        passes: Forward passes to average. Defaults to `1`.
        seed: Seed for the weight draws. Defaults to `0`.
    """
    if seed is not None:
        tf.random.set_seed(seed)
    y = np.asarray(y, dtype="float32")
    logps = []
    for _ in range(passes):
        dist = model(np.asarray(x), training=False)
        yy = y.reshape(len(y), -1) if dist.event_shape.rank == 1 else y
        logps.append(np.asarray(dist.log_prob(yy), dtype="float64").reshape(len(y)))
    lp = np.stack(logps)
    top = lp.max(axis=0)
    mix = top + np.log(np.exp(lp - top).mean(axis=0))
    return float(-mix.mean())


def calibration_report(
    model: Any,
    x: Any,
    y: Any,
    levels: Any = None,
    n_samples: int = 500,
    passes: int | None = None,
    seed: int | None = 0,
    png: str | Path | None = None,
) -> CalibrationReport:
    """Measures interval coverage, NLL and a calibration curve on test data.

    Coverage uses the probability integral transform estimated from samples: a target
    lies in the central interval of level ``p`` when the fraction of predictive
    samples below it is within ``p/2`` of one half. Each target value counts once
    (several targets per sample are pooled).

    Args:
        model: A model ending in a probabilistic head.
        x: Test inputs.
        y: Test targets.
        levels: Nominal levels of the curve. Defaults to `0.05, 0.10, ..., 0.95, 0.99`.
        n_samples: Predictive samples per pass. Defaults to `500`.
        passes: Forward passes (``None``: 30 with Bayesian layers, else 1).
        seed: Seed for all sampling. Defaults to `0`.
        png: Where to write the curve as a PNG, if given.

    Returns:
        A `CalibrationReport`.
    """
    from lamina_probability.predict import has_bayesian_layers, predict_distribution

    if passes is None:
        passes = 30 if has_bayesian_layers(model) else 1
    levels = np.asarray(
        levels if levels is not None else [*np.round(np.arange(0.05, 0.96, 0.05), 2), 0.99],
        dtype="float64",
    )
    pred = predict_distribution(
        model, x, n_samples=n_samples, passes=passes, seed=seed, quantiles=()
    )
    samples = pred.samples
    assert samples is not None
    yy = np.asarray(y, dtype="float64").reshape(samples.shape[1], -1)
    below = (samples < yy[None]).mean(axis=0)
    equal = (samples == yy[None]).mean(axis=0)
    pit = (below + 0.5 * equal).ravel()  # randomised-free mid-PIT, fair to discrete heads
    dist_to_centre = np.abs(pit - 0.5)
    observed = np.array([(dist_to_centre <= lv / 2).mean() for lv in levels])
    report = CalibrationReport(
        coverage_68=float((dist_to_centre <= 0.34).mean()),
        coverage_95=float((dist_to_centre <= 0.475).mean()),
        nll=mean_nll(model, x, y, passes=passes, seed=seed),
        levels=levels,
        observed=observed,
    )
    if png is not None:
        report.plot(png)
    return report
