"""The app's settings (window geometry, recent projects): a file in lamina's home.

They live in ``$LAMINA_HOME/settings.ini`` (``~/.lamina`` by default), next to the
engine log and the catalogue cache, so one ``LAMINA_HOME`` holds everything of one
set-up (a course account, a test) and nothing leaks into the system's registry.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from lamina.paths import lamina_home


def app_settings() -> QSettings:
    """The app's settings, in ``<lamina home>/settings.ini``."""
    return QSettings(str(lamina_home() / "settings.ini"), QSettings.Format.IniFormat)
