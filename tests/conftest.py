"""Shared test set-up: offscreen Qt, quiet TensorFlow, a clean user plug-in folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.pop("LAMINA_PLUGINS", None)
os.environ.pop("LAMINA_DISABLE_PLUGINS", None)
os.environ.pop("LAMINA_PLUGIN_PATH", None)

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _lamina_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Points LAMINA_HOME at an empty folder so a developer's own plug-ins don't leak in."""
    os.environ["LAMINA_HOME"] = str(tmp_path_factory.mktemp("lamina_home"))


@pytest.fixture(scope="session")
def digits():
    """Makes the first `n` of scikit-learn's 8x8 digits as a lamina `Dataset` (n=None: all)."""

    def make(n: int | None = None):
        from sklearn.datasets import load_digits

        from lamina.data.dataset import Dataset

        d = load_digits()
        x, y = (d.images / 16.0)[..., None], d.target
        if n is not None:
            x, y = x[:n], y[:n]
        return Dataset(
            x=x,
            y=y,
            name="digits",
            task="classification",
            class_names=[str(i) for i in range(10)],
        )

    return make


@pytest.fixture(scope="session")
def diverging():
    """Makes a regression whose SGD (learning rate 10) diverges to NaN: ``(spec, data)``."""

    def make(epochs: int, name: str = "model"):
        import numpy as np

        import lamina
        from lamina.data.dataset import Dataset

        rng = np.random.default_rng(0)
        data = Dataset(
            x=rng.normal(size=(64, 4)) * 1e3,
            y=rng.normal(size=64) * 1e6,
            name="wild",
            task="regression",
        )
        spec = lamina.make_spec(
            [4],
            [lamina.item("Dense", units=1)],
            loss="mean_squared_error",
            optimizer={"type": "SGD", "params": {"learning_rate": 10.0}},
            epochs=epochs,
            name=name,
        )
        return spec, data

    return make
