"""A graph model saves as spec + weights and reloads in a fresh process with equal predictions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
if str(PLUGINS) not in sys.path:  # until the entry point is installed
    sys.path.insert(0, str(PLUGINS))

import lamina_graph.plugin as graph_plugin  # noqa: E402
from lamina_graph.datasets import graph_inputs, graph_structures  # noqa: E402

RELOAD = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[2])
    import numpy as np
    from lamina.build import build_model
    from lamina.plugins import set_registry
    from lamina.testing import make_registry
    import lamina_graph.plugin as plugin

    folder = sys.argv[1]
    set_registry(make_registry(("graph", plugin)))
    model = build_model(json.load(open(folder + "/spec.json")))
    model.load_weights(folder + "/weights.h5")
    data = np.load(folder + "/inputs.npz")
    np.save(folder + "/after.npy", model.predict([data["x"], data["a"]], verbose=0))
    """
)


def test_graph_model_reloads_in_a_fresh_process(lamina_registry_factory, tmp_path):
    from lamina.build import build_model, spec_of

    lamina_registry_factory(("graph", graph_plugin))
    data = graph_structures(n_per_class=4, seed=3)
    n, f = data.input_shape
    spec = {
        "name": "graph-save",
        "input": [n, f],
        "layers": [
            {"type": "GraphAttention", "params": {"channels": 4, "attn_heads": 2}},
            {"type": "ChebConv", "params": {"channels": 4, "K": 2, "activation": "relu"}},
            {"type": "MinCutPool", "params": {"k": 3}},
            {"type": "GlobalAttentionPool", "params": {"channels": 4}},
            {"type": "Dense", "params": {"units": 5, "activation": "softmax"}},
        ],
        "compile": {"loss": "sparse_categorical_crossentropy"},
    }
    model = build_model(spec)
    x, a = graph_inputs(data)
    model.fit([x, a], data.y, epochs=1, verbose=0)
    before = model.predict([x, a], verbose=0)
    (tmp_path / "spec.json").write_text(spec_of(model).to_json())
    model.save_weights(tmp_path / "weights.h5")
    np.savez(tmp_path / "inputs.npz", x=x, a=a)
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, "-c", RELOAD, str(tmp_path), str(PLUGINS)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = np.load(tmp_path / "after.npy")
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-6)
    assert json.loads((tmp_path / "spec.json").read_text())["layers"][0]["type"] == "GraphAttention"
