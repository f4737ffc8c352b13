"""The rules of each year as the data file keeps them (``YearRule`` rows), read into
``rules.YearRules`` and changed through ``ops.setup.save_setup`` (``SetupChanges.rules``).

A new phase gives each of its years the defaults of ``rules.default_rules``: the regulation in
force on the year's review date with its HTXSNV conditions, the plan's registration rule and
deadline reading. Every value carries its source; a value the office changes without naming a
source becomes the office's own choice.
"""

from __future__ import annotations

import json
from enum import Enum
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import Phase, YearRule
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops import checks

CONDITION_TEXT_LENGTH = 500
SOURCE_NOTE_LENGTH = 300
MAX_CONDITIONS = 20


# ------------------------------------------------------------------------ rows <-> rules
def _sources(text: str) -> dict[str, rules.Source]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    result = {}
    for key, value in data.items() if isinstance(data, dict) else ():
        try:
            result[key] = rules.Source(rules.SourceKind(value.get("kind")),
                                       str(value.get("note", "")))
        except (ValueError, AttributeError):
            continue
    return result


def _conditions(text: str) -> tuple[rules.Condition, ...]:
    try:
        data = json.loads(text or "[]")
    except ValueError:
        return ()
    result = []
    for item in data if isinstance(data, list) else ():
        try:
            result.append(rules.Condition(
                str(item["key"]), str(item["text"]), rules.ConditionCheck(item["check"]),
                rules.Source(rules.SourceKind(item.get("source", "office")),
                             str(item.get("note", "")))))
        except (KeyError, ValueError, TypeError):
            continue
    return tuple(result)


def sources_json(sources: Mapping[str, rules.Source]) -> str:
    return json.dumps({key: {"kind": source.kind.value, "note": source.note}
                       for key, source in sources.items()}, ensure_ascii=False, sort_keys=True)


def conditions_json(conditions: Sequence[rules.Condition]) -> str:
    return json.dumps([{"key": c.key, "text": c.text, "check": c.check.value,
                        "source": c.source.kind.value, "note": c.source.note}
                       for c in conditions], ensure_ascii=False)


def to_rules(row: YearRule) -> rules.YearRules:
    return rules.YearRules(
        regulation=row.regulation, regulation_citation=row.regulation_citation,
        overall_pass=row.overall_pass, band_excellent=row.band_excellent,
        band_good=row.band_good, band_pass=row.band_pass,
        min_classification=rules.Classification(row.min_classification),
        max_disciplined=row.max_disciplined, org_max_disciplined=row.org_max_disciplined,
        org_cell_share=row.org_cell_share, registration_required=row.registration_required,
        self_assessment_required=row.self_assessment_required,
        org_disciplined_from_cells=row.org_disciplined_from_cells,
        org_waits_for_cells=row.org_waits_for_cells,
        deadline_inclusive=row.deadline_inclusive, cap_share=row.cap_share,
        cap_denominator=rules.CapDenominator(row.cap_denominator),
        cap_rounding=rules.Rounding(row.cap_rounding),
        cap_tie_break=rules.TieBreak(row.cap_tie_break),
        excellent_conditions=_conditions(row.excellent_conditions),
        sources=_sources(row.sources))


def _stored(key: str, value):
    """A YearRules value as its column holds it."""
    return value.value if isinstance(value, Enum) else value


def new_row(organisation_id: int, year: int, values: rules.YearRules) -> YearRule:
    row = YearRule(organisation_id=organisation_id, year=year)
    for key in rules.RULE_FIELD_KEYS:
        setattr(row, key, _stored(key, getattr(values, key)))
    row.excellent_conditions = conditions_json(values.excellent_conditions)
    row.sources = sources_json(values.sources)
    return row


def default_row(organisation_id: int, year: int, review_deadline) -> YearRule:
    return new_row(organisation_id, year, rules.default_rules(year, review_deadline))


def row_in(session: Session, year: int, organisation_id: int | None = None) -> YearRule | None:
    """The year's row: in an organisation-scoped session, or of ``organisation_id``."""
    query = select(YearRule).where(YearRule.year == year)
    if organisation_id is not None:
        query = query.where(YearRule.organisation_id == organisation_id)
    return session.scalar(query)


def rules_in(session: Session, year: int, phase: Phase | None = None) -> rules.YearRules:
    """The rules of ``year``; a year without its row (never saved) reads the defaults."""
    row = row_in(session, year)
    if row is not None:
        return to_rules(row)
    review = None
    if phase is not None:
        review = next((item.review_deadline for item in phase.years if item.year == year), None)
    return rules.default_rules(year, review)


# -------------------------------------------------------------------------------- changes
def _field(key: str) -> rules.RuleField:
    for spec in rules.RULE_FIELDS:
        if spec.key == key:
            return spec
    raise ValueError(key)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        return rules.fmt_points(value)
    return str(value)


def field_value(key: str, value):
    """One rule value, checked (the Vietnamese message names the setting)."""
    spec = _field(key)
    label = spec.label
    if spec.kind == "text":
        return checks.required(value, label[0].lower() + label[1:], key,
                               40 if key == "regulation" else 300)
    if spec.kind == "points":
        number = checks.number(value, label, key)
        if not 0 <= number <= 1000:
            raise ValidationError(f"{label}: {value} không hợp lệ.", key)
        return number
    if spec.kind == "share":
        return checks.share(value, label, key)
    if spec.kind == "count":
        return checks.count(value, label, key)
    if spec.kind == "bool":
        return checks.boolean(value, label, key)
    if spec.kind == "classification":
        try:
            return rules.Classification(value).value
        except ValueError:
            raise ValidationError(f"Xếp loại '{value}' không hợp lệ.", key) from None
    allowed = [choice for choice, _ in spec.choices]
    if value not in allowed:
        raise ValidationError(f"{label}: '{value}' không hợp lệ (chọn một trong: "
                              f"{', '.join(allowed)}).", key)
    return value


def source_value(value, key: str) -> rules.Source:
    """A source given as ``rules.Source``, a mapping {kind, note}, or "kind" / "kind:note"."""
    if isinstance(value, rules.Source):
        kind, note = value.kind.value, value.note
    elif isinstance(value, Mapping):
        kind, note = value.get("kind"), value.get("note", "")
    else:
        kind, _, note = str(value).partition(":")
    try:
        kind = rules.SourceKind(str(kind).strip())
    except ValueError:
        choices = ", ".join(f"{item.value} ({item.label})" for item in rules.SourceKind)
        raise ValidationError(f"Nguồn '{kind}' không hợp lệ (chọn: {choices}).",
                              f"{key}.source") from None
    return rules.Source(kind, checks.optional(note, "ghi chú nguồn", f"{key}.source",
                                              SOURCE_NOTE_LENGTH))


def condition_values(items: Sequence[Mapping]) -> tuple[rules.Condition, ...]:
    """The HTXSNV conditions as given (each {key?, text, check, source, note}), checked; a
    condition without a key gets a new one."""
    if len(items) > MAX_CONDITIONS:
        raise ValidationError(f"Tối đa {MAX_CONDITIONS} điều kiện HTXSNV.",
                              "excellent_conditions")
    keys = {str(item.get("key")) for item in items if item.get("key")}
    result = []
    for number, item in enumerate(items, start=1):
        text = checks.required(item.get("text"), f"nội dung điều kiện {number}",
                               "excellent_conditions", CONDITION_TEXT_LENGTH)
        try:
            check = rules.ConditionCheck(item.get("check"))
        except ValueError:
            raise ValidationError(f"Điều kiện {number}: cách xét '{item.get('check')}' không "
                                  "hợp lệ.", "excellent_conditions") from None
        source = source_value({"kind": item.get("source", "office"),
                               "note": item.get("note", "")}, "excellent_conditions")
        key = str(item.get("key") or "")
        if not key:
            index = 1
            while f"k{index}" in keys:
                index += 1
            key = f"k{index}"
            keys.add(key)
        if any(condition.key == key for condition in result):
            raise ValidationError(f"Điều kiện {number}: mã '{key}' bị trùng.",
                                  "excellent_conditions")
        result.append(rules.Condition(key, text, check, source))
    return tuple(result)


def check_bands(year: int, excellent: float, good: float, passing: float) -> None:
    if not (excellent >= good >= passing >= 0):
        raise ValidationError(f"Năm {year}: các mức xếp loại phải giảm dần: xuất sắc ≥ tốt ≥ "
                              "hoàn thành ≥ 0.", "band_good")


def apply_changes(session: Session, organisation_id: int, phase: Phase, year: int,
                  changes: Mapping) -> None:
    """Apply ``changes`` to the rules of ``year`` (in ``phase``): field -> value, plus
    "sources" (field -> source) and "excellent_conditions" (the whole list)."""
    if not phase.contains(year):
        raise ValidationError(f"Năm {year} không thuộc giai đoạn {phase.first_year} - "
                              f"{phase.last_year}.", "year")
    row = row_in(session, year, organisation_id)
    if row is None:
        review = next((item.review_deadline for item in phase.years if item.year == year), None)
        row = default_row(organisation_id, year, review)
        session.add(row)
    sources = _sources(row.sources)
    given_sources = {key: source_value(value, key)
                     for key, value in (changes.get("sources") or {}).items()}
    for key in given_sources:
        if key not in rules.RULE_FIELD_KEYS:
            raise ValueError(key)
    for key, value in changes.items():
        if key in ("sources", "excellent_conditions"):
            continue
        checked = field_value(key, value)
        before = getattr(row, key)
        if checked == before:
            continue
        setattr(row, key, checked)
        if key not in given_sources:
            given_sources[key] = rules.Source(rules.SourceKind.OFFICE,
                                              f"văn phòng đã đổi từ {_shown(before)}")
        if key == "regulation" and "regulation_citation" not in changes:
            known = next((item for item in rules.REGULATIONS if item.code == checked), None)
            if known is not None:
                row.regulation_citation = known.citation
    if "excellent_conditions" in changes:
        conditions = condition_values(list(changes["excellent_conditions"]))
        row.excellent_conditions = conditions_json(conditions)
    check_bands(year, row.band_excellent, row.band_good, row.band_pass)
    sources.update(given_sources)
    text = sources_json(sources)
    if text != row.sources:
        row.sources = text
