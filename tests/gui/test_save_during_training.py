"""A training that started before Save (or Save As) and ends after it lands in the saved
project, not in the unsaved model's scratch project (fake engine: it writes run folders
as the engine does, ``run.json`` last)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog


@pytest.mark.parametrize("how", ["save", "save as"])
def test_a_run_that_ends_after_the_save_lands_in_the_saved_project(
    qtbot: Any,
    make_window: Any,
    make_bridge: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    digits_cnn: Any,
) -> None:
    bridge = make_bridge()
    bridge.client.write_runs = True
    window = make_window(bridge, spec=digits_cnn(epochs=3))
    train = window.view("Train")
    with qtbot.waitSignal(train.finished, timeout=10_000):
        train.start()  # a first run, finished before the save
    first = Path(train.last_run_dir)
    rid = train.start()  # a second one, still training when the model is saved
    name = f"fake-{rid:03d}"  # the fake engine's run folder
    scratch = window.state.scratch_path
    running = scratch / "runs" / name
    assert running.is_dir() and not (running / "run.json").exists()

    folder = tmp_path / "saved"
    if how == "save":
        assert window.projects.save_project(folder)
    else:
        monkeypatch.setattr(
            QFileDialog, "getSaveFileName", lambda *a, **k: (str(folder), "lamina project")
        )
        assert window.projects.save_as_dialog()
    assert (folder / "runs" / first.name / "run.json").is_file()  # moved at the save
    assert scratch.is_dir()  # kept: a run is still being written there

    with qtbot.waitSignal(train.finished, timeout=10_000) as done:
        pass
    assert done.args[0]["status"] == "finished"
    moved = folder / "runs" / name
    assert (moved / "run.json").is_file()
    history = json.loads((moved / "history.json").read_text())
    assert history["loss"] == pytest.approx([1.0, 0.5, 1 / 3])
    assert not scratch.exists()
    assert window.state.scratch_runs() == []
    assert train.last_run_dir == str(moved)  # Continue trains on from the kept run
    ids = [train.compare.list.item(i).text() for i in range(train.compare.list.count())]
    assert ids == [first.name, name]
    with qtbot.waitSignal(train.finished, timeout=10_000):
        third = train.continue_training()
    (request,) = [r for r in bridge.client.requests if r.id == third]
    assert request.continue_from == str(moved)
    assert sorted(p.name for p in (folder / "runs").iterdir()) == sorted(
        [first.name, name, f"fake-{third:03d}"]
    )
