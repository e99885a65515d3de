"""The app's state: the current spec, the project it belongs to, and the undo stack.

The spec is a `ModelSpec`, treated as immutable: every edit goes through
:meth:`AppState.apply`, which validates the edited spec once and pushes a
:class:`SpecCommand` holding references to the spec before and after; undo and redo put
those exact objects back. Nothing is deep-copied.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from lamina.spec import ItemSpec, ModelSpec, parse_spec

EMPTY_SPEC: ModelSpec = parse_spec(
    {
        "spec_version": 1,
        "name": "model",
        "input": {"shape": [28, 28, 1]},
        "layers": [],
        "compile": {"loss": None, "optimizer": {"type": "Adam", "params": {}}, "metrics": []},
        "training": {"epochs": 10, "batch_size": 32},
    }
)


def empty_spec() -> ModelSpec:
    """Returns the spec of a new, empty model."""
    return EMPTY_SPEC


def validate_edit(data: Mapping[str, Any] | ModelSpec) -> ModelSpec:
    """Validates an edited spec once and returns it as a `ModelSpec`.

    An edit starts from the current spec (``spec.to_dict()``), so it is of the current
    version and needs no migration; data that fails goes through `parse_spec`, which
    migrates older versions and raises with every located problem.

    Raises:
        SpecError: If the spec is invalid.
    """
    if isinstance(data, ModelSpec):
        return data
    try:
        return ModelSpec.model_validate(data)
    except ValidationError:
        return parse_spec(data)


def _item_data(item: ItemSpec) -> dict[str, Any]:
    data = item.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("params", {})
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
        before: ModelSpec,
        after: ModelSpec,
        text: str,
        merge_key: str = "",
    ) -> None:
        super().__init__(text)
        self._state = state
        self.before = before
        self.after = after
        self.merge_key = merge_key

    def id(self) -> int:  # noqa: A003 - Qt API
        return self._MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, SpecCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self._state._set(self.after)

    def undo(self) -> None:
        self._state._set(self.before)


class SpaceCommand(QUndoCommand):
    """Replaces the search space (the varied parameters); undo puts the old one back."""

    def __init__(
        self, state: AppState, before: dict[str, Any], after: dict[str, Any], text: str
    ) -> None:
        super().__init__(text)
        self._state = state
        self.before = before
        self.after = after

    def redo(self) -> None:
        self._state._set_space(self.after)

    def undo(self) -> None:
        self._state._set_space(self.before)


class AppState(QObject):
    """The current spec, project path, dirty flag and undo stack.

    Signals:
        spec_changed: The spec changed (edit, undo, redo, open).
        project_changed: The project path or name changed.
        dirty_changed(bool): Whether there are unsaved changes.
        selection_changed(int): The selected stack item (-1 for none).
        space_changed: The search space changed (a parameter varied, edited or removed).
        search_reset: The search space and settings were replaced (new or opened project).

    The search space (`space`, spec path -> range or choices, the JSON of
    `lamina.hpsearch.SearchSpace`) and the Search view's settings (`search_settings`)
    belong to the project: they are saved in its ``search.json``.
    """

    spec_changed = Signal()
    project_changed = Signal()
    dirty_changed = Signal(bool)
    selection_changed = Signal(int)
    space_changed = Signal()
    search_reset = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._spec: ModelSpec = EMPTY_SPEC
        self.project_path: Path | None = None
        self.spec_file: Path | None = None
        self.project_name: str = ""
        #: Where the runs of a model that is not saved as a project go (made on first run).
        self.scratch_path: Path | None = None
        self.catalog: dict[str, Any] | None = None
        self._selected = -1
        self._space: dict[str, dict[str, Any]] = {}
        self.search_settings: dict[str, Any] = {}
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)

    def _clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    # -- the spec -------------------------------------------------------------------

    @property
    def spec(self) -> ModelSpec:
        """The current spec (immutable: edit ``spec.to_dict()``, then pass it to `apply`)."""
        return self._spec

    @property
    def layers(self) -> list[dict[str, Any]]:
        """The stack items as new plain dicts (``{"type", "params"}``, plus ``name`` and
        ``trainable`` where they are not the defaults), to read or to edit for `edit_layers`."""
        return [_item_data(item) for item in self._spec.layers]

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def _set(self, spec: ModelSpec) -> None:
        self._spec = spec
        self.spec_changed.emit()

    def apply(
        self, new_spec: Mapping[str, Any] | ModelSpec, text: str, merge_key: str = ""
    ) -> bool:
        """Pushes an undoable edit that replaces the spec with `new_spec` (validated once).

        Returns False (and changes nothing) if `new_spec` equals the current spec.

        Raises:
            SpecError: If `new_spec` is not a valid spec.
        """
        spec = validate_edit(new_spec)
        if spec == self._spec:
            return False
        self.undo_stack.push(SpecCommand(self, self._spec, spec, text, merge_key))
        return True

    def edit_layers(self, layers: list[dict[str, Any]], text: str, merge_key: str = "") -> bool:
        """Replaces the stack items (an undoable edit)."""
        spec = self._spec.to_dict()
        spec["layers"] = layers
        return self.apply(spec, text, merge_key)

    # -- the search space -----------------------------------------------------------

    @property
    def space(self) -> dict[str, dict[str, Any]]:
        """The varied parameters: spec path -> range or choices (a new dict to edit)."""
        return {path: dict(value) for path, value in self._space.items()}

    def _set_space(self, space: dict[str, dict[str, Any]]) -> None:
        self._space = space
        self.space_changed.emit()

    def set_space(self, space: dict[str, dict[str, Any]], text: str) -> bool:
        """Replaces the search space (an undoable edit); False if nothing changed."""
        space = {path: dict(value) for path, value in space.items()}
        if space == self._space:
            return False
        self.undo_stack.push(SpaceCommand(self, self._space, space, text))
        return True

    def vary(self, path: str, definition: dict[str, Any] | None) -> bool:
        """Varies the parameter at spec `path` over `definition` (None: stops varying it)."""
        space = self.space
        if definition is None:
            if space.pop(path, None) is None:
                return False
            return self.set_space(space, f"Stop varying {path.rsplit('.', 1)[-1]}")
        space[path] = dict(definition)
        return self.set_space(space, f"Vary {path.rsplit('.', 1)[-1]}")

    def reset_search(
        self, space: dict[str, dict[str, Any]], settings: dict[str, Any] | None = None
    ) -> None:
        """Replaces the search space and settings without undo (opening a project).

        An entry may be any form of the space JSON (a list of choices, a range object).
        """
        from lamina_gui.widgets.vary import as_definition

        self.search_settings = dict(settings or {})
        self._set_space({str(path): as_definition(value) for path, value in space.items()})
        self.search_reset.emit()

    def reset(
        self,
        spec: Any,
        project_path: Path | None = None,
        name: str = "",
        spec_file: Path | None = None,
    ) -> None:
        """Replaces the spec and project without undo history (new/open project).

        Args:
            spec: A `ModelSpec`, or spec data of any version (migrated and validated).
            project_path: The project folder, if the spec belongs to one.
            name: The project's name. Defaults to the spec's name.
            spec_file: The spec file, if the spec was opened from one.

        Raises:
            SpecError: If `spec` is invalid (nothing is changed then).
        """
        data = parse_spec(spec)
        self.undo_stack.clear()
        self.project_path = Path(project_path) if project_path else None
        self.spec_file = Path(spec_file) if spec_file else None
        self.scratch_path = None  # a new model's runs go to a new scratch project
        self.project_name = name or data.name
        self._selected = -1
        self._set(data)
        self.reset_search({})
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

    # -- runs -----------------------------------------------------------------------

    def runs_project(self, create: bool = False) -> Path | None:
        """The project folder runs are saved in: the open project, else a scratch project
        under lamina's home (made on first use if `create`), so that no run of an unsaved
        model is lost; saving the model as a project moves its runs there."""
        if self.project_path is not None:
            return self.project_path
        if self.scratch_path is None and create:
            from lamina.paths import lamina_home
            from lamina.project import save_project

            stamp = time.strftime("%Y%m%d-%H%M%S")
            path = lamina_home() / "scratch" / f"{stamp}-{os.getpid()}"
            save_project(path, self._spec, name="unsaved model")
            self.scratch_path = path
        return self.scratch_path

    def scratch_runs(self) -> list[Path]:
        """The run folders of the scratch project (runs of the unsaved model)."""
        if self.scratch_path is None or not (self.scratch_path / "runs").is_dir():
            return []
        return sorted(p for p in (self.scratch_path / "runs").iterdir() if p.is_dir())

    # -- selection ------------------------------------------------------------------

    @property
    def selected(self) -> int:
        return self._selected

    def select(self, index: int) -> None:
        """Selects stack item `index` (-1 for none)."""
        if index >= len(self._spec.layers):
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
