"""Models with heads and Bayesian layers save as weights and reload from their spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
try:  # until the entry point is installed, import the plug-in from the source tree
    import lamina_probability  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(PLUGINS))

import lamina_probability.plugin as probability_plugin  # noqa: I001
from lamina_probability.bayesian import set_kl_weight
from lamina_probability.predict import predict_distribution

from lamina.build import build_model

SPEC = {
    "name": "bayes-mixture",
    "input": [2],
    "layers": [
        {"type": "Dense", "params": {"units": 8, "activation": "tanh"}},
        {"type": "DenseVariational", "params": {"units": 6, "activation": "relu"}},
        {"type": "DenseFlipout", "params": {"units": 6, "activation": "relu", "seed": 3}},
        {"type": "MixtureNormal", "params": {"components": 2}},
    ],
    "compile": {"optimizer": {"type": "Adam", "params": {"learning_rate": 0.01}}},
}

RELOAD = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from lamina.build import build_model
    from lamina.plugins import set_registry
    from lamina.testing import make_registry
    import lamina_probability.plugin as plugin
    from lamina_probability.predict import predict_distribution

    folder = sys.argv[1]
    set_registry(make_registry(plugin))
    spec = json.load(open(folder + "/spec.json"))
    model = build_model(spec)
    model.load_weights(folder + "/weights.h5")
    x = np.load(folder + "/x.npy")
    pred = predict_distribution(model, x, passes=5, n_samples=7, seed=11)
    np.savez(folder + "/after.npz", mean=pred.mean, stddev=pred.stddev, samples=pred.samples,
             kl=[float(v) for v in [w for w in model.weights if "kl_weight" in w.name][0:1]])
    """
)


def test_save_weights_and_rebuild_in_a_fresh_process(lamina_registry_factory, tmp_path):
    lamina_registry_factory(probability_plugin)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype("float32")
    y = (x[:, :1] * 2 + 0.1 * rng.normal(size=(64, 1))).astype("float32")
    model = build_model(SPEC)
    set_kl_weight(model, len(x))
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    model.save_weights(tmp_path / "weights.h5")
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    np.save(tmp_path / "x.npy", x[:5])
    before = predict_distribution(model, x[:5], passes=5, n_samples=7, seed=11)

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(PLUGINS), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    script = tmp_path / "reload.py"
    script.write_text(RELOAD)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    after = np.load(tmp_path / "after.npz")
    np.testing.assert_allclose(after["mean"], before.mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(after["stddev"], before.stddev, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(after["samples"], before.samples, rtol=1e-5, atol=1e-6)
    assert after["kl"][0] == pytest.approx(1 / 64)  # the KL weight is saved with the weights
