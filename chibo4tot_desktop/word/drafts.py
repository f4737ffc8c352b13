"""Word drafts of the documents the office writes around its lists, filled from the data:

- ``submission``: the ward Standing Committee's submission (tờ trình) asking the upper
  committee to recognise and award, with the proposal list attached;
- ``decision``: a draft of the upper committee's decision (quyết định), with its annex list;
- ``review-report``: the year's review report (báo cáo sơ kết năm): figures, tables, the
  pilot cells, the organisation's own result, the awards;
- ``final-report``: the phase's final report (báo cáo tổng kết giai đoạn), year by year;
- ``reminder``: the letter (công văn đôn đốc) to the cells that have not registered.

Numbers, dates of the documents not yet issued and the parts only people can write
(strengths, weaknesses, directions) are left as blanks or bracketed prompts to finish in Word.
Each draft comes with the warnings to show before it is written (no signer's name...).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chibo4tot_desktop import documents, rules
from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.reports import COUNT_LABELS, YearOverview, year_overview
from chibo4tot_desktop.text import clean, format_date, place_date_line, place_of_issuer, sort_key
from chibo4tot_desktop.word.document import TableColumn, WordDraft

BLANK_NUMBER = "     "
BLANK_DATE = "ngày      tháng      năm"


@dataclass
class Drafted:
    document: WordDraft
    title: str
    warnings: list[str] = field(default_factory=list)

    def save(self, target: str | os.PathLike) -> Path:
        return self.document.save(target)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _percent(part: int, whole: int) -> str:
    return rules.fmt_points(100 * part / whole) + "%" if whole else "–"


def _basis(phase) -> str:
    """"Thực hiện Kế hoạch số 98-KH/Th.U về xây dựng ..." (or the phase's title alone)."""
    title = _lower_first(clean(phase.title))
    if clean(phase.plan_reference):
        return f"Thực hiện {clean(phase.plan_reference)} về {title}"
    return f"Thực hiện phong trào thi đua {title}"


def _names(states, limit: int = 0) -> str:
    names = [state.cell.name for state in states]
    if limit and len(names) > limit:
        return ", ".join(names[:limit]) + f" và {len(names) - limit} chi bộ khác"
    return ", ".join(names)


def _ward(office, date: dt.date | None, code: str, subject: str = "") -> tuple:
    """A new draft with the ward committee's header, as the identity in force on ``date``
    names it; returns (draft, organisation identity)."""
    organisation = queries.identity_on(office, date)
    draft = WordDraft(author=organisation.committee_name)
    place = clean(organisation.place_name)
    line = place_date_line(place, date) if date and place else (
        f"{place}, {BLANK_DATE}" if place else BLANK_DATE)
    draft.header(documents.upper_party_body(organisation), organisation.committee_name, line,
                 f"Số{BLANK_NUMBER}-{code}/ĐU", subject)
    return draft, organisation


def _ward_signature(draft: WordDraft, office, date: dt.date | None, recipients: list[str],
                    paper: str, warnings: list[str]) -> None:
    signer = documents.ward_signer(office, date)
    draft.signature(signer.lines, signer.name, recipients)
    if not signer.name:
        warnings.append(documents.missing_signer(paper))


def _score(state) -> str:
    totals = state.result.committee_totals
    return rules.fmt_points(totals.total) if state.evaluated and totals.complete else "–"


def _classification(state) -> str:
    result = state.result
    return result.classification.value if state.scored and result.classification else "–"


def _classification_rows(overview: YearOverview) -> list[list[str]]:
    scored = overview.count("scored")
    rows = []
    for index, classification in enumerate(rules.Classification, start=1):
        number = sum(1 for state in overview.cells
                     if state.scored and state.result.classification == classification)
        rows.append([str(index), f"{classification.label} ({classification.value})",
                     str(number), _percent(number, scored)])
    return rows


def _pilot_lines(overview: YearOverview) -> list[str]:
    lines = []
    for state in overview.cells:
        if not state.cell.is_pilot:
            continue
        if not state.evaluated:
            lines.append(f"- {state.cell.name}: chưa chấm điểm.")
            continue
        verdict = state.result.verdict
        streak = (f" (năm thứ {state.consecutive_years} liên tục)"
                  if verdict.passed and state.consecutive_years > 1 else "")
        outcome = ("đạt “Chi bộ 4 tốt”" + streak) if verdict.passed else \
            f"chưa đạt “Chi bộ 4 tốt” ({verdict.summary()})"
        lines.append(f"- {state.cell.name}: {_score(state)} điểm, xếp loại "
                     f"{_classification(state)}; {outcome}.")
    return lines


# ------------------------------------------------------------------------------ proposals
PROPOSAL_COLUMNS = [
    TableColumn("TT", 6, "center"), TableColumn("Tên tổ chức đảng", 31),
    TableColumn("Số đảng viên", 9, "center"), TableColumn("Tổng điểm", 9, "center"),
    TableColumn("Xếp loại", 13, "center"), TableColumn("Số năm liên tục đạt", 10, "center"),
    TableColumn("Ghi chú", 22),
]


def _proposals(office, year: int, date: dt.date | None = None):
    awards = queries.awards(office, year)
    if not awards:
        raise UserError(f"Năm {year} chưa có đề nghị khen thưởng nào.")
    return documents.proposal_rows(office, year, date)


def submission(office, year: int, date: dt.date | None = None) -> Drafted:
    """The submission (tờ trình) asking the upper committee to recognise and award."""
    date = date or documents.proposal_date(office, year)
    rows, sections, counts = _proposals(office, year, date)
    overview = year_overview(office, year)
    phase = queries.phase_for_year(office, year)
    warnings: list[str] = []
    draft, organisation = _ward(office, date, "TTr")
    subject = documents.proposal_subject(counts, year)
    upper = documents.upper_recipient(organisation)
    draft.title("TỜ TRÌNH", f"về việc đề nghị {subject}")
    draft.centred(f"Kính gửi: {upper}", space_after=10)
    draft.paragraph(f"Căn cứ {_basis(phase)[len('Thực hiện '):]};")
    draft.paragraph(f"Căn cứ kết quả đánh giá, chấm điểm các chi bộ trực thuộc và tự đánh giá "
                    f"của Đảng bộ năm {year},")
    counts_now = overview.counts
    pilots = [state for state in overview.cells if state.cell.is_pilot and state.qualifies]
    org = overview.organisation_result
    org_text = ""
    if org.evaluation is not None:
        totals = org.committee_totals
        points = f" ({rules.fmt_points(totals.total)} điểm)" if totals.complete else ""
        org_text = (f" Đảng bộ {'đạt' if org.verdict.passed else 'chưa đạt'} tiêu chí "
                    f"“Đảng bộ cơ sở 4 tốt”{points}.")
    draft.paragraph(
        f"Năm {year}, {organisation.name} có {counts_now['active']} chi bộ trực thuộc tham gia "
        f"phong trào thi đua, {counts_now['registered']} chi bộ đăng ký thi đua; qua đánh giá, "
        f"chấm điểm có {counts_now['qualifying']} chi bộ đạt tiêu chí “Chi bộ 4 tốt”"
        + (f", trong đó có {len(pilots)} chi bộ điểm" if pilots else "") + "." + org_text)
    draft.paragraph(f"Ban Thường vụ {organisation.committee_name} kính trình {upper} xem xét:",
                    keep_with_next=True)
    number = 0
    for kind, text in ((AwardKind.CELL_RECOGNITION,
                        "Công nhận “Chi bộ 4 tốt” năm {year} cho {n} chi bộ;"),
                       (AwardKind.MERIT, "Tặng Giấy khen cho {n} chi bộ có thành tích xuất "
                                         "sắc trong phong trào thi đua năm {year};"),
                       (AwardKind.ORG_RECOGNITION, "Công nhận “Đảng bộ cơ sở 4 tốt” năm "
                                                   "{year} cho " + organisation.name + ";")):
        if counts.get(kind):
            number += 1
            draft.paragraph(f"{number}. " + text.format(year=year, n=f"{counts[kind]:02d}"))
    draft.paragraph("(Có danh sách kèm theo).", italic=True)
    draft.paragraph(f"Kính trình {upper} xem xét, quyết định./.")
    _ward_signature(draft, office, date, ["- Như trên,", "- Lưu Văn phòng Đảng ủy."],
                    "Tờ trình", warnings)
    draft.page_break()
    draft.centred("DANH SÁCH", 15, bold=True, space_after=0)
    draft.centred(subject[:1].upper() + subject[1:], bold=True, space_after=0)
    draft.centred(f"(Kèm theo Tờ trình số{BLANK_NUMBER}-TTr/ĐU, ngày {format_date(date)} của "
                  f"Ban Thường vụ {organisation.committee_name})", 13, italic=True,
                  space_after=8)
    draft.table(PROPOSAL_COLUMNS, rows, size=12, section_rows=sections)
    draft.paragraph("Tổng cộng: " + documents.proposal_counts(counts) + ".", italic=True,
                    size=13)
    draft.document.core_properties.title = f"Tờ trình đề nghị {subject}"
    return Drafted(draft, f"Tờ trình đề nghị {subject}", warnings)


def _issuer_code(upper_body: str) -> str:
    """The code of the upper committee's documents: "Th.U" for a Thành ủy..."""
    upper = clean(upper_body).casefold()
    for prefix, code in (("thành ủy", "Th.U"), ("tỉnh ủy", "TU"), ("huyện ủy", "HU"),
                         ("quận ủy", "QU"), ("thị ủy", "T.U")):
        if upper.startswith(prefix):
            return code
    return "..."


def decision(office, year: int, date: dt.date | None = None) -> Drafted:
    """A draft of the upper committee's decision, with its annex list."""
    from chibo4tot_desktop.ops.awards import decision_defaults

    proposed = documents.proposal_date(office, year)
    # The identity in force on the decision's date (the proposals' while it is not dated).
    day = date or proposed
    rows, sections, counts = _proposals(office, year, proposed)
    organisation = queries.identity_on(office, day)
    phase = queries.phase_for_year(office, year)
    warnings: list[str] = []
    upper_body = clean(organisation.upper_body) or "Cấp ủy cấp trên"
    issuer = documents.upper_recipient(organisation)
    defaults = decision_defaults(office, clean(organisation.decision_body) or issuer, day)
    place = defaults.place or place_of_issuer(issuer)
    draft = WordDraft(author=issuer)
    line = place_date_line(place, date) if date and place else f"{place}, {BLANK_DATE}"
    code = _issuer_code(upper_body)
    draft.header("", upper_body, line, f"Số{BLANK_NUMBER}-QĐ/{code}")
    subject = documents.proposal_subject(counts, year)
    draft.title("QUYẾT ĐỊNH", subject, rule=True)
    draft.centred(f"BAN THƯỜNG VỤ {upper_body.upper()}", bold=True, space_after=8)
    draft.paragraph("- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;")
    draft.paragraph(f"- Căn cứ Quy chế làm việc của Ban Chấp hành, Ban Thường vụ {upper_body};")
    draft.paragraph(f"- Căn cứ {_basis(phase)[len('Thực hiện '):]};")
    draft.paragraph(f"- Xét đề nghị của Ban Thường vụ {organisation.committee_name} tại Tờ "
                    f"trình số{BLANK_NUMBER}-TTr/ĐU, ngày {format_date(proposed)},")
    draft.centred("QUYẾT ĐỊNH", 14, bold=True, space_after=6)
    articles = 0
    for kind, text in ((AwardKind.CELL_RECOGNITION,
                        "Công nhận “Chi bộ 4 tốt” năm {year} cho {n} chi bộ trực thuộc "
                        + organisation.name + " (có danh sách kèm theo)."),
                       (AwardKind.MERIT, "Tặng Giấy khen cho {n} chi bộ trực thuộc "
                        + organisation.name + " đã có thành tích xuất sắc trong phong trào thi "
                        "đua xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” năm {year} (có danh "
                        "sách kèm theo)."),
                       (AwardKind.ORG_RECOGNITION, "Công nhận " + organisation.name
                        + " đạt “Đảng bộ cơ sở 4 tốt” năm {year}.")):
        if counts.get(kind):
            articles += 1
            draft.paragraph(text.format(year=year, n=f"{counts[kind]:02d}"),
                            lead=f"Điều {articles}.")
    last = articles + 1
    draft.paragraph(f"Văn phòng {upper_body}, Ban Tổ chức {upper_body}, Ban "
                    f"Thường vụ {organisation.committee_name} và các tổ chức đảng có tên tại "
                    f"Điều {', Điều '.join(str(n) for n in range(1, articles + 1))} chịu trách "
                    "nhiệm thi hành Quyết định này./.", lead=f"Điều {last}.")
    draft.signature(["T/M BAN THƯỜNG VỤ", defaults.signer_title], defaults.signer_name,
                    [f"- Như Điều {last},", f"- Lưu Văn phòng {upper_body}."])
    if not defaults.signer_name:
        warnings.append(documents.missing_signer(
            "Dự thảo quyết định", "Cài đặt giấy khen: người ký mặc định của quyết định"))
    draft.page_break()
    draft.centred("DANH SÁCH", 15, bold=True, space_after=0)
    draft.centred(subject[:1].upper() + subject[1:], bold=True, space_after=0)
    draft.centred(f"(Kèm theo Quyết định số{BLANK_NUMBER}-QĐ/{code}, "
                  f"{'ngày ' + format_date(date) if date else BLANK_DATE} của Ban Thường vụ "
                  f"{upper_body})",
                  13, italic=True, space_after=8)
    columns = [TableColumn("TT", 6, "center"), TableColumn("Tên tổ chức đảng", 50),
               TableColumn("Xếp loại", 14, "center"), TableColumn("Ghi chú", 30)]
    annex = [row if index in sections else [row[0], row[1], row[4], row[6]]
             for index, row in enumerate(rows)]
    draft.table(columns, annex, size=12, section_rows=sections)
    return Drafted(draft, f"Dự thảo quyết định {subject}", warnings)


# -------------------------------------------------------------------------------- reports
def _cells_table(draft: WordDraft, overview: YearOverview) -> None:
    columns = [TableColumn("TT", 6, "center"), TableColumn("Chi bộ", 36),
               TableColumn("Đăng ký", 14, "center"), TableColumn("Tổng điểm", 11, "center"),
               TableColumn("Xếp loại", 14, "center"), TableColumn("Kết quả", 19, "center")]
    rows = []
    for index, state in enumerate(overview.cells, start=1):
        registered = ("Chưa" if not state.registered else
                      (f"Muộn {state.days_late} ngày" if state.late else "Đúng hạn"))
        verdict = state.result.verdict.label if state.evaluated else "Chưa chấm"
        name = state.cell.name + (" (chi bộ điểm)" if state.cell.is_pilot else "")
        rows.append([str(index), name, registered, _score(state), _classification(state),
                     verdict])
    draft.table(columns, rows, size=12)


def review_report(office, year: int, date: dt.date | None = None) -> Drafted:
    """The year's review report (báo cáo sơ kết năm)."""
    overview = year_overview(office, year)
    phase = queries.phase_for_year(office, year)
    dates = queries.phase_year(office, year)
    date = date or documents.review_date(office, year)
    warnings: list[str] = []
    draft, organisation = _ward(office, date, "BC")
    movement = "phong trào thi đua xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt”"
    draft.title("BÁO CÁO", f"sơ kết {movement} năm {year}")
    draft.paragraph(f"{_basis(phase)}, Ban Thường vụ {organisation.committee_name} báo cáo sơ "
                    f"kết {movement} năm {year} như sau:")
    counts = overview.counts
    draft.heading("I. KẾT QUẢ THỰC HIỆN")
    draft.heading("1. Công tác phát động, đăng ký thi đua")
    launch = (f"Ngày {format_date(dates.launch_date)}, Ban Thường vụ Đảng ủy phát động phong "
              f"trào thi đua năm {year}. " if dates.launch_date else "")
    deadline = (f" (hạn đăng ký {format_date(dates.registration_deadline)})"
                if dates.registration_deadline else "")
    text = (f"{launch}Có {counts['registered']}/{counts['active']} chi bộ đăng ký thi đua"
            f"{deadline}, đạt {_percent(counts['registered'], counts['active'])}")
    if overview.late:
        text += f"; {len(overview.late)} chi bộ đăng ký muộn ({_names(overview.late)})"
    if overview.missing:
        text += f"; {len(overview.missing)} chi bộ chưa đăng ký ({_names(overview.missing)})"
    draft.paragraph(text + ".")
    draft.heading("2. Kết quả đánh giá, chấm điểm")
    draft.paragraph(f"Ban Thường vụ Đảng ủy đã đánh giá, chấm điểm {counts['scored']} chi bộ "
                    f"theo bộ tiêu chí của giai đoạn {phase.first_year} - {phase.last_year}; "
                    f"{counts['qualifying']} chi bộ đạt tiêu chí “Chi bộ 4 tốt”, đạt "
                    f"{_percent(counts['qualifying'], counts['active'])} số chi bộ tham gia. "
                    "Kết quả xếp loại như sau:", keep_with_next=True)
    draft.table([TableColumn("TT", 6, "center"), TableColumn("Xếp loại", 58),
                 TableColumn("Số chi bộ", 16, "center"), TableColumn("Tỷ lệ", 16, "center")],
                _classification_rows(overview), size=13)
    draft.paragraph("Kết quả của từng chi bộ:", keep_with_next=True)
    _cells_table(draft, overview)
    failing = [state for state in overview.cells if state.evaluated and not state.qualifies]
    if failing:
        draft.paragraph("Các chi bộ chưa đạt “Chi bộ 4 tốt”:", keep_with_next=True)
        for state in failing:
            reasons = "; ".join(r.text for r in state.result.verdict.reasons if not r.ok)
            draft.paragraph(f"- {state.cell.name}: {reasons or state.result.verdict.label}.")
    for warning in overview.warnings:
        draft.paragraph(f"Lưu ý: {warning}", italic=True)
    draft.heading("3. Kết quả xây dựng chi bộ điểm")
    pilots = _pilot_lines(overview)
    for line in pilots or [f"Năm {year} Đảng bộ chưa chọn chi bộ điểm."]:
        draft.paragraph(line)
    draft.heading("4. Kết quả “Đảng bộ cơ sở 4 tốt”")
    org = overview.organisation_result
    if org.evaluation is None:
        draft.paragraph("Đảng bộ chưa tự chấm điểm theo tiêu chí “Đảng bộ cơ sở 4 tốt”.")
    else:
        totals = org.committee_totals
        points = f"{rules.fmt_points(totals.total)} điểm, " if totals.complete else ""
        draft.paragraph(f"Đảng bộ tự đánh giá: {points}{org.verdict.label}.")
        for reason in org.verdict.reasons:
            draft.paragraph(f"- {'Đạt' if reason.ok else 'Chưa đạt'}: {reason.text}.")
    draft.heading("5. Công tác khen thưởng")
    awards = queries.awards(office, year)
    if awards:
        counted = {kind: sum(1 for a in awards if a.kind == kind.value) for kind in AwardKind}
        decided = [a for a in awards if a.is_decided]
        text = "Ban Thường vụ Đảng ủy đã đề nghị " + documents.proposal_counts(counted)
        numbers = sorted({clean(a.decision_number) for a in decided}, key=sort_key)
        if decided:
            text += (f"; cấp trên đã quyết định khen thưởng {len(decided)} trường hợp "
                     f"(Quyết định số {', số '.join(numbers)})")
        waiting = len(awards) - len(decided)
        if waiting:
            text += f"; {waiting} đề nghị đang chờ quyết định"
        draft.paragraph(text + ".")
    else:
        draft.paragraph(f"Năm {year} chưa lập đề nghị khen thưởng.")
    draft.heading("II. ĐÁNH GIÁ CHUNG")
    draft.heading("1. Ưu điểm")
    draft.placeholder("Văn phòng Đảng ủy bổ sung những ưu điểm nổi bật của phong trào")
    draft.heading("2. Hạn chế, nguyên nhân")
    if overview.missing or failing:
        draft.paragraph(f"Còn {len(overview.missing)} chi bộ chưa đăng ký thi đua và "
                        f"{len(failing)} chi bộ chưa đạt tiêu chí “Chi bộ 4 tốt” (nêu ở trên).")
    draft.placeholder("Văn phòng Đảng ủy bổ sung hạn chế và nguyên nhân")
    draft.heading(f"III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {year + 1}")
    draft.placeholder("Văn phòng Đảng ủy bổ sung phương hướng, nhiệm vụ")
    _ward_signature(draft, office, date, [
        f"- {documents.upper_recipient(organisation)} (báo cáo),",
        "- Các đồng chí Ủy viên Ban Chấp hành Đảng bộ,", "- Các chi bộ trực thuộc,",
        "- Lưu Văn phòng Đảng ủy."], "Báo cáo sơ kết", warnings)
    title = f"Báo cáo sơ kết {movement} năm {year}"
    draft.document.core_properties.title = title
    return Drafted(draft, title, warnings)


def final_report(office, year: int, date: dt.date | None = None) -> Drafted:
    """The phase's final report (báo cáo tổng kết giai đoạn): the phase containing ``year``,
    its years up to ``year``."""
    phase = queries.phase_for_year(office, year)
    years = list(range(phase.first_year, year + 1))
    overviews = [year_overview(office, each) for each in years]
    date = date or documents.review_date(office, year)
    warnings: list[str] = []
    if not phase.is_final(year):
        warnings.append(f"Năm {year} chưa phải năm cuối của giai đoạn {phase.first_year} - "
                        f"{phase.last_year}: báo cáo chỉ có số liệu đến năm {year}.")
    draft, organisation = _ward(office, date, "BC")
    movement = "phong trào thi đua xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt”"
    span = f"giai đoạn {phase.first_year} - {phase.last_year}"
    draft.title("BÁO CÁO", f"tổng kết {movement} {span}")
    draft.paragraph(f"{_basis(phase)}, Ban Thường vụ {organisation.committee_name} báo cáo "
                    f"tổng kết {movement} {span} như sau:")
    draft.heading("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TỔ CHỨC THỰC HIỆN")
    for each in years:
        dates = queries.phase_year(office, each)
        if dates.launch_date:
            draft.paragraph(f"- Năm {each}: phát động ngày {format_date(dates.launch_date)}; "
                            f"hạn đăng ký {format_date(dates.registration_deadline) or '–'}; "
                            f"sơ kết ngày {format_date(dates.review_deadline) or '–'}.")
    draft.placeholder("Văn phòng Đảng ủy bổ sung công tác quán triệt, tuyên truyền, kiểm tra, "
                      "hướng dẫn")
    draft.heading("II. KẾT QUẢ THỰC HIỆN")
    draft.heading("1. Kết quả qua các năm")
    columns = [TableColumn("Nội dung", 46)] + [TableColumn(f"Năm {each}", 54 / len(years),
                                                           "center") for each in years]
    rows = [[label] + [str(overview.counts[key]) for overview in overviews]
            for key, label in COUNT_LABELS.items()]
    for classification in rules.Classification:
        rows.append([f"Xếp loại {classification.value}"] + [
            str(sum(1 for state in overview.cells if state.scored
                    and state.result.classification == classification))
            for overview in overviews])
    rows.append(["“Đảng bộ cơ sở 4 tốt”"] + [overview.organisation_result.verdict.label
                                            for overview in overviews])
    draft.table(columns, rows, size=12)
    recognised = queries.recognised_years(office)
    every = sorted((state.cell.name for state in overviews[-1].cells
                    if all(each in recognised.get(state.cell.id, ()) for each in years)),
                   key=sort_key)
    draft.heading("2. Chi bộ đạt “Chi bộ 4 tốt” liên tục")
    if every:
        draft.paragraph(f"Có {len(every)} chi bộ được công nhận “Chi bộ 4 tốt” tất cả các năm "
                        f"{years[0]} - {years[-1]}: {', '.join(every)}.")
    else:
        draft.paragraph(f"Chưa có chi bộ nào được công nhận “Chi bộ 4 tốt” tất cả các năm "
                        f"{years[0]} - {years[-1]} (theo các quyết định đã ghi).")
    draft.heading("III. KẾT QUẢ XÂY DỰNG CHI BỘ ĐIỂM")
    any_pilot = False
    for each, overview in zip(years, overviews):
        lines = _pilot_lines(overview)
        if lines:
            any_pilot = True
            draft.paragraph(f"Năm {each}:", bold=True, keep_with_next=True)
            for line in lines:
                draft.paragraph(line)
    if not any_pilot:
        draft.paragraph("Trong giai đoạn, Đảng bộ chưa chọn chi bộ điểm.")
    draft.heading("IV. CÔNG TÁC KHEN THƯỞNG")
    for each in years:
        awards = queries.awards(office, each)
        if not awards:
            draft.paragraph(f"- Năm {each}: chưa có đề nghị khen thưởng.")
            continue
        counted = {kind: sum(1 for a in awards if a.kind == kind.value) for kind in AwardKind}
        decided = [a for a in awards if a.is_decided]
        numbers = sorted({clean(a.decision_number) for a in decided}, key=sort_key)
        text = f"- Năm {each}: đề nghị {documents.proposal_counts(counted)}"
        if numbers:
            text += f"; đã có quyết định số {', số '.join(numbers)} ({len(decided)} trường hợp)"
        draft.paragraph(text + ".")
    draft.heading("V. ĐÁNH GIÁ CHUNG")
    for heading, prompt in (("1. Ưu điểm", "những ưu điểm nổi bật của giai đoạn"),
                            ("2. Hạn chế, nguyên nhân", "hạn chế và nguyên nhân"),
                            ("3. Bài học kinh nghiệm", "bài học kinh nghiệm")):
        draft.heading(heading)
        draft.placeholder(f"Văn phòng Đảng ủy bổ sung {prompt}")
    draft.heading("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN TIẾP THEO")
    draft.placeholder("Văn phòng Đảng ủy bổ sung phương hướng, nhiệm vụ")
    draft.heading("VII. ĐỀ XUẤT, KIẾN NGHỊ")
    draft.placeholder("Văn phòng Đảng ủy bổ sung đề xuất, kiến nghị (nếu có)")
    _ward_signature(draft, office, date, [
        f"- {documents.upper_recipient(organisation)} (báo cáo),",
        "- Các đồng chí Ủy viên Ban Chấp hành Đảng bộ,", "- Các chi bộ trực thuộc,",
        "- Lưu Văn phòng Đảng ủy."], "Báo cáo tổng kết", warnings)
    title = f"Báo cáo tổng kết {movement} {span}"
    draft.document.core_properties.title = title
    return Drafted(draft, title, warnings)


# -------------------------------------------------------------------------------- letters
def reminder(office, year: int, date: dt.date | None = None) -> Drafted:
    """The letter urging the cells that have not registered (công văn đôn đốc)."""
    overview = year_overview(office, year)
    missing = overview.missing
    if not missing:
        raise UserError(f"Năm {year} mọi chi bộ đã đăng ký thi đua; không có chi bộ nào cần "
                        "đôn đốc.")
    phase = queries.phase_for_year(office, year)
    dates = queries.phase_year(office, year)
    date = date or dt.date.today()
    warnings: list[str] = []
    subject = f"V/v đôn đốc đăng ký thi đua xây dựng “Chi bộ 4 tốt” năm {year}"
    draft, organisation = _ward(office, date, "CV", subject)
    if len(missing) == 1:
        draft.centred(f"Kính gửi: {missing[0].cell.name}", space_after=8)
    else:
        draft.line("Kính gửi: các chi bộ", 14, align="center")
        for index, state in enumerate(missing):
            end = "." if index == len(missing) - 1 else ";"
            draft.line(f"- {state.cell.name}{end}", 14, align="center")
        draft.line("", 8)
    launch = (f", ngày {format_date(dates.launch_date)} Ban Thường vụ Đảng ủy đã phát động "
              f"phong trào thi đua năm {year}" if dates.launch_date else "")
    deadline = (f" trước ngày {format_date(dates.registration_deadline)}"
                if dates.registration_deadline else "")
    draft.paragraph(f"{_basis(phase)}{launch}, đề nghị các chi bộ trực thuộc đăng ký thi đua, "
                    f"gửi bản đăng ký về Đảng ủy (qua Văn phòng Đảng ủy){deadline}.")
    counts = overview.counts
    draft.paragraph(f"Đến ngày {format_date(date)}, đã có {counts['registered']}/"
                    f"{counts['active']} chi bộ gửi bản đăng ký; còn {len(missing)} chi bộ chưa "
                    f"đăng ký: {_names(missing)}.")
    draft.paragraph("Ban Thường vụ Đảng ủy đề nghị các chi bộ nêu trên khẩn trương tổ chức họp "
                    "chi bộ, thảo luận, xây dựng chỉ tiêu, cam kết thi đua theo mẫu và gửi bản "
                    "đăng ký về Văn phòng Đảng ủy trước ngày ....../....../" + str(year) + ". "
                    "Đồng chí bí thư chi bộ chịu trách nhiệm trước Ban Thường vụ Đảng ủy về việc "
                    "đăng ký thi đua của chi bộ.")
    draft.paragraph("Đề nghị các chi bộ nghiêm túc thực hiện./.")
    _ward_signature(draft, office, date, ["- Như trên,", "- Thường trực Đảng ủy (báo cáo),",
                                    "- Lưu Văn phòng Đảng ủy."], "Công văn đôn đốc", warnings)
    title = f"Công văn đôn đốc đăng ký thi đua năm {year}"
    draft.document.core_properties.title = title
    return Drafted(draft, title, warnings)


BUILDERS: dict[str, Callable[..., Drafted]] = {
    "submission": submission,
    "decision": decision,
    "review-report": review_report,
    "final-report": final_report,
    "reminder": reminder,
}


def draft(office, kind: str, year: int, date: dt.date | None = None) -> Drafted:
    """The draft ``kind`` of ``year`` (not written yet: show its warnings, then ``save``)."""
    builder = BUILDERS.get(kind)
    if builder is None:
        raise UserError(f"Không có loại văn bản '{kind}' (chọn: {', '.join(BUILDERS)}).")
    queries.phase_for_year(office, year)
    return builder(office, year, date)
