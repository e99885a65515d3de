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
