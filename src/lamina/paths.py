"""lamina's per-user folder; TF-free and Qt-free, so the app imports it too."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that moves lamina's per-user folder.
ENV_HOME = "LAMINA_HOME"


def lamina_home() -> Path:
    """Returns lamina's per-user folder (``$LAMINA_HOME`` or ``~/.lamina``).

    It holds the user plug-in folder (``plugins/``), the catalogue cache, the engine
    log, the demo project and the app's autosave.
    """
    return Path(os.environ.get(ENV_HOME) or Path.home() / ".lamina")
