"""Runs every tutorial script of docs/tutorials in quick mode and checks its key result.

Each script has ``main(quick=True, out_dir=...)``: tiny data and few epochs, the same
code path as the full run that makes the figures of the documentation.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

TUTORIALS = Path(__file__).resolve().parents[2] / "docs" / "tutorials"


def load(name: str) -> ModuleType:
    path = TUTORIALS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"tutorial_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run(name: str, tmp_path: Path, pngs: list[str]) -> dict:
    result = load(name).main(quick=True, out_dir=tmp_path)
    for png in pngs:
        path = tmp_path / png
        assert path.is_file() and path.stat().st_size > 1000, png
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return result


def test_every_tutorial_script_has_a_page_and_a_test() -> None:
    scripts = sorted(p.stem for p in TUTORIALS.glob("ch*.py"))
    assert scripts, "no tutorial scripts found"
    source = Path(__file__).read_text()
    for stem in scripts:
        assert (TUTORIALS / f"{stem}.md").is_file(), f"{stem}.py has no page"
        assert f'"{stem}"' in source, f"{stem}.py is not run by this test file"


def test_ch01_backprop(tmp_path: Path) -> None:
    r = run("ch01_backprop", tmp_path, ["ch01_backprop.png"])
    # the numbers of Mazur's worked example
    assert r["loss"] == pytest.approx(0.298371109, abs=1e-9)
    assert r["w5_new"] == pytest.approx(0.35891648, abs=1e-8)
    assert r["w1_new"] == pytest.approx(0.149780716, abs=1e-9)
    assert r["fd_error"] < 1e-8  # chain rule == finite differences
    assert r["keras_loss"] == pytest.approx(r["loss"], abs=1e-6)  # Keras MSE == E_total
    assert r["step_error"] < 1e-6  # hand update == lamina's SGD step (float32)


def test_ch02_universal_approximation(tmp_path: Path) -> None:
    r = run("ch02_universal_approximation", tmp_path, ["ch02_activations.png", "ch02_width.png"])
    e = r["errors"]
    assert e[4] < e[1] / 2
    assert e[64] < e[1] / 3
    assert min(e[16], e[64]) < e[4]


def test_ch03_losses_likelihood(tmp_path: Path) -> None:
    r = run("ch03_losses_likelihood", tmp_path, ["ch03_likelihood.png"])
    for key in ("bernoulli", "categorical", "normal", "laplace"):
        assert r[key] < 1e-5, key
    assert r["p_hat"] == pytest.approx(r["frequency"], abs=0.011)
    assert r["mu_hat"] == pytest.approx(r["mean"], abs=0.03)


def test_ch04_optimizers(tmp_path: Path) -> None:
    r = run("ch04_optimizers", tmp_path, ["ch04_optimizers.png"])
    final = r["final_loss"]
    assert final["Adam"] < final["SGD"]
    assert final["momentum"] < final["SGD"]
    assert r["mini_batch"] < r["full_batch"]


@pytest.mark.slow
def test_ch05_overfitting(tmp_path: Path) -> None:
    r = run("ch05_overfitting", tmp_path, ["ch05_curves.png"])
    baseline = r["baseline"]["gap"]
    assert baseline > 0.2  # the baseline does over-fit
    for remedy in ("dropout", "L2", "early stopping"):
        assert r[remedy]["gap"] < 0.9 * baseline, remedy
    assert r["early stopping"]["epochs"] < r["baseline"]["epochs"]


@pytest.mark.slow
def test_ch06_cnn(tmp_path: Path) -> None:
    r = run("ch06_cnn", tmp_path, ["ch06_arithmetic.png", "ch06_training.png"])
    assert r["size_mismatches"] == 0  # formula == lamina.check for every case
    assert r["conv_error"] < 1e-5 and r["pool_error"] < 1e-5  # Keras == numpy
    assert r["accuracy"]["galaxies"] > 0.55  # 3 classes: chance is 1/3
    assert r["accuracy"]["digits"] > 0.6  # 10 classes: chance is 1/10


@pytest.mark.slow
def test_ch09_sequences(tmp_path: Path) -> None:
    r = run("ch09_sequences", tmp_path, ["ch09_sequences.png"])
    assert r["accuracy"]["LSTM"] > 0.5  # 3 classes: chance is 1/3
    n, heads, steps, steps2 = r["attention_shape"]
    assert heads == 2 and steps == steps2 == 32
    assert r["row_sum_error"] < 1e-4  # every query's weights are a distribution


def test_uncertainty(tmp_path: Path) -> None:
    r = run(
        "uncertainty",
        tmp_path,
        [
            "uncertainty_scale.png",
            "uncertainty_calibration.png",
            "uncertainty_mixture.png",
            "uncertainty_bayesian.png",
        ],
    )
    cov, nll = r["coverage_95"], r["nll"]
    # the learned scale is calibrated: its 95% intervals hold about 95% of the test points
    assert 0.88 <= cov["Normal"] <= 0.99
    # the fixed scale (= MSE) is not: further from 95% and a much worse likelihood
    assert abs(cov["NormalFixedScale"] - 0.95) > abs(cov["Normal"] - 0.95)
    assert nll["NormalFixedScale"] > nll["Normal"] + 0.3
    # two branches: the mixture fits them no worse than one Normal
    assert r["bimodal_nll"]["MixtureNormal"] <= r["bimodal_nll"]["Normal"] + 0.05
    # the Bayesian layer is more unsure away from its training range
    assert r["epistemic_outside"] > 1.3 * r["epistemic_inside"]


def test_graphs(tmp_path: Path) -> None:
    r = run(
        "graphs",
        tmp_path,
        ["graph_adjacency.png", "graph_importance_star.png", "graph_embeddings.png"],
    )
    assert r["structures_accuracy"] > 0.6  # 5 graph structures: chance is 1/5
    assert r["block_accuracy"] > 0.6  # 3 communities: chance is 1/3


@pytest.mark.slow
def test_ch12_transfer(tmp_path: Path) -> None:
    r = run("ch12_transfer", tmp_path, ["ch12_transfer.png"])
    assert r["source_accuracy"] > 0.5  # 3 galaxy classes: chance is 1/3
    acc = r["target_accuracy"]
    # 10 labelled images: the transferred convolutions (frozen: 1/5 of the weights train)
    # reach a useful accuracy and do no worse than training everything from scratch
    assert acc["frozen"] > 0.75 and acc["fine-tuned"] > 0.75
    assert max(acc["frozen"], acc["fine-tuned"]) >= acc["from scratch"] - 0.03
    assert r["trainable"]["frozen"] < r["trainable"]["from scratch"] / 2


@pytest.mark.slow
def test_ch07_inside_cnn(tmp_path: Path) -> None:
    r = run(
        "ch07_inside_cnn",
        tmp_path,
        ["ch07_filters.png", "ch07_feature_maps.png", "ch07_occlusion.png"],
    )
    assert r["accuracy"] > 0.8
    # the occlusion map peaks on the spot (a 3-pixel plus in a 32x32 image)
    assert r["median_distance"] <= 4.0


@pytest.mark.slow
def test_ch08_encoder_decoder(tmp_path: Path) -> None:
    r = run("ch08_encoder_decoder", tmp_path, ["ch08_denoise_segment.png", "ch08_anomaly.png"])
    assert r["denoised_mse"] < r["noisy_mse"] / 3  # the autoencoder removes most noise
    assert r["error_anomaly"] > r["error_normal"]  # anomalies reconstruct worse
    assert r["auc"] > 0.6
    assert r["iou"] > 0.5  # U-Net segmentation, a low bar for the quick run


def test_ch13_hyperparameter_search(tmp_path: Path) -> None:
    r = run(
        "ch13_hyperparameter_search", tmp_path, ["ch13_grid_random_pruning.png", "ch13_history.png"]
    )
    assert set(r["tuner_best"]["params"]) == {"units", "learning_rate"}
    # the same budget: the grid tries 2 learning rates, random search 4, and finds a better one
    assert len(r["grid"]["learning_rates"]) == 2 and len(r["random"]["learning_rates"]) == 4
    assert r["random"]["best_val_loss"] < r["grid"]["best_val_loss"]
    # pruning: some trials stop early, so the search trains fewer epochs
    assert r["pruning"]["hyperband"]["pruned"] >= 1
    assert r["pruning"]["hyperband"]["epochs"] < r["pruning"]["none"]["epochs"]
