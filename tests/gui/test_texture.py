"""Texture (fake engine): an ordinary Save As, a toolbar that keeps its place, a window
that keeps its size, exact matches first in the palette, settings in lamina's home."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QFileDialog

CATALOG = {
    "entries": [
        {
            "kind": "layer",
            "name": n,
            "category": c,
            "plugin": "builtin",
            "params": [],
            "aliases": [],
        }
        for n, c in [
            ("ActivityDense", "core"),
            ("AdaptiveDense", "core"),
            ("Conv2D", "convolution"),
            ("Dense", "core"),
            ("DenseVariational", "probabilistic"),
        ]
    ]
    + [{"kind": "dataset", "name": "digits", "category": "images", "params": [], "aliases": []}],
    "plugins": [],
}
SPEC = {
    "name": "galaxies",
    "input": {"shape": [8, 8, 1]},
    "layers": [{"type": "Dense", "params": {"units": 3}}],
    "data": {"type": "digits", "params": {}},
}


def test_save_as_asks_for_a_name_and_place(
    make_window: Any, make_bridge: Any, monkeypatch: Any, tmp_path: Path
) -> None:
    window = make_window(make_bridge(CATALOG), spec=SPEC)
    target = tmp_path / "somewhere" / "My galaxies"
    asked: list[Any] = []

    def answer(*args: Any, **kwargs: Any) -> tuple[str, str]:
        asked.append(args)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    assert window.projects.save_as_dialog()
    assert (target / "project.json").is_file()  # the folder was made
    assert window.state.project_path == target and window.state.project_name == "My galaxies"
    assert asked[0][1] == "Save the project as"
    assert window.statusBar().currentMessage() == f"Saved the project in {target}"


def test_the_toolbar_keeps_its_undo_and_redo_names(make_window: Any, make_bridge: Any) -> None:
    window = make_window(make_bridge(CATALOG), spec=SPEC)
    assert window.undo_tool.text() == "Undo" and not window.undo_tool.isEnabled()
    spec = window.state.spec.to_dict()
    spec["training"]["epochs"] = 3
    window.state.apply(spec, "Training settings")
    assert window.undo_tool.text() == "Undo" and window.undo_tool.isEnabled()
    assert window.undo_tool.toolTip() == "Undo Training settings"
    window.undo_tool.trigger()
    assert window.state.spec.training.epochs != 3
    assert window.redo_tool.isEnabled() and window.redo_tool.toolTip() == "Redo Training settings"


def test_the_window_keeps_its_size_when_a_view_opens(
    qtbot: Any, make_window: Any, make_bridge: Any
) -> None:
    window = make_window(make_bridge(CATALOG), spec=SPEC)
    window.resize(800, 560)
    QApplication.processEvents()
    before = window.size()
    for title in ("Data", "Train", "Visualize"):
        window.tabs.setCurrentIndex(window._tab_index(title))
        window.view(title)
        QApplication.processEvents()
        assert window.size() == before, title


def test_an_exact_match_comes_first_in_the_palette(make_window: Any, make_bridge: Any) -> None:
    window = make_window(make_bridge(CATALOG), spec=SPEC)
    window._set_catalog(CATALOG)
    window.palette.search.setText("dense")
    names = window.palette.visible_entries()
    assert names[0] == "Dense"
    assert set(names[1:]) == {"ActivityDense", "AdaptiveDense", "Dense", "DenseVariational"}
    assert window.palette.tree.currentItem().text(0) == "Dense"
    assert window.palette.find_item("Dense").parent().text(0) != "Best match"
    window.palette.search.setText("conv")
    assert window.palette.visible_entries() == ["Conv2D"]


def test_settings_live_in_lamina_home(
    make_window: Any, make_bridge: Any, app_home: Path, tmp_path: Path
) -> None:
    window = make_window(make_bridge(CATALOG), spec=SPEC)
    assert window.projects.save_project(tmp_path / "p")
    from lamina_gui.settings import app_settings

    app_settings().sync()
    ini = app_home / "settings.ini"
    assert ini.is_file() and str(tmp_path / "p") in ini.read_text()


def test_help_under_a_field_ends_on_a_whole_word() -> None:
    from lamina_gui.widgets.param_form import short_help

    text = "The number of output filters in the convolution, an integer. More."
    assert short_help(text, 40) == "The number of output filters in the…"
    assert short_help(text, 200) == "The number of output filters in the convolution, an integer."


def test_help_does_not_end_at_an_abbreviation() -> None:
    from lamina_gui.widgets.param_form import short_help

    text = "The size of the output space (i.e. the number of filters). More."
    assert short_help(text, 200) == "The size of the output space (i.e. the number of filters)."
