"""The Train view's second pass (fake engine): Continue trains on from the last run with
its curves kept, learning rate and optimizer are at hand, and the boundary's points come
with its first picture."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from lamina_gui.bridge import EngineBridge
from lamina_gui.state import AppState

from lamina.engine import protocol as p

CATALOG = {
    "entries": [
        {"name": "Adam", "kind": "optimizer", "params": []},
        {"name": "SGD", "kind": "optimizer", "params": []},
    ],
    "plugins": [],
}


@pytest.fixture
def bridge(make_bridge: Any) -> EngineBridge:
    return make_bridge(CATALOG)


@pytest.fixture
def view(qtbot: Any, make_state: Any, bridge: EngineBridge, app_home: Any) -> Any:
    from lamina_gui.views.train import TrainingView

    state: AppState = make_state(CATALOG)
    spec = state.spec.to_dict()
    spec["data"] = {"type": "spirals", "params": {}}
    spec["training"]["epochs"] = 3
    state.apply(spec, "test set-up")
    widget = TrainingView(state, bridge)
    qtbot.addWidget(widget)
    return widget


def _last_train(bridge: EngineBridge) -> p.TrainRequest:
    return [r for r in bridge.client.requests if isinstance(r, p.TrainRequest)][-1]


def test_continue_trains_on_from_the_last_run_and_keeps_the_curves(
    qtbot: Any, view: Any, bridge: EngineBridge
) -> None:
    assert not view.continue_button.isEnabled()  # nothing to continue from yet
    with qtbot.waitSignal(view.finished, timeout=10_000):
        view.start()
    assert _last_train(bridge).continue_from is None
    assert view.continue_button.isEnabled()
    losses = list(view.history["loss"])
    with qtbot.waitSignal(view.finished, timeout=10_000):
        view.continue_button.click()
    assert _last_train(bridge).continue_from == "/tmp/run"  # the fake engine's run folder
    assert view.history["loss"][:3] == losses and len(view.history["loss"]) == 6
    assert "epoch 6:" in view.log.toPlainText()
    with qtbot.waitSignal(view.finished, timeout=10_000):
        view.start()  # Start begins again
    assert _last_train(bridge).continue_from is None
    assert len(view.history["loss"]) == 3


def test_learning_rate_and_optimizer_are_edited_in_the_train_view(view: Any) -> None:
    view.settings.lr_box.setValue(0.02)
    assert view.state.spec.compile.optimizer.params["learning_rate"] == pytest.approx(0.02)
    view.settings.optimizer_combo.setCurrentIndex(view.settings.optimizer_combo.findData("SGD"))
    assert view.state.spec.compile.optimizer.type == "SGD"
    assert view.state.spec.compile.optimizer.params == {"learning_rate": 0.02}
    view.state.undo_stack.undo()
    assert view.settings.optimizer_combo.currentData() == "Adam"


def test_the_first_boundary_draws_its_points(view: Any) -> None:
    view.request_id = 5
    points = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], dtype=np.float32)
    grid = np.zeros((4, 4, 2), dtype=np.float16)
    event = p.Boundary(grid, [0, 2, 0, 2], 0, points=points, labels=np.array([0, 1, 1]))
    event.id = 5
    view._on_event(p.from_line(p.to_line(event)))
    x, y = view.boundary_points.getData()
    assert list(x) == [0.0, 1.0, 2.0] and list(y) == [1.0, 0.0, 2.0]
    brushes = [b.color().name() for b in view.boundary_points.data["brush"]]
    assert brushes[1] == brushes[2] != brushes[0]


def test_loss_on_a_log_scale_on_request(view: Any) -> None:
    assert not view.loss_plot.getAxis("left").logMode
    view.log_check.setChecked(True)
    assert view.loss_plot.getAxis("left").logMode
    assert not view.metric_plot.getAxis("left").logMode


def test_the_boundary_keeps_its_pastel_colours(view: Any) -> None:
    """The regions are drawn with their own colours (pyqtgraph must not stretch them to
    full saturation, which hid the points of the same colour)."""
    view.request_id = 5
    grid = np.zeros((4, 4, 2), dtype=np.float16)
    grid[..., 1] = 1.0  # sure of class 1 everywhere
    event = p.Boundary(grid, [0, 1, 0, 1], 0)
    event.id = 5
    view._on_event(p.from_line(p.to_line(event)))
    assert tuple(view.boundary_image.levels) == (0, 255)
    pixel = view.boundary_image.image[0, 0]
    assert pixel.min() > 100  # a pastel, not the saturated class colour
