"""The main window: menus, toolbar, the Compose / Data / Train / Visualize / Runs / Search tabs,
status bar.

The window never imports TensorFlow: the engine child process does the work. The
window paints first; the engine starts right after, and the palette fills from the
cached catalogue until the engine's own catalogue arrives.
"""

from __future__ import annotations

import importlib
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from lamina.engine.protocol import Catalog, CatalogRequest
from lamina_gui.bridge import EngineBridge
from lamina_gui.checker import LiveChecker
from lamina_gui.project import ProjectController
from lamina_gui.settings import app_settings
from lamina_gui.state import AppState
from lamina_gui.views.compile_panel import CompilePanel
from lamina_gui.views.compose import Composer
from lamina_gui.widgets.field_errors import highlight_field, item_params
from lamina_gui.widgets.palette import Palette
from lamina_gui.widgets.param_form import ItemPanel
from lamina_gui.widgets.stack_model import item_errors
from lamina_gui.widgets.view_scroll import ViewScrollArea

#: tab title -> (module, class) of the views made on first use
LAZY_VIEWS: dict[str, tuple[str, str]] = {
    "Data": ("lamina_gui.views.data", "DataView"),
    "Train": ("lamina_gui.views.train", "TrainingView"),
    "Visualize": ("lamina_gui.views.visualize", "VisualizeView"),
    "Runs": ("lamina_gui.views.runs", "RunsView"),
    "Search": ("lamina_gui.views.search", "SearchView"),
}

_STATE_STYLE = {
    "starting": ("#a06000", "engine starting…"),
    "restarting": ("#a06000", "engine restarting…"),
    "ready": ("#287a28", "engine ready"),
    "busy": ("#1f5fbf", "engine busy"),
    "died": ("#b00000", "engine died"),
    "stopped": ("#777777", "engine stopped"),
}


def load_catalog_cache() -> dict[str, Any] | None:
    try:
        from lamina.engine.catalog_cache import load_cached_catalog
    except ImportError:
        return None
    return load_cached_catalog()


class MainWindow(QMainWindow):
    """The lamina window.

    Args:
        bridge: The engine bridge (made if not given; the window owns it then).
        state: The app state (made if not given).
        start_engine: Start the engine right after the first paint (otherwise a `bridge`
            whose engine is already ready is asked for the catalogue at once).
    """

    def __init__(
        self,
        bridge: EngineBridge | None = None,
        state: AppState | None = None,
        start_engine: bool = True,
    ) -> None:
        super().__init__()
        self.owns_bridge = bridge is None
        self.bridge = bridge or EngineBridge(parent=self)
        self.state = state or AppState(self)
        self.state.catalog = load_catalog_cache()
        self.checker = LiveChecker(self.bridge, self.state, self)
        self.projects = ProjectController(self.state, self)
        self.projects.runs_in_progress = self._runs_in_progress
        self.catalog_request = -1
        self.resize(1280, 800)
        self._build_compose()
        self._build_tabs()
        self._build_status()
        self._build_actions()
        self._wire()
        self._set_catalog(self.state.catalog)
        self._update_title()
        #: Imports the lazy views' modules in the background (set by `preload_views`).
        self.preloading: Any = None
        QTimer.singleShot(0, self.preload_views)
        if start_engine:
            QTimer.singleShot(0, self.start_engine)
        elif self.bridge.state == "ready":  # an engine that is already up: use it now
            self._show_engine_state("ready", "")
            self.catalog_request = self.bridge.request(CatalogRequest(), self._catalog_reply)

    # -- layout ---------------------------------------------------------------------

    def _build_compose(self) -> None:
        self.palette = Palette()
        self.composer = Composer(self.bridge, self.state)
        self.item_panel = ItemPanel(self.state)
        self.compile_panel = CompilePanel(self.state)
        self.side = QTabWidget()
        self.side.addTab(self.item_panel, "Item")
        self.side.addTab(self.compile_panel, "Compile")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.palette)
        split.addWidget(self.composer)
        split.addWidget(self.side)
        split.setSizes([300, 520, 460])
        split.setStretchFactor(1, 1)
        self.compose_tab = split

    def _build_tabs(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.addTab(self.compose_tab, "Compose")
        self.views: dict[str, QWidget] = {}
        for title in LAZY_VIEWS:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, title)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.setStyleSheet(
            "background: #fff3cd; color: #5c4400; border-bottom: 1px solid #e0c36c; padding: 6px;"
        )
        self.notice.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def _build_status(self) -> None:
        self.engine_label = QLabel()
        self.check_label = QLabel()
        self.statusBar().addPermanentWidget(self.check_label)
        self.statusBar().addPermanentWidget(self.engine_label)
        self._show_engine_state("stopped", "")

    def _build_actions(self) -> None:
        def act(text: str, slot: Any, keys: Any = None, tip: str = "") -> QAction:
            action = QAction(text, self)
            if keys is not None:
                action.setShortcuts(keys if isinstance(keys, list) else [QKeySequence(keys)])
            action.setStatusTip(tip)
            action.triggered.connect(slot)
            return action

        std = QKeySequence.StandardKey
        self.new_action = act("&New", self.new_model, std.New, "A new, empty model")
        self.open_action = act("&Open project…", self.projects.open_dialog, std.Open)
        self.open_spec_action = act("Open spec &file…", self.projects.open_spec_dialog)
        self.demo_action = act("Open the &demo project", self.projects.open_demo)
        self.save_action = act("&Save", self.projects.save, std.Save)
        self.save_as_action = act("Save &As…", self.projects.save_as_dialog, std.SaveAs)
        self.quit_action = act("&Quit", self.close, std.Quit)
        self.undo_action = self.state.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence(std.Undo)])
        self.redo_action = self.state.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(std.Redo)])
        self.check_action = act("&Check now", self.checker.check_now, "F5", "Check the spec now")
        self.restart_action = act("&Restart engine", self.bridge.restart)
        self.plugins_action = act("&Plug-ins…", self.show_plugins)
        self.about_action = act("&About lamina", self.show_about)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for a in (self.new_action, self.open_action, self.open_spec_action, self.demo_action):
            file_menu.addAction(a)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        for a in (
            self.composer.copy_action,
            self.composer.paste_action,
            self.composer.duplicate_action,
            self.composer.delete_action,
        ):
            edit.addAction(a)
        engine = bar.addMenu("E&ngine")
        engine.addAction(self.check_action)
        engine.addAction(self.restart_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.plugins_action)
        help_menu.addAction(self.about_action)

        tools = QToolBar("Main")
        tools.setObjectName("main-toolbar")
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # the toolbar's Undo/Redo keep their short names (and width); the menu's say what
        self.undo_tool = self._stack_tool("Undo", self.state.undo_stack.undo)
        self.redo_tool = self._stack_tool("Redo", self.state.undo_stack.redo)
        for a in (
            self.new_action,
            self.open_action,
            self.save_action,
            None,
            self.undo_tool,
            self.redo_tool,
            None,
            self.check_action,
            self.restart_action,
            None,
            self.plugins_action,
        ):
            if a is None:
                tools.addSeparator()
            else:
                tools.addAction(a)
        self.addToolBar(tools)
        self._fill_recent()

    def _stack_tool(self, verb: str, slot: Any) -> QAction:
        """A toolbar action that undoes or redoes, named just `verb`; its tooltip says
        what it would undo or redo."""
        stack = self.state.undo_stack
        action = QAction(verb, self)
        action.triggered.connect(slot)
        can = stack.canUndo if verb == "Undo" else stack.canRedo
        text = stack.undoText if verb == "Undo" else stack.redoText
        changed = stack.canUndoChanged if verb == "Undo" else stack.canRedoChanged
        action.setEnabled(can())

        def update(*_args: Any) -> None:
            if not (shiboken6.isValid(stack) and shiboken6.isValid(action)):
                return  # the window is being deleted
            action.setEnabled(can())
            action.setToolTip(f"{verb} {text()}".strip())

        changed.connect(update)
        stack.indexChanged.connect(update)
        update()
        return action

    def _wire(self) -> None:
        self.palette.entry_activated.connect(self.composer.add_entry)
        self.composer.message.connect(self.show_message)
        self.projects.message.connect(self.show_message)
        self.projects.recent_changed.connect(self._fill_recent)
        self.checker.report_changed.connect(self._report)
        self.bridge.status.connect(self._status)
        self.state.dirty_changed.connect(self._update_title)
        self.state.project_changed.connect(self._update_title)
        self.state.spec_changed.connect(self._spec_changed)
        self.field_errors: dict[int, str] = {}
        self.state.selection_changed.connect(self._highlight_field)

    def preload_views(self) -> None:
        """Imports the modules of the tabs' views in a background thread (once), so that
        a tab's first opening only builds its widgets."""
        if self.preloading is None:
            from lamina_gui.preload import start_preload

            self.preloading = start_preload(module for module, _ in LAZY_VIEWS.values())

    # -- engine ---------------------------------------------------------------------

    def start_engine(self) -> None:
        """Starts the engine (the window is already on screen)."""
        try:
            self.bridge.start()
        except Exception as exc:  # noqa: BLE001 - show it; the editor still works
            self._show_engine_state("died", f"cannot start the engine: {exc}")
            self.show_notice(f"Cannot start the engine: {exc}")

    def _status(self, status: Any) -> None:
        self._show_engine_state(status.state, status.message)
        if status.state == "died":
            self.show_notice(f"⚠ {status.message}")
        elif status.state == "ready":
            if self.notice.isVisible() and "restart" in self.notice.text().lower():
                self.show_notice(self.notice.text() + "\n✓ The engine is running again.")
                QTimer.singleShot(8000, self._hide_notice_if_recovered)
            if self.catalog_request < 0:
                self.catalog_request = self.bridge.request(CatalogRequest(), self._catalog_reply)

    def _hide_notice_if_recovered(self) -> None:
        if self.bridge.state == "ready":
            self.notice.hide()

    def _catalog_reply(self, reply: Any) -> None:
        self.catalog_request = -1
        if isinstance(reply, Catalog):
            self._set_catalog(reply.to_dict())
        else:  # an ErrorReply
            self.show_message(f"catalogue: {reply}")

    def _set_catalog(self, catalog: dict[str, Any] | None) -> None:
        self.state.catalog = catalog
        self.palette.set_catalog(catalog)
        self.composer.fill_templates()
        self.compile_panel.fill_choices()
        self.item_panel.form.entry = None  # rebuild with the new schemas
        self.item_panel.refresh()
        for view in getattr(self, "views", {}).values():
            if catalog and hasattr(view, "set_catalog"):
                view.set_catalog(catalog)  # e.g. the Data view made before the engine's came

    def _show_engine_state(self, state: str, message: str) -> None:
        color, text = _STATE_STYLE.get(state, ("#777", f"engine {state}"))
        self.engine_label.setText(f"<span style='color:{color}'>● {text}</span>")
        self.engine_label.setToolTip(message or text)
        if message:
            self.statusBar().showMessage(message, 15000)

    def _report(self, report: Any) -> None:
        self.composer.set_report(report, self.checker.error)
        self.item_panel.set_errors(item_errors(report))
        self.field_errors = item_params(report)
        self._highlight_field()
        if report is None:
            self.check_label.setText(
                f"<span style='color:#a60'>{self.checker.error or 'not checked'}</span>"
            )
        elif report.get("ok"):
            self.check_label.setText("<span style='color:#287a28'>✓ spec checks</span>")
        else:
            n = len(report.get("problems", []))
            self.check_label.setText(f"<span style='color:#b00'>⚠ {n} problem(s)</span>")

    def _highlight_field(self, *_args: Any) -> None:
        """Marks the parameter the selected item's error is about in its form."""
        index = self.state.selected
        message = self.item_panel.errors.get(index, "")
        highlight_field(self.item_panel.form, self.field_errors.get(index), message)

    # -- messages -------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    # -- tabs -----------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        title = self.tabs.tabText(index)
        if title in LAZY_VIEWS and title not in self.views:
            self.view(title)

    def view(self, title: str) -> QWidget:
        """Returns the view of a tab, making it on first use (a placeholder if missing)."""
        if title in self.views:
            return self.views[title]
        module_name, class_name = LAZY_VIEWS[title]
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
            widget: QWidget = cls(state=self.state, bridge=self.bridge)
        except Exception as exc:  # noqa: BLE001 - a broken view must not take the app down
            widget = QLabel(f"The {title} view is not available: {exc}")
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
        holder = self.tabs.widget(self._tab_index(title))
        # fills the window; scrolls only when the window is below the view's minimum size
        holder.layout().addWidget(ViewScrollArea(widget))
        self.views[title] = widget
        self._wire_view(title, widget)
        return widget

    def _wire_view(self, title: str, widget: QWidget) -> None:
        """Connects a view made on first use to the others: a finished training run
        refreshes the Runs view, which opens its runs in the Visualize view."""
        if title == "Train" and hasattr(widget, "finished"):
            widget.finished.connect(self._training_finished)
        elif title in ("Runs", "Search") and hasattr(widget, "open_run"):
            widget.open_run.connect(self.open_in_visualize)
        if title == "Search" and hasattr(widget, "finished"):
            widget.finished.connect(self._training_finished)

    def _runs_in_progress(self) -> bool:
        """True while the Train or Search view runs (it may still write a run)."""
        return any(getattr(self.views.get(t), "running", False) for t in ("Train", "Search"))

    def _training_finished(self, _result: Any) -> None:
        # a run that started before Save (As) ended in the scratch project: keep it
        moved = self.projects.keep_finished_runs()
        train = self.views.get("Train")
        if train is not None and moved:
            if getattr(train, "last_run_dir", None) in moved:
                train.last_run_dir = moved[train.last_run_dir]
            if hasattr(train, "refresh_compare"):
                train.refresh_compare()
        runs = self.views.get("Runs")
        if runs is not None and hasattr(runs, "refresh"):
            runs.refresh()
        visualize = self.views.get("Visualize")
        if visualize is not None and hasattr(visualize, "refresh_runs"):
            visualize.refresh_runs()

    def open_in_visualize(self, run_dir: str) -> None:
        """Switches to the Visualize tab with the run saved in `run_dir` chosen."""
        visualize = self.view("Visualize")
        if hasattr(visualize, "set_run_dir"):
            visualize.set_run_dir(run_dir)
        self.tabs.setCurrentIndex(self._tab_index("Visualize"))

    def _tab_index(self, title: str) -> int:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())].index(title)

    # -- commands -------------------------------------------------------------------

    def new_model(self) -> None:
        if self.maybe_save():
            self.projects.new()

    def show_plugins(self) -> None:
        from lamina_gui.views.plugins_dialog import PluginsDialog

        dialog = PluginsDialog(self.state.catalog, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.plugins_dialog = dialog

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About lamina",
            "<b>lamina</b> — a Keras workbench built from plug-ins.<br>"
            "Compose a network, train it on your data, and look inside it.",
        )

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.projects.recent():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _c=False, p=path: self._open_recent(p))
        self.recent_menu.setEnabled(bool(self.projects.recent()))

    def _open_recent(self, path: str) -> None:
        if self.maybe_save():
            self.projects.open_path(path)

    def _spec_changed(self) -> None:
        self.check_label.setText("checking…")

    def _update_title(self, _dirty: bool = False) -> None:
        name = self.state.project_name or "untitled"
        where = self.state.project_path or self.state.spec_file
        self.setWindowTitle(f"{name}[*] — lamina" + (f" ({where})" if where else ""))
        self.setWindowModified(self.state.dirty)

    # -- closing --------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """Asks what to do with unsaved changes (or runs of an unsaved model); returns
        False to cancel."""
        runs = len(self.state.scratch_runs()) if self.state.project_path is None else 0
        if not self.state.dirty and not runs:
            return True
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.state.project_name or 'the model'}"
            + (f" and keep its {runs} training run(s) in the project?" if runs else "?"),
            buttons,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.projects.save()
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self.maybe_save():
            event.ignore()
            return
        app_settings().setValue("geometry", self.saveGeometry())
        self.projects.autosave_timer.stop()
        if self.owns_bridge:
            self.bridge.stop()
        event.accept()
