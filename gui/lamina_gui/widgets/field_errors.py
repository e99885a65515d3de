"""The parameter a check error is about, highlighted in the item's form."""

from __future__ import annotations

from typing import Any

#: How an editor with an error looks.
ERROR_STYLE = "border: 2px solid #b00020; background: #fde8e8;"


def item_params(report: dict[str, Any] | None) -> dict[int, str]:
    """Item index -> the parameter its error is about (items whose error names one)."""
    out: dict[int, str] = {}
    for item in (report or {}).get("items", []):
        if item.get("error") and item.get("param"):
            out[int(item["index"])] = str(item["param"])
    return out


def highlight_field(form: Any, name: str | None, message: str = "") -> None:
    """Marks the editor of parameter `name` in `form` (``form.editors``) and unmarks the
    others; its tooltip says what is wrong."""
    for pname, editor in getattr(form, "editors", {}).items():
        wrong = pname == name
        if bool(editor.property("field_error")) == wrong:
            continue
        editor.setProperty("field_error", wrong)
        if wrong:
            editor.setProperty("tip_before_error", editor.toolTip())
            editor.setStyleSheet(ERROR_STYLE)
            editor.setToolTip(message)
        else:
            editor.setStyleSheet("")
            editor.setToolTip(str(editor.property("tip_before_error") or ""))
