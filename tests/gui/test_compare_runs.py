"""The Train view's Compare runs tab (the plotted data are the runs' histories), what a run
continued from (Runs and Train views), and the run chooser that never cuts a name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lamina_gui.views.runs import RunsView
from lamina_gui.views.train import TrainingView
from lamina_gui.widgets.run_combo import RunCombo
from lamina_gui.widgets.run_curves import RUN_COLOURS
from PySide6.QtCore import Qt

from lamina.project import save_project
from lamina.project.run import write_run
from lamina.spec import load_spec

HISTORIES = {
    "20261201-100000": {
        "loss": [2.1, 1.4, 0.9],
        "val_loss": [2.2, 1.6, 1.1],
        "accuracy": [0.3, 0.6, 0.8],
        "val_accuracy": [0.25, 0.55, 0.7],
    },
    "20261201-110000": {
        "loss": [1.9, 1.0, 0.6, 0.4],
        "val_loss": [2.0, 1.2, 0.9, 0.8],
        "accuracy": [0.4, 0.7, 0.85, 0.9],
        "val_accuracy": [0.35, 0.6, 0.75, 0.8],
    },
    "20261201-120000": {
        "loss": [0.39, 0.35],
        "val_loss": [0.79, 0.78],
        "accuracy": [0.91, 0.92],
        "val_accuracy": [0.81, 0.82],
    },
}


@pytest.fixture
def project(tmp_path: Path, digits_cnn: Any) -> Path:
    """A project with three saved runs; the third continued from the second."""
    folder = tmp_path / "proj"
    save_project(folder, digits_cnn(), name="proj")
    spec = load_spec(digits_cnn())
    for run_id, history in HISTORIES.items():
        info: dict[str, Any] = {
            "run_id": run_id,
            "status": "finished",
            "epochs_run": len(history["loss"]),
        }
        if run_id.endswith("120000"):
            previous = folder / "runs" / "20261201-110000"
            info["continued_from"] = {
                "run_id": previous.name,
                "run_dir": str(previous),
                "epochs_run": 4,
            }
        write_run(folder / "runs" / run_id, spec, info, history, {"accuracy": 0.9, "n": 10})
    return folder


@pytest.fixture
def train(qtbot: Any, make_state: Any, make_bridge: Any, project: Path, digits_cnn: Any) -> Any:
    """The Train view of the project (over the fake engine)."""
    view = TrainingView(make_state(spec=digits_cnn(), project_path=project), make_bridge())
    qtbot.addWidget(view)
    view.show()
    return view


def _curve(view: TrainingView, run_id: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = view.compare.curves.curves[(run_id, key)].getData()
    return np.asarray(x), np.asarray(y)


def test_compare_runs_overlays_the_ticked_runs_histories(train: Any) -> None:
    view = train
    ids = list(HISTORIES)
    assert view.compare.drawn == []  # nothing is plotted while the tab is behind another
    view.tabs.setCurrentIndex(view.compare_tab)
    listed = [view.compare.list.item(i).text() for i in range(view.compare.list.count())]
    assert listed == ids
    assert view.compare.checked_runs() == [ids[-1]]  # the latest run, ticked at first
    view.compare.set_checked(ids[:2])
    assert view.compare.drawn == ids[:2]
    for run_id in ids[:2]:
        for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
            x, y = _curve(view, run_id, key)
            assert y.tolist() == pytest.approx(HISTORIES[run_id][key])
            assert x.tolist() == list(range(1, len(HISTORIES[run_id][key]) + 1))
    assert (ids[2], "loss") not in view.compare.curves.curves
    # one colour per run, the same in the plot and in the list, and a legend naming it
    for n, run_id in enumerate(ids[:2]):
        pen = view.compare.curves.curves[(run_id, "loss")].opts["pen"]
        assert pen.color().name() == RUN_COLOURS[n]
        item = view.compare.list.item(n)
        assert item.foreground().color().name() == RUN_COLOURS[n]
    legend = view.compare.curves.plots[0].plotItem.legend
    assert [label.text for _, label in legend.items] == [ids[0], ids[1]]
    # ticking by the mouse's check state redraws
    view.compare.list.item(2).setCheckState(Qt.CheckState.Checked)
    assert view.compare.drawn == ids
    # the run that continued from the 4-epoch run goes on at epochs 5 and 6
    x, y = _curve(view, ids[2], "val_loss")
    assert x.tolist() == [5, 6] and y.tolist() == pytest.approx(HISTORIES[ids[2]]["val_loss"])
    assert view.tabs.tabText(view.compare_tab) == "Compare runs"


def test_what_a_run_continued_from_shows_in_the_train_and_runs_views(
    qtbot: Any, train: Any
) -> None:
    assert train.status_label.text() == (
        "Last run 20261201-120000: finished after 2 epoch(s), "
        "continued from run 20261201-110000 (after its 4 epochs)."
    )
    runs = RunsView(train.state)
    qtbot.addWidget(runs)
    runs.table.select_runs(["20261201-120000"])
    assert runs.diff.toPlainText().startswith(
        "20261201-120000: continued from run 20261201-110000 (after its 4 epochs)"
    )
    x, _ = runs.curves.curves[("20261201-120000", "loss")].getData()
    assert list(x) == [5, 6]  # drawn after the epochs of the run it continued from
    cell = runs.table.item(runs.table.row_of("20261201-120000"), 0)
    assert "continued from run 20261201-110000" in cell.toolTip()
    plain = runs.table.item(runs.table.row_of("20261201-100000"), 0)
    assert "continued" not in plain.toolTip()


def test_the_run_combo_elides_in_the_middle_with_the_whole_name_in_the_tooltip(
    qtbot: Any,
) -> None:
    combo = RunCombo()
    qtbot.addWidget(combo)
    long = "20261201-143005-learning-rate-0.01 · finished · accuracy 0.912"
    combo.addItem("short · finished", "/a")
    combo.addItem(long, "/b")
    combo.resize(200, combo.sizeHint().height())
    combo.show()
    combo.setCurrentIndex(1)
    assert combo.toolTip() == long
    shown = combo.shown_text()
    assert shown != long and "…" in shown
    head, tail = shown.split("…")
    assert long.startswith(head) and long.endswith(tail) and head and tail
    assert combo.view().minimumWidth() >= combo.fontMetrics().horizontalAdvance(long)
    combo.resize(900, combo.height())
    assert combo.shown_text() == long  # room enough: nothing cut
    combo.setCurrentIndex(0)
    assert combo.toolTip() == "short · finished"
