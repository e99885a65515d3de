"""The example plug-in under plugins/lamina-example, installed as its own distribution,
shows up like any stranger's plug-in and its layer survives save/reload in a fresh process."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

from lamina.cli import main
from lamina.plugins import get_registry, set_registry


def test_example_plugin_is_installed_through_its_own_entry_point():
    eps = {e.name: e for e in importlib.metadata.entry_points(group="lamina")}
    assert "example" in eps, "run: pip install -e plugins/lamina-example"
    assert eps["example"].dist.name == "lamina-example"


def test_example_plugin_appears_in_lamina_catalog(capsys):
    old = set_registry(None)
    try:
        assert main(["catalog", "--json"]) == 0
    finally:
        set_registry(old)
    entries = {e["name"]: e for e in json.loads(capsys.readouterr().out)}
    assert entries["example.AsinhStretch"]["plugin"] == "example"
    # one entry of each kind, as built in docs/plugin-guide.md
    ours = {name: e["kind"] for name, e in entries.items() if e["plugin"] == "example"}
    assert ours == {
        "example.AsinhStretch": "layer",
        "example.log_cosh_relative": "loss",
        "example.SignSGD": "optimizer",
        "example.PositiveHead": "head",
        "example.photometry_mlp": "architecture",
        "example.star_colours": "dataset",
        "example.weight_norms": "visualization",
        "example.magnitude_response": "visualization",
    }


SAVE = """
import json, sys, numpy as np, lamina
spec = lamina.make_spec([8, 8, 1], [lamina.item("example.AsinhStretch", softening=0.5), "Flatten",
                                    lamina.item("Dense", units=2)], loss="mse")
model = lamina.build_model(spec)
x = np.random.default_rng(0).normal(size=(4, 8, 8, 1)).astype("float32")
model.fit(x, np.zeros((4, 2)), epochs=1, verbose=0)
model.save(sys.argv[1] + "/m.keras")
np.save(sys.argv[1] + "/x.npy", x)
np.save(sys.argv[1] + "/y.npy", model.predict(x, verbose=0))
"""

LOAD = """
import sys, numpy as np, lamina
model = lamina.load_model(sys.argv[1] + "/m.keras")  # loads the catalogue, then the file
x = np.load(sys.argv[1] + "/x.npy")
np.testing.assert_allclose(model.predict(x, verbose=0), np.load(sys.argv[1] + "/y.npy"), rtol=1e-5)
assert type(model.layers[1]).__name__ == "AsinhStretch"
print("reloaded")
"""


def test_example_layer_builds_and_survives_save_reload_in_a_fresh_process(tmp_path):
    assert get_registry().find("layer", "example.AsinhStretch") is not None
    subprocess.run([sys.executable, "-c", SAVE, str(tmp_path)], check=True)
    out = subprocess.run(
        [sys.executable, "-c", LOAD, str(tmp_path)], check=True, capture_output=True, text=True
    ).stdout
    assert "reloaded" in out
