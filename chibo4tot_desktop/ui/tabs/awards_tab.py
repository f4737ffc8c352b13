"""Khen thưởng: the year's results per cell (who qualifies), the ranking of the cells at HTXSNV
against the year's cap (which also picks the leading cells for Giấy khen), proposals (đề nghị)
and the upper committee's decisions (number, date, issuer, register number), and the
organisation's own "Đảng bộ cơ sở 4 tốt" result with its reasons."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
)

from chibo4tot_desktop.db import changes
from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.listings import AwardsListing, RankingListing, ResultsListing
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.awards import (
    clear_decision,
    propose_leading,
    propose_many,
    withdraw,
)
from chibo4tot_desktop.ui.common import (
    DateField,
    confirm,
    make_table,
    run_action,
    selected_ids,
    show_error,
)
from chibo4tot_desktop.ui.dialogs.decision_dialog import DecisionDialog
from chibo4tot_desktop.ui.models.listing_model import ListingModel
from chibo4tot_desktop.ui.screen import remember_splitter
from chibo4tot_desktop.ui.tabs.base_tab import BaseTab

DEFAULT_ISSUER = "Ban Thường vụ Thành ủy"
VERDICT = 3                       # the results' verdict column
AWARD_STATE, AWARD_KEPT = 7, 8    # the awards' state and "facts when decided" columns
RANKING_STATUS = 4                # the ranking's "Tình trạng" column
GREEN, RED, ORANGE = QColor("#1b7a1b"), QColor("#b00020"), QColor("#c05000")
LISTS_LATER_CELLS = 300   # a year of more cells fills the tab's lists after drawing the rest


def _result_colour(tag: str, column: int):
    if column == VERDICT:
        return {"passed": GREEN, "failed": RED}.get(tag)
    return None


def _ranking_colour(tag: str, column: int):
    if tag == "over" and column == RANKING_STATUS:
        return RED       # at HTXSNV beyond the cap
    return None


def _award_colour(tag: str, column: int):
    if tag == "waiting" and column == AWARD_STATE:
        return ORANGE
    if tag == "changed" and column in (AWARD_STATE, AWARD_KEPT):
        return RED       # the decision's facts differ from today's computation
    return None


class AwardsTab(BaseTab):
    TOPICS = frozenset({changes.CELLS, changes.EVALUATIONS, changes.AWARDS,
                        changes.SETTINGS})

    def __init__(self, main, parent=None):
        super().__init__(main, parent)
        self.overview = None
        self._name = ""           # the organisation's name on the year's lists' date
        self.proposal_year = None
        self.propose_button = self.button_row.add_button("Lập đề nghị “Chi bộ 4 tốt”",
                                                         self.propose_selected)
        self.merit_button = self.button_row.add_button("Đề nghị Giấy khen", self.propose_merit)
        self.proposal_date = DateField(None, "ngày đề nghị")
        self.proposal_date.setToolTip("Ngày ghi trên các đề nghị lập từ đây; mặc định là ngày "
                                      "sơ kết của năm.")
        self.button_row.addWidget(QLabel("Ngày đề nghị:"))
        self.button_row.addWidget(self.proposal_date)
        self.decision_button = self.button_row.add_button("Ghi quyết định…", self.record)
        self.clear_button = self.button_row.add_button("Bỏ quyết định", self.clear_decision)
        self.withdraw_button = self.button_row.add_button("Rút đề nghị", self.delete)
        self.only_qualifying = QCheckBox("Chỉ hiện chi bộ đạt")
        self.button_row.addWidget(self.only_qualifying)

        splitter = QSplitter(Qt.Orientation.Vertical)
        results_box = QGroupBox("Kết quả các chi bộ")
        results_layout = QVBoxLayout(results_box)
        self.results_model = ListingModel(parent=self, colour=_result_colour)
        self.results_view = make_table(self.results_model, self)
        results_layout.addWidget(self.results_view)
        splitter.addWidget(results_box)

        ranking_box = QGroupBox("Xếp hạng HTXSNV và tỷ lệ tối đa")
        ranking_layout = QHBoxLayout(ranking_box)
        # a long list at a province's size: the one table model, ordered off the GUI thread
        self.ranking_model = ListingModel(parent=self, colour=_ranking_colour)
        self.ranking_view = make_table(self.ranking_model, self)
        self.ranking_view.setObjectName("ranking")
        ranking_layout.addWidget(self.ranking_view, 3)
        side = QVBoxLayout()
        self.ranking_label = QLabel()
        self.ranking_label.setObjectName("rankingBasis")
        self.ranking_label.setWordWrap(True)
        self.ranking_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # the basis of the cap is several lines: it scrolls in a short pane (1366×768)
        basis = QScrollArea()
        basis.setWidgetResizable(True)
        basis.setFrameShape(QFrame.Shape.NoFrame)
        basis.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        basis.setWidget(self.ranking_label)
        self.leading_button = QPushButton("Đề nghị Giấy khen cho chi bộ dẫn đầu")
        self.leading_button.clicked.connect(self.propose_leading)
        side.addWidget(basis, 1)
        side.addWidget(self.leading_button)
        ranking_layout.addLayout(side, 2)
        splitter.addWidget(ranking_box)

        awards_box = QGroupBox("Đề nghị và quyết định khen thưởng")
        awards_layout = QVBoxLayout(awards_box)
        self.awards_model = ListingModel(parent=self, colour=_award_colour)
        self.awards_view = make_table(self.awards_model, self)
        self.awards_view.doubleClicked.connect(lambda *_: self.record())
        for model in (self.results_model, self.awards_model):
            model.failed.connect(lambda text: show_error(self, text))
        awards_layout.addWidget(self.awards_view)
        splitter.addWidget(awards_box)

        org_box = QGroupBox("“Đảng bộ cơ sở 4 tốt”")
        org_layout = QHBoxLayout(org_box)
        left = QVBoxLayout()
        self.org_verdict = QLabel()
        self.org_verdict.setObjectName("orgVerdict")
        self.org_verdict.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.org_award = QLabel()
        self.org_award.setWordWrap(True)
        self.org_propose_button = QPushButton("Lập đề nghị “Đảng bộ cơ sở 4 tốt”")
        self.org_propose_button.clicked.connect(self.propose_organisation)
        self.org_score_button = QPushButton("Mở phiếu tự chấm của Đảng bộ")
        self.org_score_button.clicked.connect(self.open_org_scoring)
        left.addWidget(self.org_verdict)
        left.addWidget(self.org_award)
        left.addWidget(self.org_propose_button)
        left.addWidget(self.org_score_button)
        left.addStretch(1)
        org_layout.addLayout(left, 1)
        self.org_reasons = QListWidget()
        self.org_reasons.setWordWrap(True)
        org_layout.addWidget(self.org_reasons, 2)
        splitter.addWidget(org_box)
        splitter.setSizes([300, 170, 200, 160])
        self.splitter = splitter
        remember_splitter(splitter, "awards/panes")
        self.layout_.addWidget(splitter, 1)
        self.only_qualifying.toggled.connect(
            lambda on: self.results_model.set_filter("qualifying" if on else None))
        self.later_cells = LISTS_LATER_CELLS
        self._lists_later = QTimer(self)
        self._lists_later.setSingleShot(True)
        self._lists_later.setInterval(0)
        self._lists_later.timeout.connect(self.fill_lists)

    def refresh(self) -> None:
        self._lists_later.stop()       # the lists of an older refresh are not wanted
        year = self.year()
        if year is None:
            self.stale = False
            return
        # The year's lists are dated so; the organisation named as on that day (one read).
        day, identity = queries.year_identity(self.office, year)
        if year != self.proposal_year:
            self.proposal_year = year
            self.proposal_date.set_date(day)
        overview = self.main.overviews.get(year)
        if overview is None:
            self.org_verdict.setText(f"Năm {year}: đang tổng hợp…")
            return          # still stale: shown when the overview is ready
        self.overview, self._name = overview, identity.name
        org = overview.organisation_result
        colour = {"passed": "#1b7a1b", "failed": "#b00020"}.get(org.verdict.state.value, "#666")
        self.org_verdict.setStyleSheet(f"font-size: 12pt; font-weight: bold; color: {colour};")
        self.org_verdict.setText(f"Năm {year}: {org.verdict.label}")
        awards = overview.organisation_awards
        if awards:
            self.org_award.setText("; ".join(
                (f"Quyết định số {a.decision_number}" if a.is_decided else "Đã đề nghị, chờ "
                 "quyết định") for a in awards))
        else:
            self.org_award.setText("Chưa lập đề nghị.")
        self.org_propose_button.setEnabled(org.verdict.passed and not any(
            a.kind == AwardKind.ORG_RECOGNITION.value for a in awards))
        self.org_reasons.clear()
        for reason in org.verdict.reasons:
            item = QListWidgetItem(f"{reason.mark} {reason.text}")
            item.setForeground(QColor("#b00020") if not reason.ok else
                               QColor("#9a6700") if reason.warning else QColor("#1b7a1b"))
            self.org_reasons.addItem(item)
        self.show_ranking()
        if len(overview.cells) > self.later_cells:
            # A big office: the tab is drawn first, its lists in the next turn of the event
            # loop (a zero timer runs after the paint the changes above asked for), so that
            # neither holds the window long. Stale until then.
            self._lists_later.start()
            return
        self.fill_lists()

    def fill_lists(self) -> None:
        """The year's three lists: its results, the ranking and the awards (all of them
        read from the year's overview but the awards' rows)."""
        self._lists_later.stop()
        overview = self.overview
        self.stale = False
        self.results_model.set_listing(ResultsListing(overview))
        self.ranking_model.set_listing(RankingListing(overview))
        self.awards_model.set_listing(AwardsListing(self.office, overview.year, self._name,
                                                    overview))

    def show_ranking(self) -> None:
        """The ranking the core computed (``reports.year_overview``): shown always, the
        over-the-cap warning even before the year's scoring is complete (the user asks here)."""
        overview = self.overview
        ranking = overview.ranking
        lines = [f"Theo {overview.year_rules.regulation_name}: {ranking.basis}.",
                 ranking.order + "."]
        if not ranking.cells:
            lines.append("Chưa có chi bộ nào xếp loại HTXSNV.")
        else:
            lines.append(f"Đang xếp loại HTXSNV: {ranking.excellent}, tối đa {ranking.allowed}"
                         + (" – vượt tỷ lệ." if ranking.over else "."))
        # Counted once, and only when some are (the ranking knows whether the year is
        # complete): a province's 3,000 cells.
        pending = 0 if ranking.complete else len(overview.pending)
        if pending:
            lines.append(f"Năm chưa chấm xong ({pending} chi bộ chưa chấm đủ): "
                         "bảng xếp hạng là tạm thời.")
        self.ranking_label.setText("\n".join(lines))
        self.leading_button.setEnabled(not pending and bool(ranking.leading))

    def propose_leading(self) -> None:
        """Giấy khen for the leading cells of the ranking (the core picks and checks them)."""
        run_action(self, propose_leading, self.office, self.year())

    def _selected_states(self):
        """The ``reports.CellYearState`` of each selected result."""
        return [state for state in (self.results_model.item(cell_id)
                                    for cell_id in selected_ids(self.results_view))
                if state is not None]

    def _selected_award(self):
        ids = selected_ids(self.awards_view)
        if len(ids) != 1:
            show_error(self, "Hãy chọn một đề nghị trong bảng khen thưởng.")
            return None
        return self.awards_model.item(ids[0])

    def propose_selected(self) -> None:
        """Propose the selected cells (or, with none selected, every qualifying cell not yet
        proposed); the core refuses a cell that does not qualify, with its reasons."""
        states = [s for s in self._selected_states() if not s.proposed]
        if not self._selected_states():
            states = [s for s in self.overview.cells if s.qualifies and not s.proposed]
            if not states:
                show_error(self, "Không có chi bộ đạt “Chi bộ 4 tốt” nào chưa được đề nghị.")
                return
            if not confirm(self, f"Lập đề nghị công nhận “Chi bộ 4 tốt” cho {len(states)} chi "
                                 "bộ đạt?"):
                return
        if states:
            self._propose(AwardKind.CELL_RECOGNITION, [s.cell.id for s in states])

    def propose_merit(self) -> None:
        states = self._selected_states()
        if not states:
            show_error(self, "Hãy chọn chi bộ để đề nghị tặng Giấy khen.")
            return
        self._propose(AwardKind.MERIT, [s.cell.id for s in states])

    def propose_organisation(self) -> None:
        self._propose(AwardKind.ORG_RECOGNITION, [None])

    def _propose(self, kind: AwardKind, cell_ids: list) -> None:
        """One proposal per unit, dated as the "Ngày đề nghị" field says."""
        try:
            proposed_on = self.proposal_date.date()
        except UserError as error:
            show_error(self, error)
            self.proposal_date.setFocus()
            return
        run_action(self, propose_many, self.office, self.year(), kind.value, cell_ids,
                   proposed_on)

    def open_org_scoring(self) -> None:
        self.main.show_tab(self.main.scoring_tab)
        self.main.scoring_tab.select_cell(None)

    def record(self) -> None:
        """One decision for the selected proposals (one or many), register numbers in the
        order shown."""
        ids = selected_ids(self.awards_view)
        awards = [award for award in map(self.awards_model.item, ids) if award is not None]
        if not awards:
            show_error(self, "Hãy chọn một hoặc nhiều đề nghị trong bảng khen thưởng.")
            return
        # The upper body as the identity in force now names it (a decision is made today).
        issuer = queries.identity_on(self.office, None).decision_body or DEFAULT_ISSUER
        DecisionDialog(self.office, awards, issuer, parent=self).exec()

    def clear_decision(self) -> None:
        award = self._selected_award()
        if award is None:
            return
        if not award.is_decided:
            show_error(self, "Đề nghị này chưa có quyết định.")
            return
        if confirm(self, "Bỏ số, ngày quyết định và số sổ của khen thưởng này?"):
            run_action(self, clear_decision, self.office, award.id)

    def delete(self) -> bool:
        award = self._selected_award()
        if award is None:
            return True
        if confirm(self, "Rút đề nghị khen thưởng đã chọn?"):
            run_action(self, withdraw, self.office, award.id)
        return True
