"""Reading the audit log for people: filters, and Vietnamese names for tables and actions.
The window lists it with ``listings.AuditListing``."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from sqlalchemy import select

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import (
    AWARD_KIND_LABELS,
    CELL_KIND_LABELS,
    AuditEntry,
    Award,
    Cell,
    CriteriaGroup,
    CriteriaItem,
    Evaluation,
    Organisation,
    Registration,
    Score,
)
from chibo4tot_desktop.text import format_date

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
    "organisation_identities": "Tên gọi, cấp trên của Đảng bộ",
    "catalogue_versions": "Bộ tiêu chí",
    "cell_links": "Sáp nhập, chia tách chi bộ",
    "evidence_files": "Tệp minh chứng",
    "evidence_blobs": "Nội dung tệp minh chứng",
    "office_keys": "Khóa ký của văn phòng",
    "trusted_senders": "Nơi gửi gói tin cậy",
    "imported_packets": "Gói dữ liệu đã nhận",
    "year_rules": "Quy định xếp loại của năm",
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
    "decision_place": "địa danh của quyết định", "signer_title": "chức vụ người ký",
    "signer_name": "họ tên người ký",
    "max_points": "điểm tối đa", "pass_points": "ngưỡng đạt", "text": "nội dung",
    "launch_date": "ngày phát động", "registration_deadline": "hạn đăng ký",
    "review_deadline": "hạn tổng kết", "year": "năm", "cell_id": "chi bộ", "item_id": "mục",
    "position": "thứ tự", "first_year": "năm đầu", "last_year": "năm cuối",
    "upper_body": "cấp trên", "place_name": "địa danh", "created_at": "tạo lúc",
    "merged_on": "ngày hợp nhất", "started_on": "ngày bắt đầu", "valid_from": "áp dụng từ",
    "upper_party_body": "cấp ủy cấp trên", "decision_issuer": "nơi ra quyết định",
    "certificate_place": "địa danh trên giấy khen",
    "certificate_signer_title": "chức vụ người ký giấy khen",
    "certificate_signer_name": "người ký giấy khen",
    "proposal_signer_title": "chức vụ người ký tờ trình",
    "proposal_signer_name": "người ký tờ trình", "plan_reference": "kế hoạch",
    "overall_pass": "ngưỡng tổng điểm", "band_excellent": "mức HTXSNV",
    "band_good": "mức HTTNV", "band_pass": "mức HTNV",
    "min_classification": "xếp loại tối thiểu", "max_disciplined": "số kỷ luật tối đa",
    "org_cell_share": "tỷ lệ chi bộ đạt", "excellent_share_cap": "trần tỷ lệ HTXSNV",
    "decided_points": "điểm khi quyết định", "decided_classification": "xếp loại khi quyết định",
    "decided_verdict": "kết quả khi quyết định", "decided_members": "số đảng viên khi quyết định",
    "decided_streak": "số năm liên tục", "decided_cells": "số chi bộ khi quyết định",
    "decision_source": "nguồn quyết định", "decision_packet_at": "gói quyết định lúc",
    "scope": "dùng cho", "key": "khóa", "target": "gắn với", "file_name": "tên tệp",
    "note": "ghi chú", "attached_at": "đính kèm lúc", "sha256": "mã băm", "size": "kích thước",
    "media_type": "loại tệp", "content": "nội dung", "role": "vai trò",
    "fingerprint": "dấu vân tay khóa", "registered_at": "đăng ký lúc",
    "exported_at": "xuất lúc", "imported_at": "nhận lúc", "signing_public": "khóa ký công khai",
    "box_public": "khóa mã hóa công khai", "signing_private": "khóa ký riêng",
    "box_private": "khóa mã hóa riêng",
    "regulation": "quy định xếp loại", "regulation_citation": "trích dẫn quy định",
    "org_max_disciplined": "số kỷ luật tối đa của đảng bộ",
    "registration_required": "chỉ xét chi bộ có bản đăng ký",
    "self_assessment_required": "phải có điểm tự chấm",
    "org_disciplined_from_cells": "kỷ luật của đảng bộ cộng từ các chi bộ",
    "org_waits_for_cells": "chờ chấm đủ các chi bộ",
    "deadline_inclusive": "nộp đúng ngày hạn vẫn đúng hạn",
    "cap_share": "tỷ lệ HTXSNV tối đa", "cap_denominator": "tỷ lệ HTXSNV tính trên số",
    "cap_rounding": "số HTXSNV tối đa được", "cap_tie_break": "bằng tổng điểm thì xếp theo",
    "excellent_conditions": "điều kiện HTXSNV", "sources": "nguồn của các giá trị",
    "decision_place": "địa danh của quyết định", "signer_title": "chức vụ người ký",
    "signer_name": "người ký", "classification_reason": "lý do xếp loại khác",
    "conditions_met": "điều kiện HTXSNV đã xác nhận",
}
# Codes stored in a few columns, and the words for them.
VALUE_LABELS = {
    "scope": {"cell": "chi bộ", "organisation": "đảng bộ"},
    "decision_source": {"typed": "gõ tại đây", "ward": "gói của phường",
                        "upper": "gói quyết định của cấp trên"},
    "source": {"typed": "gõ tại đây", "file": "nhập từ tệp"},
    "cap_denominator": {item.value: item.label for item in rules.CapDenominator},
    "cap_rounding": {item.value: item.label for item in rules.Rounding},
    "cap_tie_break": {item.value: item.label for item in rules.TieBreak},
}
# The HTXSNV conditions of every regulation, by key (a confirmed condition is logged by key).
CONDITION_TEXTS = {condition.key: condition.text
                   for conditions in rules.EXCELLENT_CONDITIONS.values()
                   for condition in conditions}
# Columns that keep JSON (lists of conditions, sources of values), said in words.
JSON_FIELDS = {"conditions_met", "excellent_conditions", "sources"}
# Technical columns shown in no sentence (the unit they point to is named in "Hồ sơ").
# (A cell's sort keys are derived from its name and code and never logged: ``db.audit``.)
HIDDEN_FIELDS = {"id", "organisation_id", "evaluation_id", "group_id", "phase_id",
                 "version_id", "version", "name_key", "code_key"}
POINT_FIELDS = {"self_points", "committee_points", "max_points", "pass_points"}
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?")
SUMMARY_PAIR = re.compile(r"(\w+)=([^,]*)")



@dataclass(frozen=True)
class AuditFilter:
    table: str | None = None
    user: str | None = None
    action: str | None = None
    text: str = ""            # matched, without diacritics or case, in summary/field/values
    since: dt.date | None = None
    until: dt.date | None = None   # inclusive


class AuditNames:
    """Names for the ids an audit row carries: cells, criteria items, and the evaluation,
    score, registration or award a row was about (read once for a whole listing)."""

    def __init__(self, db: Database):
        with db.session() as session:
            self.cells = dict(session.execute(select(Cell.id, Cell.name)).all())
            self.organisations = dict(session.execute(
                select(Organisation.id, Organisation.name)).all())
            self.items = {item_id: f"{group}.{position}" for item_id, group, position in
                          session.execute(select(CriteriaItem.id, CriteriaGroup.position,
                                                 CriteriaItem.position)
                                          .join(CriteriaGroup,
                                                CriteriaItem.group_id == CriteriaGroup.id))}
            self.evaluations = {row.id: (row.cell_id, row.year) for row in session.execute(
                select(Evaluation.id, Evaluation.cell_id, Evaluation.year))}
            self.scores = {row.id: (row.evaluation_id, row.item_id) for row in session.execute(
                select(Score.id, Score.evaluation_id, Score.item_id))}
            self.registrations = {row.id: (row.cell_id, row.year) for row in session.execute(
                select(Registration.id, Registration.cell_id, Registration.year))}
            self.awards = {row.id: (row.cell_id, row.year, row.kind) for row in session.execute(
                select(Award.id, Award.cell_id, Award.year, Award.kind))}

    def cell(self, cell_id) -> str:
        if cell_id in (None, "", "None"):
            return "Đảng bộ"
        try:
            cell_id = int(cell_id)
        except (TypeError, ValueError):
            return str(cell_id)
        return self.cells.get(cell_id, f"chi bộ đã xóa (số {cell_id})")

    def item(self, item_id) -> str:
        try:
            return f"mục {self.items[int(item_id)]}"
        except (KeyError, TypeError, ValueError):
            return "mục đã xóa"

    def facts(self, row: AuditEntry) -> dict:
        """What the row was about: from the record as it is now, else from what the log kept
        (the row's columns for an insert or delete, the "key=value" summary of old rows)."""
        facts = {}
        summary = row.summary or ""
        for key, value in SUMMARY_PAIR.findall(summary.split(": ", 1)[-1]):
            facts[key] = value.strip()
        facts.update({k: v for k, v in _columns_kept(row).items()
                      if k in ("cell_id", "year", "item_id", "kind", "evaluation_id")})
        table, row_id = row.table_name, row.row_id
        if table == "scores" and row_id in self.scores:
            facts["evaluation_id"], facts["item_id"] = self.scores[row_id]
        if table == "evaluations" and row_id in self.evaluations:
            facts["cell_id"], facts["year"] = self.evaluations[row_id]
        if table == "registrations" and row_id in self.registrations:
            facts["cell_id"], facts["year"] = self.registrations[row_id]
        if table == "awards" and row_id in self.awards:
            facts["cell_id"], facts["year"], facts["kind"] = self.awards[row_id]
        evaluation = facts.get("evaluation_id")
        try:
            if evaluation not in (None, "") and int(evaluation) in self.evaluations:
                facts["cell_id"], facts["year"] = self.evaluations[int(evaluation)]
        except (TypeError, ValueError):
            pass
        return facts


def _columns_kept(row: AuditEntry) -> dict:
    """The columns an insert or delete row kept (JSON), or {}."""
    text = row.new_value if row.action == "insert" else row.old_value
    if row.action == "update" or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _plain_value(field: str, value, names: AuditNames | None, table: str = "") -> str:
    """A stored value as the user writes it: dates dd/mm/yyyy, points with a comma, yes/no,
    names instead of ids, labels instead of codes."""
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, str) and value.lower() in ("true", "false") and field.startswith(
            ("is_", "has_")):
        value = value.lower() == "true"
    if isinstance(value, bool):
        return "có" if value else "không"
    if field in JSON_FIELDS:
        return _json_words(field, value)
    if field == "cell_id" and names is not None:
        return names.cell(value)
    if field == "item_id" and names is not None:
        return names.item(value)
    if field == "kind":
        for labels in ((AWARD_KIND_LABELS,) if table == "awards" else
                       (CELL_KIND_LABELS,) if table == "cells" else
                       (AWARD_KIND_LABELS, CELL_KIND_LABELS)):
            for key, label in labels.items():
                if key.value == value:
                    return label
    if field in VALUE_LABELS and value in VALUE_LABELS[field]:
        return VALUE_LABELS[field][value]
    if field in POINT_FIELDS:
        try:
            return rules.fmt_points(float(value))
        except (TypeError, ValueError):
            return str(value)
    text = str(value)
    match = ISO_DATE.match(text)
    if match and len(text) <= 26:
        day = format_date(dt.date(int(match.group(1)), int(match.group(2)),
                                  int(match.group(3))))
        return f"{day} {match.group(4)}" if match.group(4) else day
    return text


def _json_words(field: str, value) -> str:
    """A JSON column in words: the conditions confirmed or set, where each value comes from."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if field in ("conditions_met", "excellent_conditions") and isinstance(value, list):
        if not value:
            return "không có"
        texts = []
        for item in value:
            if isinstance(item, dict):
                texts.append(str(item.get("text") or item.get("key") or ""))
            else:
                texts.append(CONDITION_TEXTS.get(str(item), str(item)))
        return "; ".join(f"“{text}”" for text in texts)
    if field == "sources" and isinstance(value, dict):
        if not value:
            return "không có"
        parts = []
        for key, source in value.items():
            label = FIELD_LABELS.get(key, key)
            if isinstance(source, dict):
                try:
                    kind = rules.SourceKind(source.get("kind")).label
                except ValueError:
                    kind = str(source.get("kind") or "")
                note = source.get("note") or ""
                parts.append(f"{label}: {kind}" + (f" ({note})" if note else ""))
            else:
                parts.append(f"{label}: {source}")
        return "; ".join(parts)
    return str(value)


def describe_record(row: AuditEntry, names: AuditNames | None = None) -> str:
    """Which record, in words: "Chi bộ Tổ dân phố 6, năm 2025, mục 1.2"."""
    summary = row.summary or ""
    note, _, rest = summary.rpartition(": ") if "=" in summary else ("", "", summary)
    if names is None or (not SUMMARY_PAIR.search(rest) and row.table_name not in (
            "scores", "evaluations", "registrations", "awards")):
        return summary
    facts = names.facts(row)
    parts = []
    if "cell_id" in facts:
        parts.append(names.cell(facts["cell_id"]))
    if facts.get("year") not in (None, ""):
        parts.append(f"năm {facts['year']}")
    if "item_id" in facts:
        parts.append(names.item(facts["item_id"]))
    if facts.get("kind"):
        parts.append(_plain_value("kind", facts["kind"], names, row.table_name))
    text = ", ".join(parts) or rest
    return f"{note}: {text}" if note else text


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


def describe_change(row: AuditEntry, width: int = 120,
                    names: AuditNames | None = None) -> str:
    """One line for the viewer: "bí thư: Nguyễn Văn A → Trần Thị B", or the fields of the
    record added or removed, in words (no ids, no JSON)."""
    def short(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    table = row.table_name
    if row.action == "update":
        label = FIELD_LABELS.get(row.field, row.field)
        old = _plain_value(row.field, _loaded(row.old_value), names, table)
        new = _plain_value(row.field, _loaded(row.new_value), names, table)
        return short(f"{label}: {old} → {new}")
    kept = _columns_kept(row)
    if not kept:
        text = row.new_value if row.action == "insert" else row.old_value
        return short("" if text is None else str(text))
    parts = [f"{FIELD_LABELS.get(key, key)}: {_plain_value(key, value, names, table)}"
             for key, value in kept.items()
             if value not in (None, "") and key not in HIDDEN_FIELDS
             and not key.endswith("_id")]
    return short("; ".join(parts))


def _loaded(text):
    """An updated value as logged: text, or JSON for numbers and yes/no."""
    if text is None:
        return None
    if text in ("true", "false"):
        return text == "true"
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, (int, float, bool)) else text
