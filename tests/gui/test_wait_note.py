"""A request queued behind a training says so where the user waits (the Visualize view's
result area, the Data preview), and the note goes when the answer arrives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lamina_gui.views.data import DataView
from lamina_gui.views.visualize import VisualizeView

CATALOG = {
    "entries": [
        {"kind": "dataset", "name": "digits", "category": "images", "summary": "", "params": []},
        {
            "kind": "visualization",
            "name": "filters",
            "category": "weights",
            "summary": "Kernels.",
            "params": [{"name": "layer", "type": "any", "default": None, "required": False}],
        },
    ]
}


def test_a_visualization_behind_the_training_says_so_in_the_result_area(
    qtbot: Any, make_bridge: Any, make_state: Any, tmp_path: Path
) -> None:
    bridge = make_bridge(CATALOG)
    bridge.client.hold = {"visualize"}
    run = tmp_path / "run1"
    run.mkdir()
    (run / "spec.json").write_text(json.dumps({"layers": [{"type": "Conv2D"}]}))
    view = VisualizeView(make_state(CATALOG), bridge)
    qtbot.addWidget(view)
    view.show()
    view.set_run_dir(str(run))
    view.set_kind("filters")
    rid = view.run()
    qtbot.waitUntil(lambda: view.wait_note.isVisible(), timeout=3000)
    assert view.wait_note.text() == (
        "visualize waits for the training to end… The answer comes as soon as it can."
    )
    assert view.wait_note.request_id == rid
    # the note sits in the result area, above the pictures
    assert view.wait_note.parentWidget() is view.grid.parentWidget()
    with qtbot.waitSignal(view.shown, timeout=3000):
        bridge.client.release()
    assert view.wait_note.isHidden()
    assert view.grid.count() == 8


def test_a_waiting_status_of_another_request_is_not_shown(
    qtbot: Any, make_bridge: Any, make_state: Any
) -> None:
    from lamina.engine import protocol as p

    bridge = make_bridge(CATALOG)
    view = VisualizeView(make_state(CATALOG), bridge)
    qtbot.addWidget(view)
    view.show()
    view.wait_note.follow(7)
    with qtbot.waitSignal(bridge.waiting, timeout=3000):
        bridge._from_thread(p.EngineStatus("busy", "Checking waits for training to end…", id=8))
    assert view.wait_note.isHidden()


def test_the_data_preview_behind_the_training_says_so_until_it_comes(
    qtbot: Any, make_bridge: Any, make_state: Any
) -> None:
    bridge = make_bridge(CATALOG)
    bridge.client.hold = {"dataset_summary"}
    state = make_state(CATALOG)
    view = DataView(state, bridge)
    qtbot.addWidget(view)
    view.show()
    view.source_combo.setCurrentIndex(view.source_combo.findData("digits"))
    view.refresh_preview()
    qtbot.waitUntil(lambda: view.wait_note.isVisible(), timeout=3000)
    assert "dataset summary waits for the training to end" in view.wait_note.text()
    assert view.info_label.text() == "Loading preview…"
    with qtbot.waitSignal(view.preview_shown, timeout=3000):
        bridge.client.release()
    assert view.wait_note.isHidden()
    assert view.counts_table.rowCount() == 10
