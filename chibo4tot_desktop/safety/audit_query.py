"""Reading the audit log for people: filters, and Vietnamese names for tables and actions.
The window lists it with ``listings.AuditListing``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import AuditEntry

TABLE_LABELS = {
    "organisations": "Đảng bộ",
    "phases": "Giai đoạn",
    "phase_years": "Lịch thi đua năm",
    "criteria_groups": "Nhóm tiêu chí",
    "criteria_items": "Mục tiêu chí",
    "cells": "Chi bộ",
    "registrations": "Đăng ký thi đua",
    "evaluations": "Phiếu chấm điểm",
    "scores": "Điểm chấm",
    "awards": "Đề nghị, khen thưởng",
    "settings": "Cài đặt",
}
ACTION_LABELS = {"insert": "Thêm", "update": "Sửa", "delete": "Xóa"}
FIELD_LABELS = {
    "code": "mã", "name": "tên", "kind": "loại", "secretary": "bí thư",
    "members_count": "số đảng viên", "is_pilot": "chi bộ điểm", "dissolved_on": "ngày giải thể",
    "title": "danh hiệu / tên", "received_on": "ngày nhận", "signer": "người ký",
    "commitment_1": "cam kết nhóm 1", "commitment_2": "cam kết nhóm 2",
    "commitment_3": "cam kết nhóm 3", "commitment_4": "cam kết nhóm 4",
    "source": "nguồn", "source_file": "tệp nguồn", "source_row": "dòng trong tệp",
    "notes": "ghi chú", "disciplined_members": "số đảng viên bị kỷ luật",
    "classification": "xếp loại", "self_points": "điểm tự chấm",
    "committee_points": "điểm Đảng ủy chấm", "proposed_on": "ngày đề nghị",
    "decision_number": "số quyết định", "decision_date": "ngày quyết định",
    "issuer": "cơ quan ban hành", "register_number": "số sổ", "value": "giá trị",
    "max_points": "điểm tối đa", "pass_points": "ngưỡng đạt", "text": "nội dung",
    "launch_date": "ngày phát động", "registration_deadline": "hạn đăng ký",
    "review_deadline": "hạn tổng kết", "year": "năm",
}


@dataclass(frozen=True)
class AuditFilter:
    table: str | None = None
    user: str | None = None
    action: str | None = None
    text: str = ""            # matched, without diacritics or case, in summary/field/values
    since: dt.date | None = None
    until: dt.date | None = None   # inclusive


def filtered_query(query, filters: AuditFilter):
    """``query`` (a select over the audit log) with the filters that SQL can apply, newest
    first; the text is matched by ``listings.AuditListing``, without accents, as typed."""
    query = query.order_by(AuditEntry.id.desc())
    if filters.table:
        query = query.where(AuditEntry.table_name == filters.table)
    if filters.user:
        query = query.where(AuditEntry.user == filters.user)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.since:
        query = query.where(AuditEntry.at >= dt.datetime.combine(filters.since, dt.time()))
    if filters.until:
        query = query.where(AuditEntry.at < dt.datetime.combine(
            filters.until + dt.timedelta(days=1), dt.time()))
    return query


def audit_users(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(u for u in session.scalars(select(AuditEntry.user).distinct()) if u)


def audit_tables(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(AuditEntry.table_name).distinct()),
                      key=lambda name: TABLE_LABELS.get(name, name))


def describe_change(row: AuditEntry, width: int = 120) -> str:
    """One line for the viewer: "secretary: Nguyễn Văn A → Trần Thị B", or the row added."""
    def short(value):
        text = "" if value is None else str(value)
        return text if len(text) <= width else text[: width - 1] + "…"

    if row.action == "update":
        label = FIELD_LABELS.get(row.field, row.field)
        return f"{label}: {short(row.old_value) or '(trống)'} → {short(row.new_value) or '(trống)'}"
    if row.action == "insert":
        return short(row.new_value)
    return short(row.old_value)
