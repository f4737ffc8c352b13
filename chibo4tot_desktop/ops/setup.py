"""Setting up: the organisation, its phases and yearly calendar, the rules of each year, the
criteria catalogues and the free settings (certificate wording, signers...).

``save_setup`` saves what the settings dialog (or ``settings set`` on the command line)
changed in ONE transaction: a refused catalogue leaves the rules as they were too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from chibo4tot_desktop import catalogue, rules
from chibo4tot_desktop.db.changes import EVALUATIONS, REGISTRATIONS, SETTINGS
from chibo4tot_desktop.db.models import (
    CriteriaGroup,
    CriteriaItem,
    Organisation,
    Phase,
    PhaseYear,
    Scope,
    Score,
    Setting,
)
from chibo4tot_desktop.errors import NotFoundError, ValidationError
from chibo4tot_desktop.ops import checks, queries, rulebook
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.text import clean

DEFAULT_REGISTRATION_DAY = (3, 10)   # 10/3: registration deadline (seed, section 2.1)
DEFAULT_REVIEW_DAY = (12, 10)        # 10/12: yearly review deadline (seed, section 2.3)
DEFAULT_LAUNCH_DAY = (3, 6)          # 06/3: the launch day of 2023 (seed)

ORGANISATION_FIELDS = ("name", "upper_body", "place_name")
PHASE_SETTINGS = ("title", "plan_reference")


@dataclass
class YearDates:
    launch_date: dt.date | None
    registration_deadline: dt.date | None
    review_deadline: dt.date | None


@dataclass
class SetupChanges:
    """Everything one settings dialog (or one ``settings set``) may change at once."""

    organisation: dict[str, str] = field(default_factory=dict)
    phase_id: int | None = None
    phase: dict[str, object] = field(default_factory=dict)
    years: dict[int, YearDates] = field(default_factory=dict)
    catalogues: dict[Scope, list[Mapping]] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    # year -> changes of its rules (see ``ops.rulebook.apply_changes``)
    rules: dict[int, dict] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.organisation or self.phase or self.years or self.catalogues
                    or self.settings or self.rules)


# ---------------------------------------------------------------------------- organisation
def create_organisation(office: Office, code: str, name: str, upper_body: str = "",
                        place_name: str = "") -> Organisation:
    row = Organisation(code=checks.required(code, "mã đảng bộ", "code", 40),
                       name=checks.required(name, "tên đảng bộ", "name"),
                       upper_body=checks.optional(upper_body, "cấp trên", "upper_body"),
                       place_name=checks.optional(place_name, "địa danh", "place_name", 100))
    with office.db.transaction(SETTINGS) as session:
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise ValidationError(f"Mã đảng bộ '{row.code}' đã có.", "code") from None
    office.organisation_id = row.id
    return row


def _organisation_values(changes: Mapping) -> dict:
    values = {}
    for key, value in changes.items():
        if key not in ORGANISATION_FIELDS:
            raise ValueError(key)
        if key == "name":
            values[key] = checks.required(value, "tên đảng bộ", key)
        else:
            values[key] = checks.optional(value, "cấp trên" if key == "upper_body"
                                          else "địa danh", key, 200 if key == "upper_body"
                                          else 100)
    return values


def update_organisation(office: Office, **changes) -> Organisation:
    return save_setup(office, SetupChanges(organisation=changes)) or queries.organisation(office)


# ---------------------------------------------------------------------------------- phases
def create_phase(office: Office, title: str, first_year: int, last_year: int,
                 plan_reference: str = "", launch_date: dt.date | None = None) -> Phase:
    """A new phase with its years (default dates and rules) and the default catalogues."""
    if last_year < first_year or last_year - first_year > 10:
        raise ValidationError("Năm cuối giai đoạn phải sau năm đầu (tối đa 10 năm).",
                              "last_year")
    with office.write(SETTINGS) as session:
        phase = Phase(organisation_id=office.require_org(),
                      title=checks.required(title, "tên giai đoạn", "title", 300),
                      plan_reference=checks.optional(plan_reference, "căn cứ kế hoạch",
                                                     "plan_reference"),
                      first_year=first_year, last_year=last_year)
        for year in range(first_year, last_year + 1):
            launch = (launch_date if year == first_year and launch_date
                      else dt.date(year, *DEFAULT_LAUNCH_DAY))
            phase.years.append(PhaseYear(
                year=year, launch_date=launch,
                registration_deadline=dt.date(year, *DEFAULT_REGISTRATION_DAY),
                review_deadline=dt.date(year, *DEFAULT_REVIEW_DAY)))
        for scope, groups in ((Scope.CELL, catalogue.CELL_GROUPS),
                              (Scope.ORGANISATION, catalogue.ORGANISATION_GROUPS)):
            for position, group_title, pass_points, items in catalogue.default_catalogue(groups):
                group = CriteriaGroup(scope=scope.value, position=position,
                                      title=group_title, pass_points=pass_points)
                for index, (item_text, points) in enumerate(items, start=1):
                    group.items.append(CriteriaItem(position=index, text=item_text,
                                                    max_points=points))
                phase.groups.append(group)
        session.add(phase)
        try:
            session.flush()
        except IntegrityError:
            raise ValidationError(f"Đã có giai đoạn bắt đầu năm {first_year}.",
                                  "first_year") from None
        for item in phase.years:
            if rulebook.row_in(session, item.year, phase.organisation_id) is None:
                session.add(rulebook.default_row(phase.organisation_id, item.year,
                                                 item.review_deadline))
    return queries.phase(office, phase.id)


def phase_value(key: str, value):
    """One phase setting, checked."""
    if key == "title":
        return checks.required(value, "tên giai đoạn", key, 300)
    return checks.optional(value, "căn cứ kế hoạch", key)


def update_phase(office: Office, phase_id: int, **changes) -> Phase:
    """Change the phase's title or plan reference."""
    save_setup(office, SetupChanges(phase_id=phase_id, phase=changes))
    return queries.phase(office, phase_id)


def update_year_rules(office: Office, year: int, **changes) -> None:
    """Change the rules of ``year`` (verdicts follow at once); see ``rulebook.apply_changes``."""
    phase = queries.phase_for_year(office, year)
    save_setup(office, SetupChanges(phase_id=phase.id, rules={year: changes}))


def update_phase_year(office: Office, phase_id: int, year: int, *,
                      launch_date: dt.date | None, registration_deadline: dt.date | None,
                      review_deadline: dt.date | None) -> None:
    save_setup(office, SetupChanges(phase_id=phase_id, years={year: YearDates(
        launch_date, registration_deadline, review_deadline)}))


def _phase_for_update(session: Session, phase_id: int | None) -> Phase:
    phase = session.get(Phase, phase_id) if phase_id is not None else None
    if phase is None:
        raise NotFoundError("Không tìm thấy giai đoạn.")
    return phase


def _apply_phase(session: Session, phase: Phase, changes: Mapping) -> None:
    for key, value in changes.items():
        if key not in PHASE_SETTINGS:
            raise ValueError(key)
        setattr(phase, key, phase_value(key, value))


def _apply_year(session: Session, phase: Phase, year: int, dates: YearDates) -> None:
    row = session.scalar(select(PhaseYear).where(PhaseYear.phase_id == phase.id,
                                                 PhaseYear.year == year))
    if row is None:
        raise NotFoundError(f"Giai đoạn không có năm {year}.")
    for value in (dates.launch_date, dates.registration_deadline, dates.review_deadline):
        if value is not None and abs(value.year - year) > 1:
            raise ValidationError(f"Ngày {value:%d/%m/%Y} không thuộc năm {year}.", "date")
    if (dates.registration_deadline and dates.launch_date
            and dates.registration_deadline < dates.launch_date):
        raise ValidationError(f"Năm {year}: hạn đăng ký phải sau ngày phát động.",
                              "registration_deadline")
    row.launch_date = dates.launch_date
    row.registration_deadline = dates.registration_deadline
    row.review_deadline = dates.review_deadline


# ----------------------------------------------------------------------- criteria catalogue
def check_catalogue(groups: Sequence[Mapping]) -> None:
    """The points must add up to 100; every group has items; thresholds within groups."""
    total = 0.0
    for group in groups:
        if not group.get("items"):
            raise ValidationError(f"Nhóm {group['position']} chưa có mục tiêu chí nào.",
                                  "items")
        checks.required(group.get("title"), "tên nhóm tiêu chí", "title", 300)
        group_total = 0.0
        for item in group["items"]:
            checks.required(item.get("text"), "nội dung mục tiêu chí", "text", 5000)
            points = checks.number(item.get("max_points"), "Điểm tối đa", "max_points")
            if points < 0:
                raise ValidationError("Điểm tối đa không được âm.", "max_points")
            group_total += points
        pass_points = checks.number(group.get("pass_points") or 0, "Ngưỡng nhóm",
                                    "pass_points")
        if pass_points > group_total + rules.EPSILON:
            raise ValidationError(
                f"Ngưỡng nhóm {group['position']} ({rules.fmt_points(pass_points)})"
                f" vượt tổng điểm của nhóm ({rules.fmt_points(group_total)}).", "pass_points")
        total += group_total
    if abs(total - 100) > 1e-6:
        raise ValidationError(
            f"Tổng điểm tối đa các mục là {rules.fmt_points(total)}, phải bằng 100.",
            "max_points")


def save_catalogue(office: Office, phase_id: int, scope: Scope,
                   groups: Sequence[Mapping]) -> None:
    """Replace the catalogue of ``scope`` with ``groups``; items keep their ids when given.

    ``groups``: [{"position", "title", "pass_points", "items": [{"id"?, "text",
    "max_points"}]}]. The points must add up to 100; an item that has scores cannot be
    removed."""
    save_setup(office, SetupChanges(phase_id=phase_id, catalogues={scope: list(groups)}))


def _apply_catalogue(session: Session, phase: Phase, scope: Scope,
                     groups: Sequence[Mapping]) -> None:
    check_catalogue(groups)
    existing = {
        group.position: group
        for group in session.scalars(
            select(CriteriaGroup).where(CriteriaGroup.phase_id == phase.id,
                                        CriteriaGroup.scope == scope.value)
            .options(selectinload(CriteriaGroup.items)))
    }
    kept_ids = {item["id"] for group in groups for item in group["items"] if item.get("id")}
    removed = [item for group in existing.values() for item in group.items
               if item.id not in kept_ids]
    if removed:
        scored = session.scalar(select(func.count()).select_from(Score)
                                .where(Score.item_id.in_([item.id for item in removed])))
        if scored:
            raise ValidationError("Không xóa được mục tiêu chí đã có điểm chấm; hãy sửa nội "
                                  "dung thay vì xóa.", "items")
    items_by_id = {item.id: item for group in existing.values() for item in group.items}
    for item in removed:
        item.group.items.remove(item)
    session.flush()
    # Move positions out of the way so reordering never trips the unique index.
    for group in existing.values():
        for item in group.items:
            item.position += 1000
    session.flush()
    for data in groups:
        group = existing.get(data["position"])
        if group is None:
            group = CriteriaGroup(phase_id=phase.id, scope=scope.value,
                                  position=data["position"], title="")
            session.add(group)
        group.title = clean(data["title"])
        group.pass_points = checks.number(data.get("pass_points") or 0, "Ngưỡng nhóm",
                                          "pass_points")
        for index, item_data in enumerate(data["items"], start=1):
            item = items_by_id.get(item_data.get("id"))
            if item is None:
                item = CriteriaItem(text="", max_points=0, position=index)
            if item.group is not group:
                if item.group is not None:
                    item.group.items.remove(item)
                group.items.append(item)
            item.position = index
            item.text = clean(item_data["text"])
            item.max_points = checks.number(item_data["max_points"], "Điểm tối đa",
                                            "max_points")


# -------------------------------------------------------------------------------- settings
SETTING_KEY_LENGTH = 100
SETTING_VALUE_LENGTH = 2000


def set_settings(office: Office, values: Mapping[str, str]) -> None:
    save_setup(office, SetupChanges(settings=dict(values)))


def _apply_settings(session: Session, organisation_id: int, values: Mapping[str, str]) -> None:
    existing = {row.key: row for row in session.scalars(
        select(Setting).where(Setting.key.in_(list(values))))}
    for key, value in values.items():
        if not key or len(key) > SETTING_KEY_LENGTH:
            raise ValidationError(f"Tên thiết lập '{key}' không hợp lệ.", "key")
        text = "" if value is None else str(value)
        if len(text) > SETTING_VALUE_LENGTH:
            raise ValidationError(f"Giá trị của '{key}' dài quá {SETTING_VALUE_LENGTH} ký tự.",
                                  key)
        row = existing.get(key)
        if row is None:
            session.add(Setting(organisation_id=organisation_id, key=key, value=text))
        elif row.value != text:
            row.value = text


# ------------------------------------------------------------------------------ all at once
def save_setup(office: Office, changes: SetupChanges) -> Organisation | None:
    """Save the organisation, phase, calendar, catalogues and settings changes in ONE
    transaction: any refusal leaves every one of them as it was."""
    if not changes:
        return None
    organisation_values = _organisation_values(changes.organisation)
    with office.write(SETTINGS, EVALUATIONS, REGISTRATIONS) as session:
        organisation = session.get(Organisation, office.require_org())
        for key, value in organisation_values.items():
            setattr(organisation, key, value)
        if changes.phase or changes.years or changes.catalogues or changes.rules:
            phase = _phase_for_update(session, changes.phase_id)
            _apply_phase(session, phase, changes.phase)
            for year, dates in changes.years.items():
                _apply_year(session, phase, year, dates)
            for scope, groups in changes.catalogues.items():
                _apply_catalogue(session, phase, scope, groups)
            for year, rule_changes in changes.rules.items():
                rulebook.apply_changes(session, organisation.id, phase, year, rule_changes)
        if changes.settings:
            _apply_settings(session, organisation.id, changes.settings)
        session.flush()
    return organisation
