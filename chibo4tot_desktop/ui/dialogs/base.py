"""A form dialog that calls the core on OK and keeps itself open, with the Vietnamese message
shown under the fields, when the core refuses the input."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
)

from chibo4tot_desktop.errors import DecidedYearError, UserError
from chibo4tot_desktop.ui.common import ask_reason
from chibo4tot_desktop.ui.screen import ProgramDialog


class FormDialog(ProgramDialog):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.addLayout(self.form)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.layout_.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Lưu")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.layout_.addWidget(self.buttons)
        self.result_value = None
        self.confirm: str | None = None    # the reason given to move a decided year

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def apply(self):
        """Subclasses call the core here; a UserError keeps the dialog open."""
        raise NotImplementedError

    def accept(self):
        try:
            try:
                self.result_value = self.apply()
            except DecidedYearError as error:
                self.confirm = ask_reason(self, error)
                if self.confirm is None:
                    raise
                self.result_value = self.apply()
        except UserError as error:
            self.show_error(str(error))
            return
        super().accept()
