"""The city tab: the wards imported from packets, their results and the share of
"Chi bộ 4 tốt" per ward, the consolidated proposal list; import packets, export the list to
Excel, print every ward's certificates, choose the database.

Entry point for the main window: ``CityTab(db, parent)`` as a tab ("Thành phố"); it refreshes
itself when packets are imported (``Database.subscribe``). All work is done by the core
(``packets``, ``city``, ``city_export``); this widget only shows and asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop import city, city_export, connection, packets
from chibo4tot_desktop.db import changes
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import Office, exchange, queries
from chibo4tot_desktop.rules import fmt_points
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.bridge import DataBridge
from chibo4tot_desktop.ui.long_work import run_long

RESULT_COLUMNS = ["Mã", "Đảng bộ", "Chi bộ", "Đã đăng ký", "Đã chấm", "Đạt “4 tốt”",
                  "Tỷ lệ “Chi bộ 4 tốt”", "Đề nghị", "Được công nhận", "“Đảng bộ cơ sở 4 tốt”"]
PROPOSAL_COLUMNS = ["Đảng bộ", "Đơn vị được đề nghị", "Hình thức", "Điểm", "Xếp loại",
                    "Kết quả xét", "Quyết định"]
SHARE_COLUMN = 6


class CityTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Năm:"))
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(self._default_year())
        bar.addWidget(self.year)
        self.import_button = QPushButton("Nhập gói dữ liệu của phường...")
        self.export_button = QPushButton("Xuất danh sách đề nghị (Excel)...")
        self.print_button = QPushButton("In giấy khen tất cả các đảng bộ...")
        self.database_button = QPushButton("Cơ sở dữ liệu...")
        for button in (self.import_button, self.export_button, self.print_button,
                       self.database_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout.addLayout(bar)
        decisions = QHBoxLayout()
        decisions.addWidget(QLabel("Đề nghị đã chọn:"))
        self.decide_button = QPushButton("Ghi quyết định...")
        self.scan_button = QPushButton("Bản quét quyết định...")
        self.send_button = QPushButton("Lập gói quyết định gửi phường...")
        for button in (self.decide_button, self.scan_button, self.send_button):
            decisions.addWidget(button)
        decisions.addStretch(1)
        layout.addLayout(decisions)
        splitter = QSplitter(Qt.Vertical)
        self.results = _table(RESULT_COLUMNS)
        self.proposals = _table(PROPOSAL_COLUMNS)
        splitter.addWidget(self.results)
        splitter.addWidget(self.proposals)
        layout.addWidget(splitter, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.message)

        self.year.valueChanged.connect(self.refresh)
        self.import_button.clicked.connect(self._ask_import)
        self.export_button.clicked.connect(self._ask_export)
        self.print_button.clicked.connect(self._print)
        self.database_button.clicked.connect(self._database)
        self.decide_button.clicked.connect(lambda: self.record_decision())
        self.scan_button.clicked.connect(lambda: self.decision_files())
        self.send_button.clicked.connect(lambda: self.send_decisions())
        self.proposal_rows: list = []
        # Change notices through a bridge of its own: an import runs in a worker thread,
        # and the signal brings its notice to the GUI thread.
        self.bridge = DataBridge(self)
        self.bridge.attach(db)
        self.bridge.changed.connect(self._changed)
        self.destroyed.connect(lambda *_, bridge=self.bridge: bridge.detach())
        self.refresh()

    # ------------------------------------------------------------------ data
    def _default_year(self) -> int:
        return city.latest_packet_year(self.db) or dt.date.today().year

    def _changed(self, topics: frozenset[str]) -> None:
        if topics & {changes.PACKETS, "evaluations", "awards", "cells", "registrations"}:
            self.refresh()

    def refresh(self) -> None:
        year = self.year.value()
        try:
            results = city.results_by_ward(self.db, year)
            rows = city.consolidated_proposals(self.db, year)
        except UserError as error:
            self.show_message(f"Lỗi: {error}")
            return
        self.results.setRowCount(len(results))
        for row, result in enumerate(results):
            values = [result.ward_code, result.ward_name, result.cells, result.registered,
                      result.scored, result.qualifying, result.share_text, result.proposed,
                      result.recognised, result.organisation_verdict]
            for column, value in enumerate(values):
                self.results.setItem(row, column, _item(value))
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setValue(round((result.share or 0) * 1000))
            bar.setFormat(result.share_text)
            self.results.setCellWidget(row, SHARE_COLUMN, bar)
        self.proposal_rows = rows
        self.proposals.setRowCount(len(rows))
        for row, proposal in enumerate(rows):
            decision = (f"{proposal.decision_number} ngày {format_date(proposal.decision_date)}"
                        + (" (cấp trên ghi)" if proposal.decided_here else "")
                        if proposal.decided else "Chờ quyết định")
            values = [proposal.ward_name, proposal.recipient, proposal.kind_label,
                      fmt_points(proposal.committee_total), proposal.classification or "–",
                      proposal.verdict, decision]
            for column, value in enumerate(values):
                self.proposals.setItem(row, column, _item(value))
        if not results:
            self.show_message(f"Chưa có đảng bộ nào có dữ liệu năm {year}; hãy nhập gói dữ "
                              "liệu của các phường.")

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    # ---------------------------------------------------------------- actions
    def import_files(self, paths: Sequence[str]) -> list[packets.ImportOutcome] | None:
        """Import the packets (all or nothing) and say what happened; a packet signed by a key
        not registered yet may be registered (after the phone call) and the import tried
        again."""
        if not paths:
            return None
        try:
            outcomes = run_long(self, "Nhập gói dữ liệu của các phường",
                                lambda progress: exchange.import_packets(
                                    self.db, list(paths), progress=progress))
        except packets.UnknownSenderError as error:
            from chibo4tot_desktop.ui.dialogs.keys_dialog import offer_trust

            self.show_message(f"Lỗi: {error}")
            if offer_trust(self, Office(self.db), error):
                return self.import_files(paths)
            return None
        except UserError as error:
            self.show_message(f"Lỗi: {error}")
            return None
        if outcomes is None:
            self.show_message("Đã hủy; chưa nhập gói nào.")
            return None
        years = {outcome.year for outcome in outcomes if outcome.changed}
        if len(years) == 1:
            self.year.setValue(years.pop())   # refreshes through valueChanged
        self.refresh()
        self.show_message("\n".join(packets.describe_outcomes(outcomes)))
        return outcomes

    def export_proposals(self, path: str) -> int | None:
        year = self.year.value()
        try:
            count = run_long(self, "Xuất danh sách tổng hợp đề nghị",
                             lambda progress: city_export.write_proposals_xlsx(
                                 self.db, year, path, progress=progress))
        except UserError as error:
            self.show_message(f"Lỗi: {error}")
            return None
        if count is None:           # stopped: no file written
            return None
        self.show_message(f"Đã lưu danh sách {count} đề nghị vào {path}.")
        return count

    def certificates_job(self):
        """The printing job (preview, print, save as PDF) of every ward's certificates."""
        from chibo4tot_desktop.ui.printing import PaperJob

        year = self.year.value()

        def make():
            pages = city_export.certificate_pages(self.db, year)
            if not pages:
                raise UserError(f"Năm {year} chưa có khen thưởng nào đã có quyết định để in "
                                "giấy khen.")
            return pages

        return PaperJob(make, f"Giấy khen, giấy chứng nhận năm {year} (các đảng bộ)",
                        f"giay-khen-cac-dang-bo-{year}.pdf")

    # -------------------------------------------------------------- decisions made here
    def selected_proposal(self):
        rows = self.proposals.selectionModel().selectedRows()
        if len(rows) != 1:
            self.show_message("Hãy chọn một đề nghị trong bảng.")
            return None
        return self.proposal_rows[rows[0].row()]

    def _award(self, proposal):
        office = Office(self.db, proposal.organisation_id)
        award = next((a for a in queries.awards(office, self.year.value())
                      if a.id == proposal.award_id), None)
        if award is None:
            self.show_message("Không tìm thấy đề nghị (có thể vừa được thay).")
        return office, award

    def record_decision(self) -> None:
        """The upper level's decision on the selected proposal (kept by later ward packets)."""
        from chibo4tot_desktop.ui.dialogs.decision_dialog import DecisionDialog

        proposal = self.selected_proposal()
        if proposal is None:
            return
        office, award = self._award(proposal)
        if award is not None and DecisionDialog(office, award, award.issuer, self).exec():
            self.refresh()

    def decision_files(self) -> None:
        from chibo4tot_desktop.ui.dialogs.evidence_dialog import EvidenceDialog, Target

        proposal = self.selected_proposal()
        if proposal is None:
            return
        office, award = self._award(proposal)
        if award is None:
            return
        targets = [Target("Đề nghị", "proposal", award.id)]
        if award.is_decided:
            targets.insert(0, Target("Quyết định", "decision", award.id))
        EvidenceDialog(office, targets, f"{proposal.recipient} ({proposal.ward_name})",
                       self).exec()

    def send_decisions(self, path: str | None = None, seal: bool | None = None):
        """The decisions recorded here for the selected proposal's ward, in a signed packet."""
        from chibo4tot_desktop.ops.keys import senders
        from chibo4tot_desktop.ui.common import confirm

        proposal = self.selected_proposal()
        if proposal is None:
            return None
        year = self.year.value()
        receiver = next((s for s in senders(self.db) if s.code == proposal.ward_code), None)
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Lưu gói quyết định gửi phường",
                f"quyet-dinh-{proposal.ward_code}-{year}.zip", "Gói dữ liệu (*.zip)")
            if not path:
                return None
        if not path.lower().endswith(".zip"):
            path += ".zip"
        if seal is None:
            seal = receiver is not None and confirm(
                self, f"Mã hóa gói để chỉ {receiver.name} mở được?")
        office = Office(self.db, proposal.organisation_id)
        try:
            saved = run_long(self, "Lưu gói quyết định gửi phường",
                             lambda progress: packets.export_decisions(
                                 office, year, path, seal_to=receiver if seal else None,
                                 progress=progress))
        except UserError as error:
            self.show_message(f"Lỗi: {error}")
            return None
        if saved is None:           # stopped: no file written
            return None
        self.show_message(f"Đã lưu gói quyết định năm {year} gửi {proposal.ward_name}: "
                          f"{saved}.")
        return saved

    def _ask_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Chọn các gói dữ liệu của phường", "",
                                                "Gói dữ liệu (*.zip)")
        self.import_files(paths)

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Lưu danh sách tổng hợp đề nghị",
            f"danh-sach-de-nghi-{self.year.value()}.xlsx", "Excel (*.xlsx)")
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.export_proposals(path)

    def _print(self) -> None:
        from chibo4tot_desktop.ui import printing

        printing.preview(self, self.certificates_job())

    def _database(self) -> None:
        from chibo4tot_desktop.ui.dialogs.database_dialog import DatabaseDialog

        dialog = DatabaseDialog(self)
        if dialog.exec():
            where = (f"máy chủ {connection.display_url(dialog.chosen_url)}"
                     if dialog.chosen_url else "tệp dữ liệu trên máy")
            self.show_message(f"Đã lưu: lần mở sau chương trình sẽ dùng {where}.")


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(value) -> QTableWidgetItem:
    item = QTableWidgetItem("" if value is None else str(value))
    if isinstance(value, (int, float)):
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    return item
