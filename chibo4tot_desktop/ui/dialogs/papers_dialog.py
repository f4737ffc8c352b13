"""The "In giấy tờ" dialog: certificates, a cell's registration form and the proposal list,
each with print preview, print and save as PDF; and the certificate settings dialog.

Entry points for the main window:
- ``open_papers_dialog(parent, office, year=None, paper=CERTIFICATES)``: the whole dialog;
- ``certificates_job(office, awards)`` + ``printing.preview / print_job / save_as_pdf``: the
  certificates of the awards selected in the awards tab;
- ``CertificateSettingsDialog(office, parent).exec()``: the certificate settings.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.errors import UserError, ValidationError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.pdf import certificates as cert
from chibo4tot_desktop.pdf.forms import proposal_list, registration_form
from chibo4tot_desktop.ui import printing
from chibo4tot_desktop.ui.printing import PaperJob
from chibo4tot_desktop.ui.screen import ProgramDialog

CERTIFICATES, FORM, PROPOSAL_LIST = "certificates", "form", "proposal_list"
PAPER_NAMES = {
    CERTIFICATES: "Giấy khen, giấy chứng nhận",
    FORM: "Bản đăng ký thi đua của chi bộ",
    PROPOSAL_LIST: "Danh sách đề nghị khen thưởng",
}
ALL_CELLS = ""


def certificates_job(office, awards) -> PaperJob:
    """The certificates of ``awards`` (e.g. the rows selected in the awards tab)."""
    awards = list(awards)
    years = sorted({award.year for award in awards})
    year_text = ", ".join(str(year) for year in years)

    def make():
        certificates, settings = cert.award_certificates(office, awards)
        return cert.certificates_paper(certificates, settings,
                                       f"Giấy khen, giấy chứng nhận năm {year_text}")

    return PaperJob(make, f"Giấy khen, giấy chứng nhận năm {year_text}",
                    f"giay-khen-{'-'.join(str(y) for y in years) or 'chon'}.pdf")


def year_certificates_job(office, year: int, cell_codes=()) -> PaperJob:
    def make():
        return cert.year_certificates_paper(office, year, cell_codes)

    suffix = f"-{'-'.join(cell_codes)}" if cell_codes else ""
    return PaperJob(make, f"Giấy khen, giấy chứng nhận năm {year}",
                    f"giay-khen-{year}{suffix}.pdf")


def form_job(office, year: int, cell_code: str, blank: bool = False) -> PaperJob:
    return PaperJob(lambda: registration_form(office, year, cell_code, blank),
                    f"{'Mẫu b' if blank else 'B'}ản đăng ký thi đua năm {year}",
                    f"dang-ky-{cell_code}-{year}{'-mau-trong' if blank else ''}.pdf")


def proposal_list_job(office, year: int) -> PaperJob:
    return PaperJob(lambda: proposal_list(office, year),
                    f"Danh sách đề nghị khen thưởng năm {year}", f"danh-sach-de-nghi-{year}.pdf")


class PapersDialog(ProgramDialog):
    def __init__(self, office, parent: QWidget | None = None, year: int | None = None,
                 paper: str = CERTIFICATES):
        super().__init__(parent)
        self.office = office
        self.setWindowTitle("In giấy tờ")
        self.year = QComboBox()
        years = queries.years(office)
        for item in years:
            self.year.addItem(str(item), item)
        if year is None:
            today = dt.date.today().year
            year = today if today in years else (years[0] if years else None)
        if year in years:
            self.year.setCurrentIndex(years.index(year))
        self.paper = QComboBox()
        for key, label in PAPER_NAMES.items():
            self.paper.addItem(label, key)
        self.paper.setCurrentIndex(list(PAPER_NAMES).index(paper))
        self.cell = QComboBox()
        self.cells = queries.cells(office)
        self.blank = QCheckBox("Mẫu trống (dòng chấm để chi bộ điền tay)")
        self.hint = QLabel()
        self.hint.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Năm:", self.year)
        form.addRow("Giấy tờ:", self.paper)
        form.addRow("Chi bộ:", self.cell)
        form.addRow("", self.blank)

        self.preview_button = QPushButton("Xem trước…")
        self.print_button = QPushButton("In…")
        self.save_button = QPushButton("Lưu PDF…")
        self.settings_button = QPushButton("Cài đặt giấy khen…")
        self.preview_button.clicked.connect(lambda: printing.preview(self, self.job()))
        self.print_button.clicked.connect(lambda: printing.print_job(self, self.job()))
        self.save_button.clicked.connect(self._save)
        self.settings_button.clicked.connect(
            lambda: CertificateSettingsDialog(self.office, self).exec())
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.print_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.settings_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.paper.currentIndexChanged.connect(self._paper_changed)
        self._paper_changed()
        self.last_saved: str | None = None

    def _paper_changed(self) -> None:
        paper = self.paper.currentData()
        self.cell.clear()
        if paper == CERTIFICATES:
            self.cell.addItem("Tất cả (các khen thưởng đã có quyết định)", ALL_CELLS)
        for cell in self.cells:
            self.cell.addItem(f"{cell.name} ({cell.code})", cell.code)
        self.cell.setEnabled(paper != PROPOSAL_LIST)
        self.settings_button.setVisible(paper == CERTIFICATES)
        self.blank.setEnabled(paper == FORM)
        self.hint.setText({
            CERTIFICATES: "Mỗi khen thưởng đã có số và ngày quyết định in một trang A4 ngang.",
            FORM: "Bản đăng ký thi đua của chi bộ theo thể thức văn bản của Đảng (A4 dọc).",
            PROPOSAL_LIST: "Danh sách các đề nghị khen thưởng của năm (A4 dọc).",
        }[paper])

    def job(self) -> PaperJob:
        year = self.year.currentData()
        if year is None:
            return PaperJob(_no_year, "", "")
        paper = self.paper.currentData()
        code = self.cell.currentData()
        if paper == CERTIFICATES:
            return year_certificates_job(self.office, year, [code] if code else [])
        if paper == FORM:
            return form_job(self.office, year, code or "", self.blank.isChecked())
        return proposal_list_job(self.office, year)

    def _save(self) -> None:
        self.last_saved = printing.save_as_pdf(self, self.job())
        if self.last_saved:
            QMessageBox.information(self, APP_TITLE, f"Đã lưu {self.last_saved}")


def _no_year():
    raise UserError("Chưa có giai đoạn thi đua nào; hãy khai báo giai đoạn trước.")


def open_papers_dialog(parent: QWidget | None, office, year: int | None = None,
                       paper: str = CERTIFICATES) -> None:
    PapersDialog(office, parent, year, paper).exec()


class CertificateSettingsDialog(ProgramDialog):
    """Issuer, signer, wording, paper kind and offsets of the certificates."""

    TEXT_FIELDS = ("issuer", "on_behalf", "signer_title", "signer_name", "place", "lead_word",
                   "lead_word_recognition", "wording_cell_recognition",
                   "wording_org_recognition", "wording_merit")

    def __init__(self, office, parent: QWidget | None = None):
        super().__init__(parent)
        self.office = office
        self.setWindowTitle("Cài đặt giấy khen")
        settings = cert.load_settings(office)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name in self.TEXT_FIELDS:
            edit = QLineEdit(getattr(settings, name))
            edit.setMinimumWidth(420)
            self.edits[name] = edit
            label = cert.FIELD_LABELS[name]
            form.addRow(label[0].upper() + label[1:] + ":", edit)
        self.edits["wording_merit"].setToolTip("{năm} được thay bằng năm khen thưởng.")
        self.paper = QComboBox()
        for key, label in cert.PAPER_LABELS.items():
            self.paper.addItem(label, key)
        self.paper.setCurrentIndex(list(cert.PAPER_LABELS).index(settings.paper))
        form.addRow("Loại giấy:", self.paper)
        self.offset_x = self._offset(settings.offset_x_mm)
        self.offset_y = self._offset(settings.offset_y_mm)
        form.addRow("Dịch sang phải:", self.offset_x)
        form.addRow("Dịch xuống dưới:", self.offset_y)
        self.paper.currentIndexChanged.connect(self._paper_changed)
        self._paper_changed()
        note = QLabel("Trong nội dung, {năm} được thay bằng năm khen thưởng. Cơ quan ban hành, "
                      "địa danh và người ký ở đây thuộc phiên bản tên gọi mới nhất của đảng bộ "
                      "(Thiết lập › Đảng bộ) và là mặc định khi ghi quyết định mới; mỗi giấy "
                      "khen in theo quyết định của nó. Độ dịch (mm) chỉ dùng cho phôi in sẵn, "
                      "để căn chữ cho khớp phôi; số âm dịch sang trái, lên trên.")
        note.setWordWrap(True)
        sample = QPushButton("Xem mẫu…")
        sample.clicked.connect(self._preview_sample)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Lưu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.addButton(sample, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    @staticmethod
    def _offset(value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(-cert.MAX_OFFSET_MM, cert.MAX_OFFSET_MM)
        box.setDecimals(1)
        box.setSingleStep(0.5)
        box.setSuffix(" mm")
        box.setValue(value)
        return box

    def _paper_changed(self, *_args) -> None:
        """Offsets move the text onto a pre-printed blank; on plain paper they do nothing."""
        preprinted = self.paper.currentData() == cert.PAPER_PREPRINTED
        self.offset_x.setEnabled(preprinted)
        self.offset_y.setEnabled(preprinted)

    def values(self) -> dict:
        values: dict = {name: edit.text() for name, edit in self.edits.items()}
        values["paper"] = self.paper.currentData()
        values["offset_x_mm"] = self.offset_x.value()
        values["offset_y_mm"] = self.offset_y.value()
        return values

    def accept(self) -> None:
        try:
            cert.save_settings(self.office, **self.values())
        except ValidationError as error:
            QMessageBox.warning(self, APP_TITLE, str(error))
            if error.field in self.edits:
                self.edits[error.field].setFocus()
            return
        super().accept()

    def sample_job(self) -> PaperJob:
        def make():
            settings = cert.validate_settings(self.values(), cert.load_settings(self.office))
            sample = cert.sample_certificate(settings, queries.organisation(self.office))
            return cert.certificates_paper([sample], settings, "Giấy chứng nhận mẫu")

        return PaperJob(make, "Giấy chứng nhận mẫu", "giay-khen-mau.pdf")

    def _preview_sample(self) -> None:
        printing.preview(self, self.sample_job())
