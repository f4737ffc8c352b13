"""The main window: the year selector, the five tabs, the menus and the status bar.

Public attributes other parts plug into: ``file_menu``, ``edit_menu``, ``tools_menu``
(Công cụ), ``help_menu``, ``tabs`` (the QTabWidget), ``overview_tab``, ``cells_tab``,
``registrations_tab``, ``scoring_tab``, ``awards_tab`` (each with ``button_row.add_button``),
``when_tab_built(name, hook)``, ``year_toolbar``, ``current_year()``, ``office`` and
``open_file(path)``.
Only the tab the window opens on is built before it shows; the others are built once the
year's figures are shown, one per turn of the event loop (``IDLE_BUILD_MS``), or at once when
one is asked for (its attribute read, or the user switching to it).
It holds no business rule: the tabs call ``Office`` and ``reports``; after each Office call the
database's change notice (``DataBridge``) marks the tabs that show the changed topics stale and
redraws the visible one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QWidget,
)

from chibo4tot_desktop import APP_TITLE, __version__
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ui.bridge import DataBridge
from chibo4tot_desktop.ui.common import show_error
from chibo4tot_desktop.ui.models.listing_model import ListingModel
from chibo4tot_desktop.ui.overviews import OverviewService
from chibo4tot_desktop.ui.safety import open_data_file
from chibo4tot_desktop.ui.tabs import TABS, TITLES

RECENT_KEY = "recent_files"
TAB_KEY = "window/tab"          # the tab the window was left on (its class name)
MAX_RECENT = 8
SWITCH_INTERVAL = 0.001          # seconds (Python's own: 0.005)
# The tabs not shown at start are built this long after the year's figures are shown (the
# window painted and answering first), then one per turn of the event loop.
IDLE_BUILD_MS = 200


def _tab_attribute(name: str) -> property:
    return property(lambda self: self.tab(name),
                    doc=f"The {name.replace('_', ' ')} (built when first asked for).")


class MainWindow(QMainWindow):
    def __init__(self, office: Office, *, ask_first_run: bool = True):
        super().__init__()
        # Python runs one thread at a time and hands over every few milliseconds: while a
        # worker computes, each call the window makes into Python (drawing a table's cells,
        # a timer) waits for it. A shorter turn gives the window its turn sooner.
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.office = office
        self._shown_year = None
        self.bridge = DataBridge(self)
        self.bridge.changed.connect(self.on_data_changed)
        # The year overviews the tabs show, computed off the GUI thread and kept until the
        # data under them change.
        self.overviews = OverviewService(office, self)
        self.overviews.ready.connect(self._overview_ready)
        self.overviews.failed.connect(lambda _year, text: show_error(self, text))
        self.resize(1280, 820)

        self.year_toolbar = QToolBar("Năm thi đua")
        self.year_toolbar.setObjectName("yearToolbar")
        self.year_toolbar.setMovable(False)
        self.year_toolbar.addWidget(QLabel(" Năm thi đua: "))
        self.year_combo = QComboBox()
        self.year_combo.setMinimumWidth(90)
        self.year_toolbar.addWidget(self.year_combo)
        self.phase_label = QLabel()
        self.phase_label.setObjectName("phaseLabel")
        self.year_toolbar.addWidget(QLabel("   "))
        self.year_toolbar.addWidget(self.phase_label)
        # A ward merged into this one lives in the same file: choose whose records to show.
        self.organisation_label = QLabel("   Đảng bộ: ")
        self.organisation_combo = QComboBox()
        self.organisation_combo.setMinimumWidth(260)
        self.organisation_label_action = self.year_toolbar.addWidget(self.organisation_label)
        self.organisation_combo_action = self.year_toolbar.addWidget(self.organisation_combo)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.year_toolbar)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # Each tab starts as an empty page with the tab's title; the tab itself is built
        # into its place when first needed (``tab``), the one the window opens on first.
        self._built: dict[str, QWidget] = {}
        self._pages: dict[str, QWidget] = {}
        self._hooks: dict[str, list] = {}
        self._idle_build = False
        for kind in TABS:
            self._pages[kind.name] = QWidget()
            self.tabs.addTab(self._pages[kind.name], kind.title)
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._tab_changed)

        self.busy_label = QLabel()
        self.statusBar().addPermanentWidget(self.busy_label)
        self._busy: set[object] = set()
        self.overviews.busyChanged.connect(lambda busy: self._set_busy(self.overviews, busy))
        self.file_label = QLabel()
        self.statusBar().addPermanentWidget(self.file_label)
        self._build_menus()
        from chibo4tot_desktop.ui.help import install_help

        install_help(self)
        self.auto_backup = None
        self.city_tab = None
        from chibo4tot_desktop.ui.features import wire_all

        wire_all(self)
        self.year_combo.currentIndexChanged.connect(self._year_changed)
        self.organisation_combo.currentIndexChanged.connect(self._organisation_changed)
        self._reopen_tab()
        self.attach(office)
        if ask_first_run and not queries.has_phase(office):
            self.first_run()

    # -------------------------------------------------------------------------------- menus
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&Tệp")
        self.new_file_action = self._action(self.file_menu, "Tạo tệp dữ liệu mới…",
                                            self.new_file)
        self.open_action = self._action(self.file_menu, "Mở tệp dữ liệu…", self.choose_file,
                                        QKeySequence.StandardKey.Open)
        self.recent_menu = self.file_menu.addMenu("Tệp gần đây")
        self.demo_action = self._action(self.file_menu, "Tạo tệp dữ liệu mẫu (phường Tân Giang)…",
                                        self.new_demo_file)
        self.file_menu.addSeparator()
        self.quit_action = self._action(self.file_menu, "Thoát", self.close,
                                        QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.edit_menu = bar.addMenu("&Sửa")
        self.add_action = self._action(self.edit_menu, "Thêm mới",
                                       lambda: self._dispatch("add"), QKeySequence("Ctrl+N"))
        self.find_action = self._action(self.edit_menu, "Tìm", lambda: self._dispatch("find"),
                                        QKeySequence("Ctrl+F"))
        self.save_action = self._action(self.edit_menu, "Lưu phiếu chấm",
                                        lambda: self._dispatch("save"), QKeySequence("Ctrl+S"))
        self.delete_action = self._action(self.edit_menu, "Xóa…",
                                          lambda: self._dispatch("delete"),
                                          QKeySequence(Qt.Key.Key_Delete))
        self.edit_menu.addSeparator()
        self.settings_action = self._action(self.edit_menu, "Thiết lập…", self.open_settings)

        self.tools_menu = bar.addMenu("&Công cụ")
        self.new_phase_action = self._action(self.tools_menu, "Thêm giai đoạn thi đua…",
                                             self.first_run)
        self.take_in_action = self._action(self.tools_menu,
                                           "Nhận hồ sơ đảng bộ hợp nhất vào (tệp dữ liệu)…",
                                           self.take_in_file)
        self.help_menu = bar.addMenu("&Trợ giúp")
        self._action(self.help_menu, "Giới thiệu", self.about)
        self.update_recent_menu()

    def _action(self, menu, text, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda *_: slot())
        menu.addAction(action)
        return action

    def _dispatch(self, name: str) -> None:
        tab = self.tabs.currentWidget()
        if tab is not None:
            getattr(tab, name)()

    def _update_actions(self) -> None:
        name = self._current_name()
        has_year = self.current_year() is not None
        self.add_action.setEnabled(has_year and name in ("cells_tab", "registrations_tab"))
        self.find_action.setEnabled(name in ("cells_tab", "registrations_tab"))
        self.save_action.setEnabled(name == "scoring_tab")
        self.delete_action.setEnabled(name in ("cells_tab", "registrations_tab", "awards_tab"))
        self.settings_action.setEnabled(has_year)

    # --------------------------------------------------------------------------------- tabs
    overview_tab = _tab_attribute("overview_tab")
    cells_tab = _tab_attribute("cells_tab")
    registrations_tab = _tab_attribute("registrations_tab")
    scoring_tab = _tab_attribute("scoring_tab")
    awards_tab = _tab_attribute("awards_tab")

    def tab(self, name: str):
        """The tab held by attribute ``name`` (one of ``TABS``), built now if it is not yet."""
        tab = self._built.get(name)
        return tab if tab is not None else self._build_tab(name)

    def when_tab_built(self, name: str, hook) -> None:
        """Call ``hook(tab)`` once the tab ``name`` is built (now, if it is): the buttons and
        actions other parts add to a tab, in the order they were asked for."""
        tab = self._built.get(name)
        if tab is not None:
            hook(tab)
        else:
            self._hooks.setdefault(name, []).append(hook)

    def _build_tab(self, name: str):
        tab = next(kind for kind in TABS if kind.name == name).load()(self)
        self._built[name] = tab
        page = self._pages.pop(name)
        index = self.tabs.indexOf(page)
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)         # the same tab stays current: no switch
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, tab, TITLES[name])
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(False)
        page.deleteLater()
        for model in tab.findChildren(ListingModel):
            model.busyChanged.connect(lambda busy, m=model: self._set_busy(m, busy))
        for hook in self._hooks.pop(name, ()):
            hook(tab)
        return tab

    def _built_tabs(self) -> list:
        return [self._built[kind.name] for kind in TABS if kind.name in self._built]

    def _current_name(self) -> str | None:
        widget = self.tabs.currentWidget()
        for name, tab in {**self._built, **self._pages}.items():
            if tab is widget:
                return name
        return None

    def _build_others_later(self) -> None:
        """Once the year's figures are shown: the tabs not built yet, one per turn of the
        event loop (each some tens of milliseconds; a tab's module imported in one turn, the
        tab built in the next) while nothing is being computed, so that the window keeps
        answering and a later switch finds its tab ready."""
        if not self._idle_build and self._pages:
            self._idle_build = True     # (the timers go with the window if it closes first)
            QTimer.singleShot(IDLE_BUILD_MS, self, self._build_next)

    def _build_next(self) -> None:
        if self._busy:              # a year or a long list is being computed: after it
            QTimer.singleShot(IDLE_BUILD_MS, self, self._build_next)
            return
        for kind in TABS:
            if kind.name in self._pages:
                if kind.loaded():
                    self._build_tab(kind.name)
                else:
                    kind.load()          # its module in this turn, the tab in the next
                break
        if self._pages:
            QTimer.singleShot(0, self, self._build_next)

    def tabs_built(self) -> bool:
        """Whether every tab is built."""
        return not self._pages

    def _scoring_dirty(self) -> bool:
        """Unsaved changes on the Chấm điểm sheet (none before the tab is built)."""
        tab = self._built.get("scoring_tab")
        return tab is not None and tab.dirty

    def _forget_scoring_sheet(self) -> None:
        tab = self._built.get("scoring_tab")
        if tab is not None:
            tab.dirty = False
            tab.current_unit = None

    # --------------------------------------------------------------------------------- data
    def _reopen_tab(self) -> None:
        """Open on the tab the window was left on: its data alone are read (the Đăng ký list
        of a province's 100,000 cells opens without computing the year's overview)."""
        left = QSettings().value(TAB_KEY, "")
        name = next((kind.name for kind in TABS if kind.class_name == left), TABS[0].name)
        self.tabs.blockSignals(True)
        self.tabs.setCurrentWidget(self.tab(name))
        self.tabs.blockSignals(False)

    def attach(self, office: Office) -> None:
        """Show ``office``'s data file (at start, and after opening another file)."""
        self.office = office
        self.overviews.attach(office)
        self.bridge.attach(office.db)
        self._start_auto_backup(office.db)
        if self.city_tab is not None:
            self.tabs.removeTab(self.tabs.indexOf(self.city_tab))
            self.city_tab.deleteLater()
            self.city_tab = None
        self.file_label.setText(f"Tệp dữ liệu: {office.db.target}")
        name = queries.organisation(office).name if office.has_organisation() else "Chưa có đảng bộ"
        self.setWindowTitle(f"{APP_TITLE} – {name}")
        self.fill_organisations()
        self.fill_years()
        if office.db.path is not None:
            self.remember_file(str(office.db.path))

    def fill_organisations(self) -> None:
        """The current organisation and the wards merged into it (shown only when there are
        some): their records are read and printed as they were."""
        from chibo4tot_desktop.ops.organisations import describe

        self.organisation_combo.blockSignals(True)
        self.organisation_combo.clear()
        current = Office(self.office.db)
        before = queries.predecessors(current) if current.has_organisation() else []
        if before:
            self.organisation_combo.addItem(queries.organisation(current).name + " (hiện hành)",
                                            current.organisation_id)
            for row in before:
                self.organisation_combo.addItem(describe(row), row.id)
            self.organisation_combo.setCurrentIndex(
                max(0, self.organisation_combo.findData(self.office.organisation_id)))
        self.organisation_label_action.setVisible(bool(before))
        self.organisation_combo_action.setVisible(bool(before))
        self.organisation_combo.blockSignals(False)

    def _organisation_changed(self, _index) -> None:
        organisation_id = self.organisation_combo.currentData()
        if organisation_id is None or organisation_id == self.office.organisation_id:
            return
        if self._scoring_dirty() and not self._confirm_discard():
            self.fill_organisations()
            return
        self.show_organisation(organisation_id)

    def show_organisation(self, organisation_id: int) -> None:
        """Show the records of another organisation of the same file."""
        self._forget_scoring_sheet()
        self.office = Office(self.office.db, organisation_id)
        self.overviews.attach(self.office)      # nothing kept from the other organisation
        name = queries.organisation(self.office).name
        self.setWindowTitle(f"{APP_TITLE} – {name}")
        self.fill_organisations()
        self.fill_years()

    def take_in_file(self) -> None:
        """A ward merged into this one: take its data file in as a predecessor."""
        from PySide6.QtWidgets import QInputDialog

        from chibo4tot_desktop.ops.organisations import take_in_file
        from chibo4tot_desktop.text import DateParseError, parse_date

        path, _ = QFileDialog.getOpenFileName(
            self, "Tệp dữ liệu của đảng bộ hợp nhất vào", str(Path.home()),
            "Tệp dữ liệu (*.sqlite3 *.db);;Mọi tệp (*)")
        if not path:
            return
        text, ok = QInputDialog.getText(self, "Ngày hợp nhất", "Ngày hợp nhất (dd/mm/yyyy):")
        if not ok:
            return
        try:
            day = parse_date(text)
        except DateParseError as error:
            show_error(self, f"Ngày hợp nhất: {error}.")
            return
        try:
            row = take_in_file(Office(self.office.db), path, day)
        except UserError as error:
            show_error(self, error)
            return
        self.fill_organisations()
        self.show_status(f"Đã nhận hồ sơ của {row.name}.")

    def fill_years(self, keep: int | None = None) -> None:
        import datetime as dt

        years = queries.years(self.office) if self.office.has_organisation() else []
        keep = keep if keep is not None else self.current_year()
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in years:
            self.year_combo.addItem(str(year), year)
        if years:
            wanted = keep if keep in years else (dt.date.today().year if dt.date.today().year
                                                 in years else years[-1])
            self.year_combo.setCurrentIndex(self.year_combo.findData(wanted))
        self.year_combo.blockSignals(False)
        self._year_changed()

    def current_year(self) -> int | None:
        return self.year_combo.currentData()

    def set_year(self, year: int) -> None:
        index = self.year_combo.findData(year)
        if index >= 0:
            self.year_combo.setCurrentIndex(index)

    def _year_changed(self, *_args) -> None:
        year = self.current_year()
        if self._scoring_dirty() and year != self._shown_year:
            if not self._confirm_discard():
                self.year_combo.blockSignals(True)
                self.year_combo.setCurrentIndex(self.year_combo.findData(self._shown_year))
                self.year_combo.blockSignals(False)
                return
            self._forget_scoring_sheet()
        self._shown_year = year
        self._show_phase(year)
        for tab in self._built_tabs():
            tab.stale = True
        self._refresh_visible()

    def _show_phase(self, year: int | None) -> None:
        if year is None:
            self.phase_label.setText("Chưa khai báo giai đoạn thi đua")
            return
        title, is_final = queries.phase_heading(self.office, year)
        final = " (năm tổng kết)" if is_final else ""
        self.phase_label.setText(f"{title}{final}")

    def on_data_changed(self, topics: frozenset) -> None:
        self.overviews.changed(topics)      # first: the tabs redraw from the overviews
        if "settings" in topics:
            name = queries.organisation(self.office).name if self.office.has_organisation() else ""
            self.setWindowTitle(f"{APP_TITLE} – {name}")
            self._show_phase(self.current_year())
        for tab in self._built_tabs():       # one built later reads the data then
            if tab.TOPICS & topics:
                tab.stale = True
                tab.data_changed(topics)
        self._refresh_visible()

    def _refresh_visible(self) -> None:
        tab = self.tabs.currentWidget()
        if tab is not None and getattr(tab, "stale", False) and self.current_year() is not None:
            tab.refresh()
        self._update_actions()
        if self.current_year() is None or not getattr(tab, "stale", True):
            self._build_others_later()       # the tab in front shows its figures

    def _tab_changed(self, _index) -> None:
        name = self._current_name()
        if name in self._pages:
            self._build_tab(name)            # the user asked for it: built at once
        self._refresh_visible()

    def _overview_ready(self, year: int) -> None:
        if year == self.current_year():
            self._refresh_visible()

    def _set_busy(self, source, busy: bool) -> None:
        """"Đang tính…" in the status bar while a year or a list is being computed."""
        if busy:
            self._busy.add(source)
        else:
            self._busy.discard(source)
        self.busy_label.setText("Đang tính…" if self._busy else "")

    def show_tab(self, tab) -> None:
        self.tabs.setCurrentWidget(tab)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    # -------------------------------------------------------------------------------- files
    def first_run(self) -> bool:
        """Declare the organisation and a phase (or, later, add the next phase)."""
        from chibo4tot_desktop.ui.dialogs.first_run_dialog import FirstRunDialog

        dialog = FirstRunDialog(self.office, self)
        if dialog.exec():
            year = dialog.result_value.first_year if dialog.result_value else None
            self.attach(self.office)
            if year is not None:
                self.set_year(year)
            return True
        return False

    def new_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Tạo tệp dữ liệu mới", str(Path.home()),
                                              "Tệp dữ liệu (*.sqlite3)")
        if not path:
            return
        if not path.endswith(".sqlite3"):
            path += ".sqlite3"
        if Path(path).exists():
            show_error(self, f"Tệp '{path}' đã có; hãy chọn tên khác hoặc dùng “Mở tệp dữ "
                             "liệu”.")
            return
        self.open_file(path, create=True)   # a new file asks for the organisation and phase

    def new_demo_file(self) -> None:
        """A new data file holding the demo ward, to try the program on."""
        from chibo4tot_desktop.demo import build_demo

        path, _ = QFileDialog.getSaveFileName(self, "Tạo tệp dữ liệu mẫu",
                                              str(Path.home() / "du-lieu-mau.sqlite3"),
                                              "Tệp dữ liệu (*.sqlite3)")
        if not path:
            return
        if not path.endswith(".sqlite3"):
            path += ".sqlite3"
        if Path(path).exists():
            show_error(self, f"Tệp '{path}' đã có; hãy chọn tên khác.")
            return
        if self._scoring_dirty() and not self._confirm_discard():
            return
        db = open_data_file(path, self, create=True, cancel_text="Hủy")
        if db is None:
            return
        try:
            build_demo(Office(db))
        except UserError as error:
            db.close()
            show_error(self, error)
            return
        self._show_database(db)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Mở tệp dữ liệu", str(Path.home()),
                                              "Tệp dữ liệu (*.sqlite3 *.db);;Mọi tệp (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str, *, create: bool = False) -> bool:
        """Open another data file (File ▸ Open, Recent, New) as at start: the start checks,
        the writer lock, the same questions. The current file stays open when that fails."""
        if self._scoring_dirty() and not self._confirm_discard():
            return False
        current = self.office.db
        if (current.path is not None and not current.readonly
                and Path(path).resolve() == current.path.resolve()):
            self.show_status("Tệp dữ liệu này đang mở.")
            return True
        db = open_data_file(path, self, create=create, cancel_text="Hủy")
        if db is None:
            return False
        self._show_database(db)
        return True

    def _show_database(self, db) -> None:
        old = self.office.db
        self.bridge.detach()
        self._forget_scoring_sheet()
        self.attach(Office(db))
        if db.readonly:
            self.setWindowTitle(self.windowTitle() + " (chỉ đọc)")
        if old is not db:
            old.close()
        if not db.readonly and not queries.has_phase(self.office):
            self.first_run()

    def _confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self, APP_TITLE, "Phiếu chấm đang sửa chưa được lưu. Bỏ các thay đổi đó?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def recent_files(self) -> list[str]:
        value = QSettings().value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def remember_file(self, path: str) -> None:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        QSettings().setValue(RECENT_KEY, files[:MAX_RECENT])
        self.update_recent_menu()

    def update_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for path in files:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda *_, p=path: self.open_file(p))
        self.recent_menu.setEnabled(bool(files))

    # ------------------------------------------------------------------------------- dialogs
    def open_settings(self) -> None:
        year = self.current_year()
        if year is None:
            show_error(self, "Chưa có giai đoạn thi đua; hãy khai báo đảng bộ và giai đoạn.")
            return
        from chibo4tot_desktop.ui.dialogs.settings_dialog import SettingsDialog

        SettingsDialog(self.office, year, self).exec()

    def about(self) -> None:
        QMessageBox.about(self, APP_TITLE,
                          f"<b>{APP_TITLE}</b> {__version__}<br>Quản lý phong trào thi đua "
                          "xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt”.<br>Chạy không cần "
                          "mạng; dữ liệu lưu trong một tệp trên máy.")

    # ------------------------------------------------------------ safety and the city level
    def _start_auto_backup(self, db) -> None:
        """Back up the file being left (on close), then watch the new one."""
        from chibo4tot_desktop.ui.safety import AutoBackupDriver

        if self.auto_backup is not None:
            if self.auto_backup.db is not db:
                self.auto_backup.on_close()
            self.auto_backup.timer.stop()
            self.auto_backup.deleteLater()
        self.auto_backup = AutoBackupDriver(db, self)
        self.auto_backup.backedUp.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self.auto_backup.failed.connect(
            lambda text: QMessageBox.warning(self, APP_TITLE, text))

    def set_database(self, db) -> None:
        """After a restore: show the restored file (the old Database is already closed)."""
        self.bridge.detach()
        self._forget_scoring_sheet()
        if self.auto_backup is not None:
            self.auto_backup.timer.stop()
            self.auto_backup.deleteLater()
            self.auto_backup = None
        self.attach(Office(db))

    def show_city_tab(self) -> None:
        """Results by ward (a city office importing the wards' packets)."""
        from chibo4tot_desktop.ui.tabs.city_tab import CityTab

        if self.city_tab is None:
            self.city_tab = CityTab(self.office.db, self)
            self.tabs.addTab(self.city_tab, "Thành phố")
        self.tabs.setCurrentWidget(self.city_tab)

    def closeEvent(self, event):
        if self._scoring_dirty() and not self._confirm_discard():
            event.ignore()
            return
        if self.auto_backup is not None:
            self.auto_backup.on_close()
            self.auto_backup.timer.stop()
        self.bridge.detach()
        name = self._current_name()
        if name is not None:
            QSettings().setValue(TAB_KEY, next(kind.class_name for kind in TABS
                                               if kind.name == name))
        super().closeEvent(event)
