"""Data and model linked (fake engine): the Data view says when the model's input shape
or class count does not fit the data, and one click adapts the model (undoable)."""

from __future__ import annotations

from typing import Any

from lamina_gui.views.data_model_link import adapted, mismatches

CATALOG = {
    "entries": [
        {"kind": "dataset", "name": "digits", "category": "images", "params": []},
        {"kind": "layer", "name": "Dense", "category": "core", "params": []},
        {"kind": "layer", "name": "Flatten", "category": "core", "params": []},
    ],
    "plugins": [],
}
SPEC = {
    "name": "m",
    "input": {"shape": [28, 28, 1]},
    "layers": [
        {"type": "Flatten", "params": {}},
        {"type": "Dense", "params": {"units": 16}},
        {"type": "Dense", "params": {"units": 3, "activation": "softmax"}},
    ],
}
DIGITS = {"task": "classification", "x_shape": [200, 8, 8, 1], "class_names": list("0123456789")}


def test_mismatches_and_the_adapted_spec() -> None:
    assert mismatches(SPEC, DIGITS) == [
        "the model's input is (28, 28, 1) but the samples are (8, 8, 1)",
        "the data have 10 classes but the model's last Dense (item 2) has 3 units",
    ]
    new = adapted(SPEC, DIGITS)
    assert new["input"]["shape"] == [8, 8, 1]
    assert new["layers"][2]["params"] == {"units": 10, "activation": "softmax"}
    assert new["layers"][1]["params"] == {"units": 16}
    assert mismatches(new, DIGITS) == []
    binary = {"task": "classification", "x_shape": [9, 2], "class_names": ["a", "b"]}
    sigmoid = {"input": {"shape": [2]}, "layers": [{"type": "Dense", "params": {"units": 1}}]}
    assert mismatches(sigmoid, binary) == []  # one sigmoid unit for two classes is fine


def test_the_data_view_warns_and_adapts_the_model_in_one_click(
    qtbot: Any, make_state: Any, make_bridge: Any
) -> None:
    from lamina_gui.views.data import DataView

    state = make_state(CATALOG, SPEC)
    view = DataView(state, make_bridge(CATALOG))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.preview_shown, timeout=3000):
        view.source_combo.setCurrentIndex(view.source_combo.findData("digits"))
    assert not view.link.isHidden()
    assert "(28, 28, 1) but the samples are (8, 8, 1)" in view.link.label.text()
    view.link.button.click()
    assert list(state.spec.input.shape) == [8, 8, 1]
    assert state.spec.layers[2].params["units"] == 10
    assert view.link.isHidden()
    state.undo_stack.undo()
    assert list(state.spec.input.shape) == [28, 28, 1]
    assert not view.link.isHidden()


def test_unrelated_edits_do_not_ask_for_the_preview_again(
    qtbot: Any, make_state: Any, make_bridge: Any
) -> None:
    from lamina_gui.views.data import DataView

    from lamina.engine import protocol as p

    bridge = make_bridge(CATALOG)
    state = make_state(CATALOG, SPEC)
    view = DataView(state, bridge)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.preview_shown, timeout=3000):
        view.source_combo.setCurrentIndex(view.source_combo.findData("digits"))

    def asked() -> int:
        return sum(isinstance(r, p.DatasetSummaryRequest) for r in bridge.client.requests)

    before = asked()
    spec = state.spec.to_dict()
    spec["training"]["epochs"] = 7
    state.apply(spec, "an unrelated edit")
    assert not view._preview_timer.isActive()  # no preview is on its way
    assert asked() == before
