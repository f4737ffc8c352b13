"""rules by year: the regulation, thresholds, conditions, cap and deadline reading of each year;
the committee's reason and confirmed conditions on an evaluation

Revision ID: 0006_year_rules
Revises: 0005_decision_signers

Every year of every phase gets its row in ``year_rules``, carrying the thresholds its phase
had (overall pass, bands, minimum classification, disciplined members allowed, share of cells,
share of HTXSNV), the regulation in force on its review date (Quy định 124-QĐ/TW for reviews
from 04/10/2023, Quy định 366-QĐ/TW from 30/08/2025), that regulation's HTXSNV conditions,
and the deadline reading the program used until now ("on the deadline day is on time", kept as
the office's choice so no registration already typed turns late). A year that already has a
decision keeps the verdicts it was decided on: it gets the rules the program computed it with
(no registration or self-assessment requirement, the organisation's disciplined members from
its own sheet, the organisation's verdict without waiting for every cell), named as the
office's choice; the other years get the rules as the plan and the regulations state them. The phase's threshold
columns then go: the year rules are the only place these numbers live.

The texts below are a copy of the defaults of this revision (never read from the program, so
this step always writes the same thing).
"""

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0006_year_rules"
down_revision = "0005_decision_signers"
branch_labels = None
depends_on = None

PHASE_THRESHOLDS = ("overall_pass", "band_excellent", "band_good", "band_pass",
                    "min_classification", "max_disciplined", "org_cell_share",
                    "excellent_share_cap")

REGULATIONS = (
    ("132-QĐ/TW", dt.date(2018, 3, 8),
     "Quy định số 132-QĐ/TW ngày 08/03/2018 của Bộ Chính trị về việc kiểm điểm và đánh giá, "
     "xếp loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị"),
    ("124-QĐ/TW", dt.date(2023, 10, 4),
     "Quy định số 124-QĐ/TW ngày 04/10/2023 của Bộ Chính trị về kiểm điểm và đánh giá, xếp "
     "loại chất lượng hằng năm đối với tập thể, cá nhân trong hệ thống chính trị"),
    ("366-QĐ/TW", dt.date(2025, 8, 30),
     "Quy định số 366-QĐ/TW ngày 30/08/2025 của Bộ Chính trị về kiểm điểm, đánh giá, xếp loại "
     "chất lượng đối với tập thể, cá nhân trong hệ thống chính trị"),
)

DISCIPLINE = {"key": "dv", "text": "Không có đảng viên bị kỷ luật trong năm",
              "check": "no_disciplined", "source": "office",
              "note": "quy định nói về tổ chức trực thuộc và cán bộ lãnh đạo bị kỷ luật; chương "
                      "trình xét theo số đảng viên bị kỷ luật"}
CONDITIONS = {
    "132-QĐ/TW": [DISCIPLINE],
    "124-QĐ/TW": [DISCIPLINE],
    "366-QĐ/TW": [
        {"key": "nv", "text": "Hoàn thành 100% nhiệm vụ được giao, đúng hạn, bảo đảm chất "
                              "lượng, hiệu quả; ít nhất 30% số nhiệm vụ hoàn thành vượt mức "
                              "yêu cầu",
         "check": "confirmed", "source": "regulation",
         "note": "Quy định 366-QĐ/TW, Điều 11, khoản 1 (đối với tập thể)"},
        {"key": "lđ", "text": "Không có đơn vị trực thuộc hoặc thành viên tập thể lãnh đạo bị "
                              "kỷ luật",
         "check": "confirmed", "source": "regulation",
         "note": "Quy định 366-QĐ/TW, Điều 11, khoản 1 (đối với tập thể)"},
        DISCIPLINE,
    ],
}

DEFAULTS = {"overall_pass": 80, "band_excellent": 90, "band_good": 70, "band_pass": 50,
            "min_classification": "HTTNV", "max_disciplined": 0, "org_cell_share": 0.7,
            "excellent_share_cap": 0.2}
SOURCES = {
    "band_excellent": ("regulation", "từ 90 điểm: Hoàn thành xuất sắc nhiệm vụ"),
    "band_good": ("regulation", "từ 70 đến dưới 90 điểm: Hoàn thành tốt nhiệm vụ"),
    "band_pass": ("regulation", "từ 50 đến dưới 70 điểm: Hoàn thành nhiệm vụ"),
    "overall_pass": ("office", "mặc định của chương trình"),
    "min_classification": ("office", "điều kiện thường dùng ở các địa phương"),
    "max_disciplined": ("office", "điều kiện thường dùng: không có đảng viên bị kỷ luật trong "
                                  "năm"),
    "org_max_disciplined": ("office", "điều kiện thường dùng: không có đảng viên bị kỷ luật "
                                      "trong năm"),
    "org_cell_share": ("office", "mặc định của chương trình"),
    "registration_required": ("plan", "mục 2.4: “căn cứ đăng ký của các chi bộ trực thuộc”"),
    "self_assessment_required": ("regulation", "tập thể tự đánh giá, xếp loại trước khi cấp ủy "
                                               "xem xét"),
    "org_disciplined_from_cells": ("regulation", "đảng viên bị kỷ luật của đảng bộ là đảng "
                                                 "viên bị kỷ luật ở các chi bộ trực thuộc"),
    "org_waits_for_cells": ("plan", "mục 2.4: công nhận đảng bộ căn cứ kết quả của các chi bộ "
                                    "trực thuộc"),
    "deadline_inclusive": ("office", "cách đọc hạn đăng ký chương trình đã dùng: nộp đúng ngày "
                                     "hạn vẫn là đúng hạn"),
    "cap_share": ("regulation", "HTXSNV không vượt quá 20% số được xếp loại HTTNV"),
    "cap_denominator": ("regulation", "số được xếp loại HTTNV (HTXSNV được chọn trong số đó)"),
    "cap_rounding": ("regulation", "“không vượt quá”: phần lẻ không được tính thêm"),
    "cap_tie_break": ("office", "mặc định của chương trình"),
}
CHANGED = ("office", "giá trị văn phòng đã đặt cho giai đoạn")
# A year that already has a decision keeps what it was decided on: the rules the program
# computed it with (no registration or self-assessment requirement, the organisation's
# disciplined members from its own sheet, its verdict without waiting for every cell).
DECIDED_RULES = {"registration_required": False, "self_assessment_required": False,
                 "org_disciplined_from_cells": False, "org_waits_for_cells": False}
DECIDED = ("office", "cách tính của chương trình khi năm đã có quyết định khen thưởng; giữ "
                     "nguyên kết quả đã quyết định")
# phase column -> year_rules column
RENAMED = {"excellent_share_cap": "cap_share"}


def _regulation(year: int, review_deadline):
    if isinstance(review_deadline, str):
        review_deadline = dt.date.fromisoformat(review_deadline[:10])
    review = review_deadline or dt.date(year, 12, 10)
    in_force = [item for item in REGULATIONS if item[1] <= review]
    return in_force[-1] if in_force else REGULATIONS[0]


def upgrade() -> None:
    year_rules = op.create_table(
        "year_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("regulation", sa.String(length=40), nullable=False),
        sa.Column("regulation_citation", sa.String(length=300), nullable=False),
        sa.Column("overall_pass", sa.Float(), nullable=False),
        sa.Column("band_excellent", sa.Float(), nullable=False),
        sa.Column("band_good", sa.Float(), nullable=False),
        sa.Column("band_pass", sa.Float(), nullable=False),
        sa.Column("min_classification", sa.String(length=10), nullable=False),
        sa.Column("max_disciplined", sa.Integer(), nullable=False),
        sa.Column("org_max_disciplined", sa.Integer(), nullable=False),
        sa.Column("org_cell_share", sa.Float(), nullable=False),
        sa.Column("registration_required", sa.Boolean(), nullable=False),
        sa.Column("self_assessment_required", sa.Boolean(), nullable=False),
        sa.Column("org_disciplined_from_cells", sa.Boolean(), nullable=False),
        sa.Column("org_waits_for_cells", sa.Boolean(), nullable=False),
        sa.Column("deadline_inclusive", sa.Boolean(), nullable=False),
        sa.Column("cap_share", sa.Float(), nullable=False),
        sa.Column("cap_denominator", sa.String(length=20), nullable=False),
        sa.Column("cap_rounding", sa.String(length=10), nullable=False),
        sa.Column("cap_tie_break", sa.String(length=20), nullable=False),
        sa.Column("excellent_conditions", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_year_rules_organisation_id_organisations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_year_rules")),
        sa.UniqueConstraint("organisation_id", "year", name="uq_year_rules_org_year"),
    )
    op.create_index(op.f("ix_year_rules_organisation_id"), "year_rules", ["organisation_id"],
                    unique=False)
    op.add_column("evaluations", sa.Column("classification_reason", sa.Text(),
                                           server_default=sa.text("''"), nullable=False))
    op.add_column("evaluations", sa.Column("conditions_met", sa.Text(),
                                           server_default=sa.text("'[]'"), nullable=False))

    connection = op.get_bind()
    phases = sa.table("phases", sa.column("id"), sa.column("organisation_id"),
                      *(sa.column(name) for name in PHASE_THRESHOLDS), sa.column("first_year"))
    phase_years = sa.table("phase_years", sa.column("phase_id"), sa.column("year"),
                           sa.column("review_deadline"))
    awards = sa.table("awards", sa.column("organisation_id"), sa.column("year"),
                      sa.column("decision_number"), sa.column("decision_date"))
    decided = set(connection.execute(
        sa.select(awards.c.organisation_id, awards.c.year).distinct()
        .where(awards.c.decision_number != "", awards.c.decision_date.is_not(None))).all())
    rows = []
    seen = set()
    for phase in connection.execute(sa.select(phases).order_by(phases.c.first_year,
                                                                phases.c.id)).mappings():
        years = connection.execute(
            sa.select(phase_years.c.year, phase_years.c.review_deadline)
            .where(phase_years.c.phase_id == phase["id"]).order_by(phase_years.c.year)).all()
        for year, review_deadline in years:
            if (phase["organisation_id"], year) in seen:
                continue
            seen.add((phase["organisation_id"], year))
            code, issued_on, citation = _regulation(year, review_deadline)
            sources = {key: {"kind": kind, "note": note} for key, (kind, note) in SOURCES.items()}
            note = (f"có hiệu lực từ {issued_on:%d/%m/%Y}, áp dụng cho kỳ đánh giá năm {year}")
            sources["regulation"] = sources["regulation_citation"] = {"kind": "regulation",
                                                                      "note": note}
            row = {"organisation_id": phase["organisation_id"], "year": year,
                   "regulation": code, "regulation_citation": citation,
                   "org_max_disciplined": 0, "registration_required": True,
                   "self_assessment_required": True, "org_disciplined_from_cells": True,
                   "org_waits_for_cells": True, "deadline_inclusive": True,
                   "cap_denominator": "good_or_better", "cap_rounding": "down",
                   "cap_tie_break": "groups",
                   "excellent_conditions": json.dumps(CONDITIONS[code], ensure_ascii=False)}
            for name in PHASE_THRESHOLDS:
                column = RENAMED.get(name, name)
                value = phase[name]
                row[column] = value
                if value != DEFAULTS[name]:
                    sources[column] = {"kind": CHANGED[0], "note": CHANGED[1]}
            if (phase["organisation_id"], year) in decided:
                row.update(DECIDED_RULES)
                for key in DECIDED_RULES:
                    sources[key] = {"kind": DECIDED[0], "note": DECIDED[1]}
            row["sources"] = json.dumps(sources, ensure_ascii=False, sort_keys=True)
            rows.append(row)
    if rows:
        op.bulk_insert(year_rules, rows)
    for name in PHASE_THRESHOLDS:
        op.drop_column("phases", name)


def downgrade() -> None:
    columns = {"overall_pass": (sa.Float(), "80"), "band_excellent": (sa.Float(), "90"),
               "band_good": (sa.Float(), "70"), "band_pass": (sa.Float(), "50"),
               "min_classification": (sa.String(length=10), "'HTTNV'"),
               "max_disciplined": (sa.Integer(), "0"), "org_cell_share": (sa.Float(), "0.7"),
               "excellent_share_cap": (sa.Float(), "0.2")}
    for name, (type_, default) in columns.items():
        op.add_column("phases", sa.Column(name, type_, server_default=sa.text(default),
                                          nullable=False))
    op.drop_column("evaluations", "conditions_met")
    op.drop_column("evaluations", "classification_reason")
    op.drop_index(op.f("ix_year_rules_organisation_id"), table_name="year_rules")
    op.drop_table("year_rules")
