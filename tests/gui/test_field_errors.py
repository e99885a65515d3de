"""Errors at the field (fake engine): the parameter a check error is about is highlighted
in the item's form with the message; a card that does not build shows "–", not 0."""

from __future__ import annotations

from typing import Any

from lamina_gui.widgets.field_errors import item_params
from lamina_gui.widgets.stack_model import params_label


def _p(name: str, type_: str, default: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "default": default, "help": name, "required": False}


CATALOG = {
    "entries": [
        {
            "kind": "layer",
            "name": "Conv2D",
            "category": "convolution",
            "plugin": "builtin",
            "summary": "conv",
            "params": [_p("filters", "int", 4), _p("kernel_size", "int_or_tuple", 3)],
            "aliases": [],
        },
        {"kind": "layer", "name": "Flatten", "category": "core", "params": [], "aliases": []},
    ],
    "plugins": [],
}
SPEC = {
    "name": "m",
    "input": {"shape": [64, 64, 1]},
    "layers": [
        {"type": "Conv2D", "params": {"filters": 4, "kernel_size": 80}},
        {"type": "Flatten", "params": {}},
    ],
}
MESSAGE = "Conv2D: kernel size 80 is larger than the 64×64-pixel input it gets"
BAD = {
    "ok": False,
    "items": [
        {"index": 0, "type": "Conv2D", "params": 0, "error": MESSAGE, "param": "kernel_size"},
        {"index": 1, "type": "Flatten", "params": 0, "error": None, "checked": False},
    ],
    "problems": [{"path": "layers[0].params.kernel_size", "message": MESSAGE}],
}


def test_the_offending_field_is_highlighted_with_the_message(
    make_window: Any, make_bridge: Any
) -> None:
    window = make_window(make_bridge(CATALOG), spec=SPEC)
    window._set_catalog(CATALOG)
    window.state.select(0)
    window._report(BAD)
    editors = window.item_panel.form.editors
    assert editors["kernel_size"].property("field_error") is True
    assert editors["kernel_size"].toolTip() == MESSAGE
    assert not editors["filters"].property("field_error")
    window.state.select(1)
    window.state.select(0)  # the form is made again: still marked
    assert window.item_panel.form.editors["kernel_size"].property("field_error") is True
    ok = {"ok": True, "items": [{"index": 0, "params": 40}, {"index": 1, "params": 0}]}
    window._report(ok)
    assert not window.item_panel.form.editors["kernel_size"].property("field_error")


def test_cards_after_an_error_show_a_dash_not_zero() -> None:
    assert item_params(BAD) == {0: "kernel_size"}
    assert params_label(BAD["items"][0]) == "– params"
    assert params_label(BAD["items"][1]) == "– params"
    assert params_label({"index": 0, "params": 1234}) == "1 234 params"


def test_the_totals_after_an_error_show_a_dash(make_window: Any, make_bridge: Any) -> None:
    window = make_window(make_bridge(CATALOG), spec=SPEC)
    window._report(BAD)
    text = window.composer.totals.text()
    assert "<b>–</b> parameters" in text and "0</b> parameters" not in text
