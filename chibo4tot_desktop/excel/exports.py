"""The office's lists as Excel workbooks, ready to print and send.

Each kind (cells, registrations, scores, results, proposals, awards, summary) becomes one or
more ``Table``s; ``write_tables`` lays them out the same way: the Party header (issuing body
left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the place-date line right), title rows, a frozen header
row repeated on every printed page, column widths, thin borders, totals, A4 landscape fitted
to the page width, dates as real Excel dates shown dd/mm/yyyy, rows in Vietnamese order. Text
passes the text guard of ``common`` (never a formula). The workbook is written in openpyxl's
streaming (write-only) mode through the program's one file writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, NamedStyle
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import AwardKind, Cell, CellKind, Registration, Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.excel.common import (
    BORDER,
    check_target,
    font,
    guard_cell,
    needs_text_guard,
    save_workbook,
)
from chibo4tot_desktop.ops import (
    Office,
    queries,  # noqa: E402
)
from chibo4tot_desktop.ops.verdicts import evaluate
from chibo4tot_desktop.reports import COUNT_LABELS, DecisionFacts, year_overview
from chibo4tot_desktop.text import format_date, place_date_line, sort_key

TEXT, WRAP, DATE, INT, POINTS = "text", "wrap", "date", "int", "points"
HEADER_ROW = 8  # the column titles; data starts on the next row


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    kind: str = TEXT


@dataclass
class Table:
    sheet: str
    title: str
    subtitle: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    totals: list | None = None
    notes: list[str] = field(default_factory=list)
    recipient: str = ""
    bold_rows: set[int] = field(default_factory=set)   # indexes in rows (subtotals)


from chibo4tot_desktop.excel.kinds import KINDS  # noqa: E402, F401  (re-exported)


# ------------------------------------------------------------------------------ writing
def _styles(workbook: Workbook) -> None:
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=False)
    wrap = Alignment(horizontal="left", vertical="top", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    specs = {
        "c4t_header": dict(font=font(12, bold=True), border=BORDER, alignment=center),
        "c4t_text": dict(font=font(12), border=BORDER, alignment=left),
        "c4t_wrap": dict(font=font(12), border=BORDER, alignment=wrap),
        "c4t_date": dict(font=font(12), border=BORDER, alignment=center,
                         number_format="dd/mm/yyyy"),
        "c4t_int": dict(font=font(12), border=BORDER, alignment=right, number_format="0"),
        "c4t_points": dict(font=font(12), border=BORDER, alignment=right,
                           number_format="0.##"),
        "c4t_total": dict(font=font(12, bold=True), border=BORDER, alignment=left),
        "c4t_total_num": dict(font=font(12, bold=True), border=BORDER, alignment=right,
                              number_format="0.##"),
    }
    for name, values in specs.items():
        workbook.add_named_style(NamedStyle(name=name, **values))


_STYLE_OF = {TEXT: "c4t_text", WRAP: "c4t_wrap", DATE: "c4t_date", INT: "c4t_int",
             POINTS: "c4t_points"}


def _cell(sheet, value, style: str | None = None, text_font=None, alignment=None):
    cell = WriteOnlyCell(sheet, value)
    if style:
        cell.style = style
    if text_font is not None:
        cell.font = text_font
    if alignment is not None:
        cell.alignment = alignment
    guard_cell(cell)                   # after the style, which would reset the mark
    return cell


class _ColumnCell(SheetCell):
    """A write-only cell reused for one column: its style never changes, so its style id is
    looked up once instead of once per row."""

    __slots__ = ("_cached_style_id",)

    def __init__(self, sheet, style: str, column: int, quote: bool = False):
        super().__init__(sheet, row=1, column=column)   # the writer sets the real place
        self.style = style
        if quote:
            self.quotePrefix = True
        self._cached_style_id = None

    # The streaming writer first tries a cell as a value (ValueError, whose message holds the
    # repr) and asks ``has_style`` twice per cell: keep both cheap.
    def __repr__(self) -> str:
        return "<ColumnCell>"

    @property
    def has_style(self) -> bool:
        return True

    @property
    def style_id(self):
        if self._cached_style_id is None:
            self._cached_style_id = SheetCell.style_id.fget(self)
        return self._cached_style_id


def _party_header(office: Office, date: dt.date) -> tuple[list[str], str]:
    """The header of a list dated ``date``: the identity in force that day (the same header
    as the PDFs)."""
    organisation = queries.identity_on(office, date)
    left = []
    upper = organisation.party_header_body
    if upper:
        left.append(upper.upper())
    left.append(organisation.committee_name.upper())
    place = organisation.place_name or organisation.name
    return left, place_date_line(place, date)


def write_tables(office: Office, tables: Sequence[Table], target: str | Path,
                 date: dt.date | None = None) -> Path:
    """Write ``tables`` to ``target``, under the header of the list's own ``date`` (today
    when None)."""
    check_target(target)
    left, date_line = _party_header(office, date or dt.date.today())
    workbook = Workbook(write_only=True)
    _styles(workbook)
    try:
        for table in tables:
            _write_table(workbook, table, left, date_line)
        return save_workbook(workbook, target)
    except BaseException:
        _discard(workbook)
        raise


def _discard(workbook: Workbook) -> None:
    """Close the row writers of an unsaved streaming workbook (and their temporary files)."""
    for sheet in workbook.worksheets:
        rows = getattr(sheet, "_rows", None)
        if rows is not None:
            with contextlib.suppress(Exception):
                rows.close()
            sheet._rows = None


def _write_table(workbook: Workbook, table: Table, left: list[str], date_line: str) -> None:
    sheet = workbook.create_sheet(table.sheet[:31])
    count = len(table.columns)
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    # Streaming mode writes the sheet view and columns with the first row: set them first.
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.print_options.horizontalCentered = True
    split = max(1, count // 2)
    last = get_column_letter(count)
    middle = get_column_letter(split)
    after = get_column_letter(min(split + 1, count))
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left_lines = left + ["*"]
    right_lines = ["ĐẢNG CỘNG SẢN VIỆT NAM", date_line, ""]
    if len(left_lines) == 2:
        left_lines.insert(0, "")
    for row in range(3):
        right_font = font(15, bold=True, underline=True) if row == 0 else font(13, italic=True)
        values = [_cell(sheet, left_lines[row], text_font=font(13, bold=row < 2),
                        alignment=center)] + [None] * (split - 1)
        if count > split:
            values += [_cell(sheet, right_lines[row], text_font=right_font, alignment=center)]
            values += [None] * (count - split - 1)
        sheet.append(values)
        if split > 1:
            sheet.merged_cells.add(f"A{row + 1}:{middle}{row + 1}")
        if count - split > 1:
            sheet.merged_cells.add(f"{after}{row + 1}:{last}{row + 1}")
    sheet.append([])
    title_lines = [(table.title.upper(), font(15, bold=True)),
                   (table.subtitle, font(13, bold=True)),
                   (table.recipient, font(13, italic=True))]
    for offset, (text, title_font) in enumerate(title_lines):
        row = 5 + offset
        sheet.append([_cell(sheet, text, text_font=title_font, alignment=center)])
        if count > 1:
            sheet.merged_cells.add(f"A{row}:{last}{row}")
    sheet.append([_cell(sheet, column.title, "c4t_header") for column in table.columns])
    # Two styled cells per column (plain, and marked "typed as text" for what the text guard
    # marks), refilled for every row: the streaming writer serialises a row as soon as it is appended, and
    # styling 100,000 fresh cells costs more than writing them.
    plain = [_ColumnCell(sheet, _STYLE_OF[column.kind], index)
             for index, column in enumerate(table.columns, start=1)]
    guarded = [_ColumnCell(sheet, _STYLE_OF[column.kind], index, quote=True)
               for index, column in enumerate(table.columns, start=1)]
    for index, row in enumerate(table.rows):
        if index in table.bold_rows:
            sheet.append([_cell(sheet, value, "c4t_total_num" if isinstance(value, (int, float))
                                else "c4t_total") for value in row])
            continue
        cells = []
        for column, value in enumerate(row):
            if value.__class__ is str:
                cell = guarded[column] if needs_text_guard(value) else plain[column]
                cell.value = value
                cell.data_type = "s"           # never a formula
            else:
                cell = plain[column]
                cell.value = value
            cells.append(cell)
        sheet.append(cells)
    if table.totals is not None:
        sheet.append([_cell(sheet, value, "c4t_total_num" if isinstance(value, (int, float))
                            else "c4t_total") for value in table.totals])
    if table.notes:
        sheet.append([])
        for note in table.notes:
            sheet.append([_cell(sheet, note, text_font=font(12, italic=True))])


# ------------------------------------------------------------------------------- kinds
def _numbered(rows: list[list]) -> list[list]:
    return [[index, *row] for index, row in enumerate(rows, start=1)]


def cells_table(office: Office, year: int) -> list[Table]:
    # The cells of the year (the year rule), with the year's own number of members.
    cells = queries.cells_in_year(office, year)
    figures = {row.cell_id: row.members_count for row in queries.registrations(office, year)}
    rows = _numbered([[cell.code, cell.name, CellKind(cell.kind).label, cell.secretary,
                       figures.get(cell.id), "x" if cell.is_pilot else ""] for cell in cells])
    members = sum(figures.get(cell.id) or 0 for cell in cells)
    return [Table(
        "Chi bộ", "Danh sách chi bộ trực thuộc", f"Năm {year}",
        [Column("STT", 6, INT), Column("Mã chi bộ", 12), Column("Tên chi bộ", 40),
         Column("Loại chi bộ", 16), Column("Bí thư chi bộ", 26),
         Column("Số đảng viên", 12, INT), Column("Chi bộ điểm", 11)],
        rows, ["", "Tổng cộng", f"{len(cells)} chi bộ", "", "", members,
               str(sum(1 for cell in cells if cell.is_pilot))])]


REGISTRATION_COLUMNS = [
    Column("STT", 6, INT), Column("Mã chi bộ", 11), Column("Tên chi bộ", 32),
    Column("Danh hiệu đăng ký", 16), Column("Ngày đăng ký", 13, DATE),
    Column("Số đảng viên", 10, INT),
    Column("Chỉ tiêu, cam kết nhóm 1", 40, WRAP), Column("Chỉ tiêu, cam kết nhóm 2", 40, WRAP),
    Column("Chỉ tiêu, cam kết nhóm 3", 40, WRAP), Column("Chỉ tiêu, cam kết nhóm 4", 40, WRAP),
    Column("Người ký", 22), Column("Tình trạng", 16),
]


def registrations_table(office: Office, year: int) -> list[Table]:
    # Straight from the registrations (no scoring needed): this list may have thousands of rows.
    deadline = queries.phase_year(office, year).registration_deadline
    with office.db.session() as session:
        registered = session.execute(
            select(Registration.cell_id, Cell.code, Cell.name, Registration.title,
                   Registration.received_on, Registration.members_count,
                   Registration.commitment_1, Registration.commitment_2,
                   Registration.commitment_3, Registration.commitment_4, Registration.signer)
            .join(Registration.cell)
            .where(Cell.organisation_id == office.require_org(), Registration.year == year)
        ).all()
    registered.sort(key=lambda row: sort_key(row.name))     # Vietnamese order of cell names
    rows, late = [], 0
    for registration in registered:
        days = rules.days_late(registration.received_on, deadline)
        late += days > 0
        rows.append([*registration[1:], f"Muộn {days} ngày" if days > 0 else "Đúng hạn"])
    notes = [f"Hạn đăng ký: {format_date(deadline)}."] if deadline else []
    done = {registration.cell_id for registration in registered}
    missing = [cell for cell in queries.cells_in_year(office, year) if cell.id not in done]
    if missing:
        notes.append(f"Chưa đăng ký ({len(missing)}): "
                     + ", ".join(cell.name for cell in missing) + ".")
    members = sum(registration.members_count or 0 for registration in registered)
    return [Table("Đăng ký", "Danh sách chi bộ đăng ký thi đua",
                  f"Xây dựng “Chi bộ 4 tốt” năm {year}", REGISTRATION_COLUMNS, _numbered(rows),
                  ["", "Tổng cộng", f"{len(registered)} chi bộ", "", "", members, "", "", "", "",
                   "", f"{late} muộn"], notes)]


def _score_table(phase, scope: Scope, evaluations: list[tuple[str, object]], sheet: str,
                 title: str, subtitle: str, year: int) -> Table:
    groups = phase.catalogue(year, scope)
    rows: list[list] = []
    bold: set[int] = set()
    for unit_name, evaluation in evaluations:
        scores = {score.item_id: score for score in evaluation.scores} if evaluation else {}
        for group in groups:
            for item in group.items:
                score = scores.get(item.id)
                rows.append([unit_name, f"{group.position}.{item.position}", item.text,
                             item.max_points, score.self_points if score else None,
                             score.committee_points if score else None])
        result = evaluate(phase, evaluation, scope, year=year)
        bold.add(len(rows))
        committee = result.committee_totals
        classification = result.classification.value if result.classification else ""
        rows.append([unit_name, "Cộng", f"Xếp loại: {classification or 'chưa đủ điểm'}",
                     sum(group.max_points for group in groups),
                     result.self_totals.total, committee.total])
    return Table(sheet, title, subtitle,
                 [Column("Đơn vị", 30), Column("Mục", 7), Column("Nội dung tiêu chí", 70, WRAP),
                  Column("Điểm tối đa", 10, POINTS), Column("Tự chấm", 10, POINTS),
                  Column("Đảng ủy chấm", 12, POINTS)], rows, bold_rows=bold)


def scores_table(office: Office, year: int) -> list[Table]:
    overview = year_overview(office, year)
    phase = queries.phase_for_year(office, year)
    cell_rows = [(state.cell.name, state.result.evaluation) for state in overview.cells
                 if state.evaluated]
    tables = [_score_table(phase, Scope.CELL, cell_rows, "Chấm điểm chi bộ",
                           "Bảng chấm điểm “Chi bộ 4 tốt”", f"Năm {year}", year)]
    org = overview.organisation_result.evaluation
    if org is not None:
        name = queries.identity_on(office, queries.year_document_date(office, year)).name
        tables.append(_score_table(phase, Scope.ORGANISATION, [(name, org)],
                                   "Chấm điểm đảng bộ", "Bảng chấm điểm “Đảng bộ cơ sở 4 tốt”",
                                   f"Năm {year}", year))
    return tables


def results_table(office: Office, year: int) -> list[Table]:
    overview = year_overview(office, year)
    rows = []
    for state in overview.cells:
        result = state.result
        complete = state.evaluated and result.committee_totals.complete
        rows.append([
            state.cell.code, state.cell.name,
            result.self_totals.total if state.evaluated else None,
            result.committee_totals.total if complete else None,
            result.classification.value if complete and result.classification else "",
            state.result.evaluation.disciplined_members if state.evaluated else None,
            result.verdict.label if state.evaluated else "Chưa chấm",
            "; ".join(("Đạt: " if r.ok else "Chưa đạt: ") + r.text
                      for r in result.verdict.reasons) if state.evaluated else "",
            state.consecutive_years or None,
        ])
    org = overview.organisation_result
    notes = [f"Đảng bộ cơ sở 4 tốt: {org.verdict.label}. {org.verdict.summary()}"]
    notes.extend(f"Lưu ý: {warning}" for warning in overview.warnings)
    passed = overview.count("qualifies")
    return [Table("Kết quả", "Kết quả đánh giá, xếp loại “Chi bộ 4 tốt”", f"Năm {year}",
                  [Column("STT", 6, INT), Column("Mã chi bộ", 11), Column("Tên chi bộ", 32),
                   Column("Tự chấm", 10, POINTS), Column("Đảng ủy chấm", 12, POINTS),
                   Column("Xếp loại", 10), Column("Số ĐV bị kỷ luật", 11, INT),
                   Column("Kết quả", 13), Column("Lý do", 70, WRAP),
                   Column("Số năm liên tục đạt", 12, INT)],
                  _numbered(rows),
                  ["", "Tổng cộng", f"{len(rows)} chi bộ", "", "", "", "", f"{passed} đạt",
                   "", ""], notes)]


def _award_unit(award, office_name: str) -> str:
    return award.cell.name if award.cell else office_name


def proposals_table(office: Office, year: int) -> list[Table]:
    from chibo4tot_desktop.pdf.forms import proposal_date

    overview = year_overview(office, year)
    organisation = queries.identity_on(office, proposal_date(office, year))
    awards = queries.awards(office, year)
    rows = []
    for award in sorted(awards, key=lambda a: (a.kind != AwardKind.ORG_RECOGNITION.value,
                                               a.kind, sort_key(_award_unit(a, "")))):
        # A decided award: the figures its decision was made on; otherwise today's.
        facts = (DecisionFacts.kept(award) if award.is_decided else None) \
            or overview.facts(award)
        rows.append([_award_unit(award, organisation.name), AwardKind(award.kind).label,
                     facts.points if facts else None,
                     (facts.classification or "") if facts else "",
                     (facts.streak or None) if facts else None, award.proposed_on,
                     award.notes])
    counts = {kind: sum(1 for award in awards if award.kind == kind.value) for kind in AwardKind}
    summary = ", ".join(f"{kind.label}: {number}" for kind, number in counts.items() if number)
    upper = organisation.upper_body
    return [Table("Đề nghị", "Danh sách đề nghị công nhận, khen thưởng",
                  f"Phong trào thi đua “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” năm {year}",
                  [Column("STT", 6, INT), Column("Đơn vị", 36), Column("Hình thức", 30),
                   Column("Tổng điểm", 10, POINTS), Column("Xếp loại", 10),
                   Column("Số năm liên tục đạt", 12, INT), Column("Ngày đề nghị", 13, DATE),
                   Column("Ghi chú", 40, WRAP)],
                  _numbered(rows), ["", f"Tổng cộng: {len(rows)}", summary, "", "", "", "", ""],
                  recipient=f"Kính gửi: Ban Thường vụ {upper}" if upper else "")]


def awards_table(office: Office, year: int) -> list[Table]:
    awards = [award for award in queries.awards(office, year) if award.is_decided]
    organisation = queries.identity_on(office, _decision_date(awards, office, year))
    awards.sort(key=lambda a: (sort_key(a.register_number), sort_key(_award_unit(a, ""))))
    rows = _numbered([[award.register_number, award.year,
                       _award_unit(award, organisation.name), AwardKind(award.kind).label,
                       award.decision_number, award.decision_date, award.issuer, award.notes]
                      for award in awards])
    waiting = [award for award in queries.awards(office, year) if not award.is_decided]
    notes = [f"Còn {len(waiting)} đề nghị chờ quyết định."] if waiting else []
    return [Table("Sổ khen thưởng", "Sổ khen thưởng", f"Năm {year}",
                  [Column("STT", 6, INT), Column("Số sổ", 11), Column("Năm", 8, INT),
                   Column("Đơn vị", 36), Column("Hình thức", 30), Column("Số quyết định", 16),
                   Column("Ngày quyết định", 14, DATE), Column("Cơ quan ban hành", 30),
                   Column("Ghi chú", 36, WRAP)],
                  rows, ["", "Tổng cộng", "", f"{len(rows)} khen thưởng", "", "", "", "", ""],
                  notes)]


def summary_table(office: Office, year: int) -> list[Table]:
    phase = queries.phase_for_year(office, year)
    final = phase.is_final(year)
    years = list(range(phase.first_year, year + 1)) if final else [year]
    overviews = [year_overview(office, each) for each in years]
    rows: list[list] = []
    for key, label in COUNT_LABELS.items():
        rows.append([label] + [overview.counts[key] for overview in overviews])
    for classification in rules.Classification:
        rows.append([f"Xếp loại {classification.label} ({classification.value})"] + [
            sum(1 for state in overview.cells if state.scored
                and state.result.classification == classification)
            for overview in overviews])
    rows.append(["Đảng bộ cơ sở 4 tốt"] + [overview.organisation_result.verdict.label
                                          for overview in overviews])
    title = ("Thống kê tổng kết phong trào thi đua giai đoạn "
             f"{phase.first_year} - {phase.last_year}" if final
             else f"Thống kê sơ kết phong trào thi đua năm {year}")
    columns = [Column("Nội dung", 44)] + [Column(f"Năm {each}", 14, INT) for each in years]
    notes = []
    if final:
        recognised = queries.recognised_years(office)
        cells = {cell.id: cell for cell in queries.cells(office)}
        every = [cells[cell_id].name for cell_id, got in recognised.items()
                 if cell_id in cells and all(each in got for each in years[:-1])]
        if every:
            notes.append("Chi bộ đạt “Chi bộ 4 tốt” tất cả các năm đã có quyết định: "
                         + ", ".join(sorted(every, key=sort_key)) + ".")
    return [Table("Thống kê", title, phase.title, columns, rows, notes=notes)]


BUILDERS: dict[str, Callable[[Office, int], list[Table]]] = {
    "cells": cells_table,
    "registrations": registrations_table,
    "scores": scores_table,
    "results": results_table,
    "proposals": proposals_table,
    "awards": awards_table,
    "summary": summary_table,
}


def _decision_date(awards, office: Office, year: int) -> dt.date:
    dates = [award.decision_date for award in awards if award.decision_date]
    return max(dates) if dates else queries.year_document_date(office, year)


def document_date(office: Office, kind: str, year: int) -> dt.date:
    """The date a list of ``year`` carries (and whose identity heads it): the proposals', the
    latest decision's, or the year's review day."""
    if kind == "proposals":
        from chibo4tot_desktop.pdf.forms import proposal_date

        return proposal_date(office, year)
    if kind == "awards":
        return _decision_date(queries.awards(office, year), office, year)
    return queries.year_document_date(office, year)


def export(office: Office, kind: str, year: int, target: str | Path) -> Path:
    """Write the list ``kind`` of ``year`` to ``target`` (.xlsx)."""
    builder = BUILDERS.get(kind)
    if builder is None:
        raise UserError(f"Không có loại danh sách '{kind}' (chọn: {', '.join(BUILDERS)}).")
    check_target(target)
    queries.phase_for_year(office, year)
    return write_tables(office, builder(office, year), target,
                        document_date(office, kind, year))
