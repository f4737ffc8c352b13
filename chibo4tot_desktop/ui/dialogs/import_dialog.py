"""Excel in the window: the import preview dialog, and the template/export actions.

No rule lives here: the plan, the checks and the transaction are the core's
(``excel.importer``); the dialog shows the plan and asks before anything is written.

Entry points for the main window:
- ``run_import(parent, office, year, paths=None)``: asks for files (when ``paths`` is None),
  shows ``ImportDialog``; returns the ImportOutcome, or None when the user cancelled;
- ``save_template(parent, office, year, cell_code=None, path=None)``;
- ``export_list(parent, office, kind, year, path=None)``.
The window's Excel menu and buttons (``ui/features.py``) call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop.errors import ConflictError, UserError
from chibo4tot_desktop.excel import exports
from chibo4tot_desktop.excel.importer import (
    ImportOutcome,
    ImportPlan,
    apply_plan,
    build_plan,
)
from chibo4tot_desktop.excel.template import write_template
from chibo4tot_desktop.progress import null_progress
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.long_work import run_long
from chibo4tot_desktop.ui.screen import ProgramDialog

XLSX_FILTER = "Tệp Excel (*.xlsx)"


class RowsModel(QAbstractTableModel):
    """A read-only table of plain text rows (fast enough for 10,000 rows)."""

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[str]], parent=None):
        super().__init__(parent)
        self.headers = list(headers)
        self.rows = [list(row) for row in rows]

    def rowCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.DisplayRole):
        if role in (Qt.DisplayRole, Qt.ToolTipRole) and index.isValid():
            return self.rows[index.row()][index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 - Qt API
        if role == Qt.DisplayRole:
            if orientation == Qt.Horizontal:
                return self.headers[section]
            return str(section + 1)
        return None


def _table(headers, rows) -> QTableView:
    view = QTableView()
    view.setModel(RowsModel(headers, rows, view))
    view.setEditTriggers(QTableView.NoEditTriggers)
    view.setSelectionBehavior(QTableView.SelectRows)
    view.setWordWrap(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.resizeColumnsToContents()
    return view


def _shown(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "year") and hasattr(value, "day"):
        return format_date(value)
    return str(value)


class RegistrationImport:
    """What the dialog shows and calls for the registrations."""

    title = "Nhập bản đăng ký thi đua năm {year} từ Excel"
    done_title = "Nhập đăng ký"
    build = staticmethod(build_plan)
    apply = staticmethod(apply_plan)
    headers = ["Chi bộ", "Ngày đăng ký", "Danh hiệu", "Tệp", "Trang", "Dòng", "Thay đổi"]

    @staticmethod
    def row(row) -> list[str]:
        return [row.cell_name, _shown(row.values.get("received_on")),
                row.values.get("title", ""), row.file, row.sheet, str(row.row),
                ", ".join(row.changes)]


class SelfAssessmentImport:
    """What the dialog shows and calls for the cells' self-assessment sheets."""

    title = "Nhập phiếu tự chấm điểm năm {year} từ Excel"
    done_title = "Nhập phiếu tự chấm"
    headers = ["Chi bộ", "Số mục", "Tổng tự chấm", "Tệp", "Trang", "Mục thay đổi"]

    @staticmethod
    def build(office, year, paths, progress=null_progress):
        from chibo4tot_desktop.excel.selfassess import build_self_plan

        return build_self_plan(office, year, paths, progress)

    @staticmethod
    def apply(office, plan, only_good=False, progress=null_progress):
        from chibo4tot_desktop.excel.selfassess import apply_self_plan

        return apply_self_plan(office, plan, only_good=only_good, progress=progress)

    @staticmethod
    def row(row) -> list[str]:
        from chibo4tot_desktop.rules import fmt_points

        return [row.cell_name, str(len(row.scores)), fmt_points(row.total), row.file,
                row.sheet, ", ".join(row.changes)]


class ImportDialog(ProgramDialog):
    """Shows what an import will add, update and leave, and every problem; writes on confirm.
    ``kind``: ``RegistrationImport`` (default) or ``SelfAssessmentImport``."""

    def __init__(self, office, year: int, paths: Sequence[str | Path], parent: QWidget | None = None,
                 kind=RegistrationImport):
        super().__init__(parent)
        self.office = office
        self.year = year
        self.kind = kind
        self.paths = [Path(path) for path in paths]
        self.plan: ImportPlan | None = None
        self.outcome: ImportOutcome | None = None
        self.setWindowTitle(kind.title.format(year=year))
        self.resize(980, 620)

        layout = QVBoxLayout(self)
        self.files_label = QLabel()
        self.files_label.setWordWrap(True)
        self.summary_label = QLabel()
        self.summary_label.setStyleSheet("font-weight: bold")
        self.tabs = QTabWidget()
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.only_good = QCheckBox("Bỏ qua các dòng lỗi, chỉ nhập các dòng đúng")
        self.only_good.toggled.connect(self._update_buttons)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox()
        self.import_button = QPushButton("Nhập")
        self.import_button.setDefault(True)
        self.reload_button = QPushButton("Đọc lại tệp")
        self.buttons.addButton(self.import_button, QDialogButtonBox.AcceptRole)
        self.buttons.addButton(self.reload_button, QDialogButtonBox.ResetRole)
        self.buttons.addButton("Hủy", QDialogButtonBox.RejectRole)
        self.import_button.clicked.connect(self.confirm)
        self.reload_button.clicked.connect(self.reload)
        self.buttons.rejected.connect(self.reject)
        for widget in (self.files_label, self.summary_label, self.tabs, self.notes_label,
                       self.only_good, self.error_label, self.buttons):
            layout.addWidget(widget)
        self.reload()

    # ------------------------------------------------------------------------------ plan
    def reload(self) -> None:
        """(Re)read the files and show the plan; nothing is written."""
        self.error_label.clear()
        self.files_label.setText("Tệp: " + ", ".join(path.name for path in self.paths))
        # Reading runs behind the progress dialog (each file is read in a child process):
        # over the window that opened this dialog, which is not on screen yet the first time.
        owner = self if self.isVisible() else (self.parentWidget() or self)
        try:
            self.plan = run_long(owner, "Đọc tệp Excel", lambda progress: self.kind.build(
                self.office, self.year, self.paths, progress=progress))
        except UserError as error:
            self.plan = None
            self.error_label.setText(str(error))
        else:
            if self.plan is None:
                self.error_label.setText("Đã dừng đọc tệp; bấm “Đọc lại tệp” để đọc lại.")
        self._show_plan()

    def _show_plan(self) -> None:
        self.tabs.clear()
        plan = self.plan
        if plan is None:
            self.summary_label.setText("Không đọc được tệp.")
            self.notes_label.clear()
            self._update_buttons()
            return
        self.summary_label.setText(plan.summary())
        change_headers = self.kind.headers

        def change_rows(rows):
            return [self.kind.row(row) for row in rows]

        problem_rows = [[problem.file, problem.sheet, _shown(problem.row),
                         problem.column or "", _shown(problem.value), problem.message]
                        for problem in plan.problems]
        sections = [
            (f"Lỗi ({len(plan.problems)})", ["Tệp", "Trang", "Dòng", "Cột", "Giá trị", "Lỗi"],
             problem_rows),
            (f"Thêm mới ({len(plan.to_add)})", change_headers, change_rows(plan.to_add)),
            (f"Cập nhật ({len(plan.to_update)})", change_headers, change_rows(plan.to_update)),
            (f"Không đổi ({len(plan.unchanged)})", change_headers, change_rows(plan.unchanged)),
        ]
        for title, headers, rows in sections:
            if title.startswith("Lỗi") and not rows:
                continue
            self.tabs.addTab(_table(headers, rows), title)
        notes = list(plan.notes)
        if plan.rows and not plan.has_changes:
            notes.insert(0, f"Không có gì mới: {len(plan.unchanged)} {plan.NOUN} trong tệp đã "
                            "có sẵn và giống hệt dữ liệu hiện có.")
        if plan.problems:
            notes.insert(0, "Các dòng lỗi sẽ không được nhập. Sửa tệp rồi bấm “Đọc lại tệp”, "
                            "hoặc chọn bỏ qua các dòng lỗi.")
        self.notes_label.setText("\n".join(notes))
        self._update_buttons()

    def _update_buttons(self) -> None:
        plan = self.plan
        has_changes = plan is not None and plan.has_changes
        problems = plan is not None and bool(plan.problems)
        self.only_good.setVisible(problems and has_changes)
        self.import_button.setEnabled(has_changes and (not problems
                                                       or self.only_good.isChecked()))

    # ------------------------------------------------------------------------------ apply
    def confirm(self) -> None:
        """Write the plan in one transaction, behind a progress dialog whose "Hủy" stops it;
        on a refusal or a cancel the database is unchanged."""
        if self.plan is None:
            return
        plan, only_good = self.plan, self.only_good.isChecked()
        try:
            self.outcome = run_long(self, self.kind.done_title, lambda progress: self.kind.apply(
                self.office, plan, only_good=only_good, progress=progress))
        except ConflictError as error:
            self.error_label.setText(f"{error} Đã đọc lại tệp với dữ liệu mới nhất.")
            message = self.error_label.text()
            self.reload()
            self.error_label.setText(message)
            return
        except UserError as error:
            self.error_label.setText(str(error))
            return
        if self.outcome is not None:     # None: cancelled, nothing written
            self.accept()


def _ask_save_path(parent, title: str, suggested: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, XLSX_FILTER)
    if not path:
        return None
    path = Path(path)
    return path if path.suffix.lower() == ".xlsx" else path.with_suffix(".xlsx")


def run_import(parent, office, year: int, paths: Sequence[str | Path] | None = None,
               kind=RegistrationImport) -> ImportOutcome | None:
    if paths is None:
        chosen, _ = QFileDialog.getOpenFileNames(parent, kind.title.format(year=year), "",
                                                 XLSX_FILTER)
        if not chosen:
            return None
        paths = chosen
    dialog = ImportDialog(office, year, paths, parent, kind)
    if dialog.exec() != QDialog.Accepted or dialog.outcome is None:
        return None
    QMessageBox.information(parent, kind.done_title, dialog.outcome.message())
    return dialog.outcome


def save_self_template(parent, office, year: int, cell_code: str | None = None,
                       path: str | Path | None = None) -> Path | None:
    from chibo4tot_desktop.excel.selfassess import write_self_template

    if path is None:
        suggested = f"phieu-tu-cham-{year}{'-' + cell_code if cell_code else ''}.xlsx"
        path = _ask_save_path(parent, "Lưu mẫu phiếu tự chấm điểm", suggested)
        if path is None:
            return None
    try:
        return write_self_template(office, year, path, cell_code)
    except UserError as error:
        QMessageBox.warning(parent, "Lập mẫu phiếu tự chấm", str(error))
        return None


def save_template(parent, office, year: int, cell_code: str | None = None,
                  path: str | Path | None = None) -> Path | None:
    if path is None:
        suggested = f"mau-dang-ky-{year}{'-' + cell_code if cell_code else ''}.xlsx"
        path = _ask_save_path(parent, "Lưu mẫu đăng ký thi đua", suggested)
        if path is None:
            return None
    try:
        return write_template(office, year, path, cell_code)
    except UserError as error:
        QMessageBox.warning(parent, "Lập mẫu đăng ký", str(error))
        return None


EXPORT_FILE_NAMES = {
    "cells": "danh-sach-chi-bo", "registrations": "danh-sach-dang-ky", "scores": "bang-cham-diem",
    "results": "ket-qua-xep-loai", "proposals": "danh-sach-de-nghi", "awards": "so-khen-thuong",
    "summary": "thong-ke",
}


def export_list(parent, office, kind: str, year: int,
                path: str | Path | None = None) -> Path | None:
    from chibo4tot_desktop.ui.printing import confirm_problems

    if not confirm_problems(parent, exports.warnings(office, kind, year), "xuất"):
        return None
    if path is None:
        path = _ask_save_path(parent, f"Xuất {exports.KINDS[kind].lower()}",
                              f"{EXPORT_FILE_NAMES[kind]}-{year}.xlsx")
        if path is None:
            return None
    try:
        return run_long(parent, f"Xuất {exports.KINDS[kind].lower()}",
                        lambda progress: exports.export(office, kind, year, path,
                                                        progress=progress))
    except UserError as error:
        QMessageBox.warning(parent, "Xuất Excel", str(error))
        return None
