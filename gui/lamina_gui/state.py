"""The app's state: the current spec, the project it belongs to, and the undo stack.

Every edit of the spec goes through :meth:`AppState.apply`, which pushes a
:class:`SpecCommand` on the undo stack; undo and redo restore the exact spec dict.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from lamina.spec import SpecError, migrate, parse_spec


def empty_spec() -> dict[str, Any]:
    """Returns the spec of a new, empty model."""
    return {
        "spec_version": 1,
        "name": "model",
        "input": {"shape": [28, 28, 1]},
        "layers": [],
        "compile": {"loss": None, "optimizer": {"type": "Adam", "params": {}}, "metrics": []},
        "training": {"epochs": 10, "batch_size": 32},
    }


def normalize(spec: Any) -> dict[str, Any]:
    """Validates `spec` (migrating older versions) and returns a plain dict copy.

    The dict keeps the user's own shape (defaults are not filled in) except that
    items written as plain strings become ``{"type": name, "params": {}}``.

    Raises:
        SpecError: If the spec is invalid.
    """
    if hasattr(spec, "to_dict"):
        spec = spec.to_dict()
    if isinstance(spec, str):
        try:
            spec = json.loads(spec)
        except json.JSONDecodeError:
            parse_spec(spec)  # raises SpecError with the location
    if not isinstance(spec, dict):
        parse_spec(spec)  # raises SpecError naming the problem
    data = json.loads(json.dumps(migrate(spec)))
    parse_spec(data)
    data["layers"] = [
        {"type": item, "params": {}} if isinstance(item, str) else item
        for item in data.get("layers", [])
    ]
    for item in data["layers"]:
        item.setdefault("params", {})
    return data


class SpecCommand(QUndoCommand):
    """Replaces the whole spec; undo puts the old one back.

    Args:
        state: The state to change.
        before: The spec before the edit.
        after: The spec after the edit.
        text: What the edit was, shown in the Edit menu.
        merge_key: Consecutive commands with the same non-empty key merge into one.
    """

    _MERGE_ID = 7001

    def __init__(
        self,
        state: AppState,
        before: dict[str, Any],
        after: dict[str, Any],
        text: str,
        merge_key: str = "",
    ) -> None:
        super().__init__(text)
        self._state = state
        self.before = copy.deepcopy(before)
        self.after = copy.deepcopy(after)
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt API
        return self._MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, SpecCommand) or other.merge_key != self.merge_key:
            return False
        self.after = copy.deepcopy(other.after)
        return True

    def redo(self) -> None:
        self._state._set(self.after)

    def undo(self) -> None:
        self._state._set(self.before)


class AppState(QObject):
    """The current spec, project path, dirty flag and undo stack.

    Signals:
        spec_changed: The spec changed (edit, undo, redo, open).
        project_changed: The project path or name changed.
        dirty_changed(bool): Whether there are unsaved changes.
        selection_changed(int): The selected stack item (-1 for none).
    """

    spec_changed = Signal()
    project_changed = Signal()
    dirty_changed = Signal(bool)
    selection_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._spec: dict[str, Any] = empty_spec()
        self.project_path: Path | None = None
        self.spec_file: Path | None = None
        self.project_name: str = ""
        self.catalog: dict[str, Any] | None = None
        self._selected = -1
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    def _clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    # -- the spec -------------------------------------------------------------------

    @property
    def spec(self) -> dict[str, Any]:
        """A deep copy of the current spec (edit it, then pass it to `apply`)."""
        return copy.deepcopy(self._spec)

    @property
    def layers(self) -> list[dict[str, Any]]:
        """A copy of the stack items."""
        return copy.deepcopy(self._spec.get("layers", []))

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def _set(self, spec: dict[str, Any]) -> None:
        self._spec = copy.deepcopy(spec)
        self.spec_changed.emit()

    def apply(self, new_spec: dict[str, Any], text: str, merge_key: str = "") -> bool:
        """Pushes an undoable edit that replaces the spec with `new_spec`.

        Returns False (and changes nothing) if `new_spec` equals the current spec.

        Raises:
            SpecError: If `new_spec` is not a valid spec.
        """
        data = normalize(new_spec)
        if data == self._spec:
            return False
        self.undo_stack.push(SpecCommand(self, self._spec, data, text, merge_key))
        return True

    def edit_layers(self, layers: list[dict[str, Any]], text: str, merge_key: str = "") -> bool:
        """Replaces the stack items (an undoable edit)."""
        spec = self.spec
        spec["layers"] = layers
        return self.apply(spec, text, merge_key)

    def reset(
        self,
        spec: Any,
        project_path: Path | None = None,
        name: str = "",
        spec_file: Path | None = None,
    ) -> None:
        """Replaces the spec and project without undo history (new/open project).

        Raises:
            SpecError: If `spec` is invalid (nothing is changed then).
        """
        data = normalize(spec)
        self.undo_stack.clear()
        self.project_path = Path(project_path) if project_path else None
        self.spec_file = Path(spec_file) if spec_file else None
        self.project_name = name or str(data.get("name", ""))
        self._selected = -1
        self._set(data)
        self.undo_stack.setClean()
        self.dirty_changed.emit(False)
        self.project_changed.emit()
        self.selection_changed.emit(-1)

    def mark_saved(self, project_path: Path | None = None, spec_file: Path | None = None) -> None:
        """Marks the current spec as saved (at a new place, if given)."""
        if project_path is not None:
            self.project_path = Path(project_path)
            self.spec_file = None
        if spec_file is not None:
            self.spec_file = Path(spec_file)
            self.project_path = None
        self.undo_stack.setClean()
        self.project_changed.emit()

    # -- selection ------------------------------------------------------------------

    @property
    def selected(self) -> int:
        return self._selected

    def select(self, index: int) -> None:
        """Selects stack item `index` (-1 for none)."""
        if index >= len(self._spec.get("layers", [])):
            index = -1
        if index != self._selected:
            self._selected = index
            self.selection_changed.emit(index)

    # -- catalogue helpers ----------------------------------------------------------

    def entry(self, name: str, kinds: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """Returns the catalogue entry called `name` (or one of its aliases), or None."""
        if not self.catalog:
            return None
        for entry in self.catalog.get("entries", []):
            if kinds and entry.get("kind") not in kinds:
                continue
            if entry.get("name") == name or name in entry.get("aliases", []):
                return entry
        return None

    def entries(self, kind: str) -> list[dict[str, Any]]:
        """Returns the catalogue entries of one kind."""
        if not self.catalog:
            return []
        return [e for e in self.catalog.get("entries", []) if e.get("kind") == kind]

    @staticmethod
    def validate(spec: Any) -> str | None:
        """Returns the first problem of `spec`, or None if it is valid."""
        try:
            parse_spec(copy.deepcopy(spec))
        except SpecError as exc:
            return str(exc)
        return None
