"""Wires the feature modules into the main window: Excel (templates, import, exports), papers
(certificates, forms, proposal list; preview, print, PDF), data safety (backups, restore,
check, audit log, automatic backups) and the city level (packets, results by ward, database).

Every slot reads ``main.office`` and ``main.current_year()`` when it runs, so it follows the
data file and year the user has open. No business rule here: each call goes to the core or to
the feature's own dialog.
"""

from __future__ import annotations

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
        QMessageBox.warning(main, APP_TITLE, str(error))
        return None


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

    main.registrations_tab.button_row.add_button("Mẫu đăng ký Excel…", template)
    main.registrations_tab.button_row.add_button("Nhập từ Excel…", import_)
    main.registrations_tab.button_row.add_button("Xuất Excel", export("registrations"))
    main.cells_tab.button_row.add_button("Xuất Excel", export("cells"))
    main.scoring_tab.button_row.add_button("Xuất phiếu chấm Excel", export("scores"))
    main.awards_tab.button_row.add_button("Xuất kết quả Excel", export("results"))
    main.awards_tab.button_row.add_button("Xuất danh sách đề nghị", export("proposals"))
    main.overview_tab.button_row.add_button("Xuất thống kê Excel", export("summary"))


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
    main.awards_tab.button_row.add_button("In giấy khen…", certificates("preview"))
    main.registrations_tab.button_row.add_button("In bản đăng ký…", form)


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
    main.file_menu.insertMenu(main.quit_action, menu)
    menu.addAction("Xuất gói dữ liệu gửi thành phố…", packet)
    menu.addAction("Kết quả các phường (nhập gói)…", lambda: main.show_city_tab())
    menu.addAction("Cơ sở dữ liệu dùng chung…", open_database_dialog)


def wire_all(main) -> None:
    wire_excel(main)
    wire_papers(main)
    wire_safety(main)
    wire_city(main)
