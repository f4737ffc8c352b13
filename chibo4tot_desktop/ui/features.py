"""Wires the feature modules into the main window: Excel (templates, import, exports), Word
drafts (submission, decision, reports, reminder letter), papers (certificates, forms,
proposal list; preview, print, PDF), data safety (backups, restore,
check, audit log, automatic backups) and the city level (packets, results by ward, database).

Every slot reads ``main.office`` and ``main.current_year()`` when it runs, so it follows the
data file and year the user has open. No business rule here: each call goes to the core or to
the feature's own dialog.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.errors import UserError


def _year_or_warn(main) -> int | None:
    year = main.current_year()
    if year is None:
        QMessageBox.warning(main, APP_TITLE, "Chưa có năm thi đua nào; hãy khai báo giai đoạn.")
    return year


def _guard(main, action):
    try:
        return action()
    except UserError as error:
        from chibo4tot_desktop.ui.common import show_error

        show_error(main, error)
        return None


def _add_buttons(main, name: str, *buttons) -> None:
    """Buttons ((text, slot), ...) at the end of the button row of the tab ``name`` (an
    attribute of the main window), added once the tab is built."""
    def add(tab):
        for text, slot in buttons:
            tab.button_row.add_button(text, slot)
    main.when_tab_built(name, add)


def _print_paper(main, name: str, slot) -> None:
    """What Ctrl+P prints on the tab ``name`` (its ``print_paper``), once it is built."""
    main.when_tab_built(name, lambda tab: setattr(tab, "print_paper", slot))


def wire_excel(main) -> None:
    # openpyxl and the Excel modules load on first use, not while the window opens.
    def export(kind):
        def slot():
            from chibo4tot_desktop.ui.dialogs.import_dialog import export_list

            year = _year_or_warn(main)
            if year is not None:
                _guard(main, lambda: export_list(main, main.office, kind, year))
        return slot

    def template():
        from chibo4tot_desktop.ui.dialogs.import_dialog import save_template

        year = _year_or_warn(main)
        if year is not None:
            rows = main.registrations_tab.selected_rows()
            code = rows[0].code if len(rows) == 1 else None
            _guard(main, lambda: save_template(main, main.office, year, code))

    def import_():
        from chibo4tot_desktop.ui.dialogs.import_dialog import run_import

        year = _year_or_warn(main)
        if year is not None:
            _guard(main, lambda: run_import(main, main.office, year))

    def fill_exports():
        from chibo4tot_desktop.excel.kinds import KINDS

        if export_menu.isEmpty():
            for kind, label in KINDS.items():
                export_menu.addAction(f"{label}…", export(kind))

    menu = QMenu("&Excel", main)
    main.menuBar().insertMenu(main.tools_menu.menuAction(), menu)
    main.excel_menu = menu
    menu.addAction("Lập mẫu đăng ký thi đua…", template)
    menu.addAction("Nhập đăng ký từ Excel…", import_)
    export_menu = menu.addMenu("Xuất Excel")
    export_menu.aboutToShow.connect(fill_exports)

    _add_buttons(main, "registrations_tab", ("Mẫu đăng ký Excel…", template),
                 ("Nhập từ Excel…", import_), ("Xuất Excel", export("registrations")))
    _add_buttons(main, "cells_tab", ("Xuất Excel", export("cells")))
    _add_buttons(main, "scoring_tab", ("Xuất phiếu chấm Excel", export("scores")))
    _add_buttons(main, "awards_tab", ("Xuất kết quả Excel", export("results")),
                 ("Xuất danh sách đề nghị", export("proposals")))
    _add_buttons(main, "overview_tab", ("Xuất thống kê Excel", export("summary")))


def _printing():
    from chibo4tot_desktop.ui import printing

    return printing


def _papers():
    from chibo4tot_desktop.ui.dialogs import papers_dialog

    return papers_dialog


def wire_papers(main) -> None:
    # reportlab and the printing code load on first use, not while the window opens.
    def certificates(action_name):
        def slot():
            year = _year_or_warn(main)
            if year is not None:
                action = getattr(_printing(), action_name)
                _guard(main, lambda: action(main, _papers().year_certificates_job(
                    main.office, year)))
        return slot

    def form():
        printing = _printing()
        form_job = _papers().form_job
        year = _year_or_warn(main)
        rows = main.registrations_tab.selected_rows()
        if year is None:
            return
        if len(rows) != 1:
            QMessageBox.warning(main, APP_TITLE, "Hãy chọn một chi bộ trong danh sách.")
            return
        row = rows[0]
        _guard(main, lambda: printing.preview(main, form_job(main.office, year, row.code,
                                                             not row.registered)))

    def proposal_list():
        year = _year_or_warn(main)
        if year is not None:
            _guard(main, lambda: _printing().preview(main, _papers().proposal_list_job(
                main.office, year)))

    papers = QMenu("In giấy tờ", main)
    main.file_menu.insertMenu(main.quit_action, papers)
    papers.addAction("In giấy tờ (chọn loại)…",
                     lambda: _papers().open_papers_dialog(main, main.office, main.current_year()))
    papers.addAction("Xem trước và in giấy khen của năm…", certificates("preview"))
    papers.addAction("Lưu giấy khen của năm ra PDF…", certificates("save_as_pdf"))
    papers.addAction("Danh sách đề nghị khen thưởng…", proposal_list)
    main.tools_menu.addAction(
        "Cài đặt giấy khen…", lambda: _papers().CertificateSettingsDialog(main.office, main).exec())
    _add_buttons(main, "awards_tab", ("In giấy khen…", certificates("preview")))
    _add_buttons(main, "registrations_tab", ("In bản đăng ký…", form))
    _print_paper(main, "awards_tab", certificates("preview"))        # Ctrl+P on these tabs
    _print_paper(main, "registrations_tab", form)


def wire_word(main) -> None:
    """The "Văn bản (Word)" menu: one draft per kind (python-docx loads on first use)."""
    def draft(kind):
        def slot():
            from chibo4tot_desktop.ui.dialogs.word_dialog import save_draft

            year = _year_or_warn(main)
            if year is not None:
                _guard(main, lambda: save_draft(main, main.office, kind, year))
        return slot

    from chibo4tot_desktop.word.kinds import KINDS

    menu = QMenu("&Văn bản (Word)", main)
    main.menuBar().insertMenu(main.tools_menu.menuAction(), menu)
    main.word_menu = menu
    for kind, label in KINDS.items():
        menu.addAction(f"{label}…", draft(kind))


def wire_safety(main) -> None:
    from chibo4tot_desktop.ui.safety import SafetyMenu

    menu = QMenu("An toàn dữ liệu", main)
    main.file_menu.insertMenu(main.quit_action, menu)
    main.safety_menu = SafetyMenu(main, menu, lambda: main.office.db, main.set_database)


def wire_city(main) -> None:
    def open_database_dialog():
        from chibo4tot_desktop.ui.dialogs.database_dialog import DatabaseDialog

        DatabaseDialog(main).exec()

    def packet():
        from chibo4tot_desktop.ui.dialogs.packet_dialog import export_packet_with_dialog

        year = _year_or_warn(main)
        if year is not None:
            _guard(main, lambda: export_packet_with_dialog(main, main.office, year))

    menu = QMenu("Liên thông thành phố", main)
    main.city_menu = menu
    main.file_menu.insertMenu(main.quit_action, menu)
    menu.addAction("Xuất gói dữ liệu gửi thành phố…", packet)
    menu.addAction("Kết quả các phường (nhập gói)…", lambda: main.show_city_tab())
    menu.addAction("Cơ sở dữ liệu dùng chung…", open_database_dialog)


def _evidence_dialog(main, targets, title):
    from chibo4tot_desktop.ui.dialogs.evidence_dialog import EvidenceDialog

    dialog = EvidenceDialog(main.office, targets, title, main)
    main.evidence_dialog = dialog
    dialog.open()
    return dialog


def registration_evidence(main):
    from chibo4tot_desktop.ui.dialogs.evidence_dialog import Target

    rows = main.registrations_tab.selected_rows()
    if len(rows) != 1:
        QMessageBox.warning(main, APP_TITLE, "Hãy chọn một chi bộ trong danh sách.")
        return None
    row = rows[0]
    if not row.registered:
        QMessageBox.warning(main, APP_TITLE, f"{row.name} chưa có bản đăng ký năm "
                                             f"{main.current_year()}.")
        return None
    return _evidence_dialog(main, [Target("Bản đăng ký", "registration", row.registration_id)],
                            f"Bản đăng ký năm {main.current_year()} của {row.name}")


def evaluation_evidence(main):
    from chibo4tot_desktop.ui.dialogs.evidence_dialog import Target

    tab = main.scoring_tab
    if tab.evaluation is None:
        QMessageBox.warning(main, APP_TITLE, "Phiếu chấm này chưa được lưu; hãy lưu phiếu "
                                             "trước khi đính kèm tệp.")
        return None
    return _evidence_dialog(main, [Target("Phiếu chấm điểm", "evaluation", tab.evaluation.id)],
                            f"Phiếu chấm điểm năm {main.current_year()} – "
                            f"{tab.unit.currentText()}")


def award_evidence(main):
    from chibo4tot_desktop.ui.dialogs.evidence_dialog import Target

    award = main.awards_tab._selected_award()
    if award is None:
        return None
    targets = [Target("Đề nghị", "proposal", award.id)]
    if award.is_decided:
        targets.insert(0, Target("Quyết định", "decision", award.id))
    unit = award.cell.name if award.cell else "Đảng bộ"
    return _evidence_dialog(main, targets, f"{unit}, khen thưởng năm {award.year}")


def import_decisions(main, paths=None):
    """The ward takes in the decisions its upper level sent down (a signed packet)."""
    from PySide6.QtWidgets import QFileDialog

    from chibo4tot_desktop.ops.exchange import import_packets
    from chibo4tot_desktop.packets import UnknownSenderError, describe_outcomes
    from chibo4tot_desktop.ui.dialogs.keys_dialog import offer_trust
    from chibo4tot_desktop.ui.long_work import run_long

    if paths is None:
        paths, _ = QFileDialog.getOpenFileNames(main, "Chọn gói quyết định của cấp trên", "",
                                                "Gói dữ liệu (*.zip)")
        if not paths:
            return None
    try:
        outcomes = run_long(main, "Nhập gói quyết định", lambda progress: import_packets(
            main.office.db, list(paths), progress=progress))
    except UnknownSenderError as error:
        if offer_trust(main, main.office, error):
            return import_decisions(main, paths)
        return None
    except UserError as error:
        from chibo4tot_desktop.ui.common import show_error

        show_error(main, error)
        return None
    if outcomes is None:        # cancelled: nothing imported
        return None
    QMessageBox.information(main, APP_TITLE, "\n".join(describe_outcomes(outcomes)))
    return outcomes


def wire_cells_side(main) -> None:
    """Self-assessment sheets, the printed scoring sheet, evidence files, keys, decisions
    received from above."""
    def self_template():
        from chibo4tot_desktop.ui.dialogs.import_dialog import save_self_template

        year = _year_or_warn(main)
        if year is not None:
            _guard(main, lambda: save_self_template(main, main.office, year))

    def self_import():
        from chibo4tot_desktop.ui.dialogs.import_dialog import SelfAssessmentImport, run_import

        year = _year_or_warn(main)
        if year is not None:
            _guard(main, lambda: run_import(main, main.office, year,
                                            kind=SelfAssessmentImport))

    def scoring_sheet():
        from chibo4tot_desktop.pdf.scoring_sheet import scoring_sheet_pages
        from chibo4tot_desktop.ui.printing import PaperJob

        year = _year_or_warn(main)
        tab = main.scoring_tab
        if year is None:
            return
        cell_id = tab.cell_id()
        if cell_id is None:
            QMessageBox.warning(main, APP_TITLE, "Hãy chọn một chi bộ để in phiếu chấm.")
            return
        from chibo4tot_desktop.ops import queries

        code = queries.cell(main.office, cell_id).code
        _printing().preview(main, PaperJob(lambda: scoring_sheet_pages(main.office, year, code),
                                           f"Phiếu chấm điểm năm {year}",
                                           f"phieu-cham-{code}-{year}.pdf"))

    def keys():
        from chibo4tot_desktop.ui.dialogs.keys_dialog import KeysDialog

        main.keys_dialog = KeysDialog(main.office, main)
        main.keys_dialog.open()

    main.excel_menu.addSeparator()
    main.excel_menu.addAction("Lập mẫu phiếu tự chấm…", self_template)
    main.excel_menu.addAction("Nhập phiếu tự chấm từ Excel…", self_import)
    _add_buttons(main, "scoring_tab", ("Mẫu tự chấm Excel…", self_template),
                 ("Nhập phiếu tự chấm…", self_import), ("In phiếu chấm…", scoring_sheet))
    _print_paper(main, "scoring_tab", scoring_sheet)
    _add_buttons(main, "scoring_tab", ("Tệp đính kèm…", lambda: evaluation_evidence(main)))
    _add_buttons(main, "registrations_tab",
                 ("Tệp đính kèm…", lambda: registration_evidence(main)))
    _add_buttons(main, "awards_tab", ("Tệp đính kèm…", lambda: award_evidence(main)))
    main.tools_menu.addAction("Khóa và chữ ký gói dữ liệu…", keys)
    main.city_menu.addAction("Nhập gói quyết định của cấp trên…", lambda: import_decisions(main))


def wire_print_shortcut(main) -> None:
    """Ctrl+P prints the paper of the tab in front (its ``print_paper``); on the other tabs
    it opens the papers dialog."""
    def print_current():
        paper = getattr(main.tabs.currentWidget(), "print_paper", None)
        if paper is not None:
            paper()
        else:
            _papers().open_papers_dialog(main, main.office, main.current_year())

    action = QAction("In giấy tờ của thẻ đang mở…", main)
    action.setShortcut(QKeySequence.StandardKey.Print)
    action.triggered.connect(lambda *_: print_current())
    main.file_menu.insertAction(main.quit_action, action)
    main.print_action = action


def wire_all(main) -> None:
    wire_excel(main)
    wire_word(main)
    wire_papers(main)
    wire_safety(main)
    wire_city(main)
    wire_cells_side(main)
    wire_print_shortcut(main)
