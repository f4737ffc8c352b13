"""The printable scoring sheet of a cell (phiếu chấm điểm), A4 portrait in the Party document
format: the Party header, the year's criteria items with their maximum, the cell's own score
and the committee's, the totals and classification, and two signature blocks - the cell's
secretary ("T/M CHI BỘ") and the committee ("T/M ĐẢNG ỦY"). With ``blank``, the score columns
are left empty to be filled in by hand.

Settings read (optional): "proposal.signer_title" and "proposal.signer_name" for the
committee's signature (as on the proposal list).
"""

from __future__ import annotations

import os

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.verdicts import evaluate
from chibo4tot_desktop.pdf.document import Column, Flow
from chibo4tot_desktop.pdf.fonts import printable
from chibo4tot_desktop.pdf.layout import MM, Page
from chibo4tot_desktop.pdf.render import write_pdf
from chibo4tot_desktop.text import clean

COLUMNS = (
    Column("Mục", 7, "center"),
    Column("Nội dung tiêu chí", 51),
    Column("Điểm tối đa", 11, "center"),
    Column("Chi bộ tự chấm", 13, "center"),
    Column("Đảng ủy chấm", 13, "center"),
)


def _points(value) -> str:
    return "" if value is None else rules.fmt_points(value)


def scoring_sheet_pages(office, year: int, cell_code: str, blank: bool = False) -> list[Page]:
    cell = queries.cell_by_code(office, cell_code)   # NotFoundError (a UserError) if unknown
    if not queries.cell_timeline(office).in_year(cell.id, year):
        raise UserError(f"{cell.name} đã giải thể, không chấm điểm năm {year}.")
    organisation = queries.organisation(office)
    phase = queries.phase_for_year(office, year)
    groups = [group for group in phase.groups if group.scope == Scope.CELL.value]
    evaluation = None if blank else queries.evaluation(office, cell.id, year)
    scores = {score.item_id: score for score in (evaluation.scores if evaluation else [])}

    flow = Flow()
    place = clean(organisation.place_name)
    flow.party_header(organisation.name, cell.name,
                      f"{place + ', ' if place else ''}ngày ..... tháng ..... năm {year}")
    flow.centred("PHIẾU CHẤM ĐIỂM", "bold", 16, after=0)
    flow.centred(f"Xây dựng “Chi bộ 4 tốt” năm {year}", "bold", 14, after=2)
    if phase.plan_reference:
        flow.centred(f"(Theo {phase.plan_reference})", "italic", 13, after=8)
    members = f", {cell.members_count} đảng viên" if cell.members_count else ""
    flow.paragraph(f"Tên chi bộ: {cell.name}{members}.", indent=0, after=6)

    rows: list[list[str]] = []
    sections: set[int] = set()
    for group in groups:
        sections.add(len(rows))
        rows.append([f"{group.position}. {group.title} ({rules.fmt_points(group.max_points)} "
                     "điểm)"])
        for item in group.items:
            score = scores.get(item.id)
            rows.append([f"{group.position}.{item.position}", item.text,
                         rules.fmt_points(item.max_points),
                         _points(score.self_points if score else None),
                         _points(score.committee_points if score else None)])
    result = evaluate(phase, evaluation, Scope.CELL) if evaluation is not None else None
    total_max = sum(group.max_points for group in groups)
    rows.append(["", "Tổng cộng", rules.fmt_points(total_max),
                 _points(result.self_totals.total) if result and result.self_totals.complete
                 else "", _points(result.committee_totals.total)
                 if result and result.committee_totals.complete else ""])
    flow.table(COLUMNS, rows, size=12, header_size=12, section_rows=frozenset(sections))
    if result is not None and result.committee_totals.complete and result.classification:
        flow.paragraph(f"Xếp loại: {result.classification.label} "
                       f"({result.classification.value}).", "bold", 14, indent=0)
    else:
        flow.paragraph("Xếp loại: ...........................................................",
                       indent=0)
    _two_signatures(flow, cell.secretary,
                    queries.setting(office, "proposal.signer_title", "") or "Bí thư",
                    queries.setting(office, "proposal.signer_name", ""))
    return flow.finish()


def _two_signatures(flow: Flow, secretary: str, committee_title: str,
                    committee_name: str) -> None:
    """Side by side: the committee on the left, the cell on the right."""
    room = 72.0
    flow.ensure(14 + 2 * 18 + room + 24)
    top = flow.y + 14
    blocks = ((flow.left + 40 * MM, ("T/M ĐẢNG ỦY", committee_title), committee_name),
              (flow.right - 40 * MM, ("T/M CHI BỘ", "BÍ THƯ"), secretary))
    for centre, lines, name in blocks:
        y = top
        for line in lines:
            flow.page.text(centre, y, printable(line).upper(), "bold", 14, "center")
            y += 18
        if clean(name):
            flow.page.text(centre, y + room, printable(name), "bold", 14, "center")
    flow.y = top + 2 * 18 + room + 20


def write_scoring_sheets(office, year: int, cell_codes, target: str | os.PathLike,
                         blank: bool = False) -> int:
    """The scoring sheets of the cells (every cell active that year when none is named) in
    one PDF; returns the number of pages."""
    codes = list(cell_codes) or [cell.code for cell in queries.cells_in_year(office, year)]
    if not codes:
        raise UserError(f"Năm {year} chưa có chi bộ nào.")
    pages = [page for code in codes for page in scoring_sheet_pages(office, year, code, blank)]
    write_pdf(pages, target, title=f"Phiếu chấm điểm năm {year}",
              author=queries.organisation(office).committee_name)
    return len(pages)
