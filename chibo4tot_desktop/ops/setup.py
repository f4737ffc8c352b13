"""Setting up: the organisation, its phases and yearly calendar, the criteria catalogues and
the free settings (certificate wording, signers...).

``save_setup`` saves what the settings dialog (or ``settings set`` on the command line)
changed in ONE transaction: a refused catalogue leaves the thresholds as they were too.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chibo4tot_desktop import catalogue, rules, timeline
from chibo4tot_desktop.db.changes import EVALUATIONS, REGISTRATIONS, SETTINGS
from chibo4tot_desktop.db.models import (
    CatalogueVersion,
    CriteriaGroup,
    CriteriaItem,
    Organisation,
    OrganisationIdentity,
    Phase,
    PhaseYear,
    Scope,
    Setting,
)
from chibo4tot_desktop.errors import NotFoundError, ValidationError
from chibo4tot_desktop.ops import checks, queries
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.ops.history import keeping_decided_years
from chibo4tot_desktop.text import clean, format_date

DEFAULT_REGISTRATION_DAY = (3, 10)   # 10/3: registration deadline (seed, section 2.1)
DEFAULT_REVIEW_DAY = (12, 10)        # 10/12: yearly review deadline (seed, section 2.3)
DEFAULT_LAUNCH_DAY = (3, 6)          # 06/3: the launch day of 2023 (seed)

ORGANISATION_FIELDS = timeline.IDENTITY_FIELDS
PHASE_SETTINGS = (
    "title", "plan_reference", "overall_pass", "band_excellent", "band_good", "band_pass",
    "min_classification", "max_disciplined", "org_cell_share", "excellent_share_cap",
)


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
    # The identity: ``identities`` replaces the versions as a whole (the settings dialog's
    # table: [{"id"?, "valid_from", field: value...}]); ``organisation`` changes fields of the
    # version starting ``identity_from`` (made from the one in force that day if there is
    # none; None: the latest version).
    identities: list[Mapping] | None = None
    identity_from: dt.date | None = None
    # The first year the changed catalogues apply to (None: the latest version's first year).
    catalogue_year: int | None = None

    def __bool__(self) -> bool:
        return bool(self.organisation or self.phase or self.years or self.catalogues
                    or self.settings or self.identities is not None)


# ---------------------------------------------------------------------------- organisation
def create_organisation(office: Office, code: str, name: str, upper_body: str = "",
                        place_name: str = "") -> Organisation:
    """A new organisation with its first identity version (in force from the beginning)."""
    values = identity_values({"name": name, "upper_body": upper_body,
                              "place_name": place_name})
    row = Organisation(code=checks.required(code, "mã đảng bộ", "code", 40), **values)
    with office.db.transaction(SETTINGS) as session:
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            raise ValidationError(f"Mã đảng bộ '{row.code}' đã có.", "code") from None
        session.add(OrganisationIdentity(organisation_id=row.id, valid_from=timeline.BEGINNING,
                                         **values))
    office.organisation_id = row.id
    return row


def identity_values(changes: Mapping) -> dict:
    """Identity fields, checked (the name is required)."""
    values = {}
    for key, value in changes.items():
        if key not in timeline.IDENTITY_FIELDS:
            raise ValueError(key)
        label = timeline.IDENTITY_LABELS[key]
        if key == "name":
            values[key] = checks.required(value, label, key, timeline.IDENTITY_LENGTHS[key])
        else:
            values[key] = checks.optional(value, label, key, timeline.IDENTITY_LENGTHS[key])
    return values


def update_organisation(office: Office, valid_from: dt.date | None = None,
                        **changes) -> Organisation:
    """Change identity fields of the version starting ``valid_from`` (a new version from that
    day if there is none; None: the latest version, a correction)."""
    return save_setup(office, SetupChanges(organisation=changes, identity_from=valid_from)) \
        or queries.organisation(office)


def _apply_identities(session: Session, organisation: Organisation,
                      versions: Sequence[Mapping]) -> None:
    """The identity versions become exactly ``versions`` (ids kept where given)."""
    if not versions:
        raise ValidationError("Phải có ít nhất một phiên bản tên gọi của đảng bộ.", "identity")
    existing = {row.id: row for row in queries.identities_in(session) if row.id is not None}
    seen_dates = set()
    checked = []
    for data in versions:
        day = checks.date(data.get("valid_from"), "ngày áp dụng", "valid_from")
        if day in seen_dates:
            raise ValidationError(f"Hai phiên bản cùng áp dụng từ ngày {format_date(day)}.",
                                  "valid_from")
        seen_dates.add(day)
        values = identity_values({key: data.get(key, "") for key in timeline.IDENTITY_FIELDS})
        checked.append((data.get("id"), day, values))
    kept = {row_id for row_id, _, _ in checked if row_id in existing}
    for row_id, row in existing.items():
        if row_id not in kept:
            session.delete(row)
    session.flush()
    # Move the kept dates out of the way so reordering never trips the unique index.
    for row_id in kept:
        existing[row_id].valid_from = dt.date(1800, 1, 1) + dt.timedelta(days=row_id)
    session.flush()
    for row_id, day, values in checked:
        row = existing.get(row_id)
        if row is None:
            row = OrganisationIdentity(organisation_id=organisation.id, valid_from=day,
                                       **values)
            session.add(row)
        else:
            row.valid_from = day
            for key, value in values.items():
                setattr(row, key, value)


def _apply_identity_fields(session: Session, organisation: Organisation,
                           valid_from: dt.date | None, changes: Mapping) -> None:
    values = identity_values(changes)
    rows = queries.identities_in(session)
    if rows[-1].id is None:          # an organisation without versions yet: its row's
        session.add(rows[-1])        # name, upper body and place become the first one
    if valid_from is None:
        row = rows[-1]
    else:
        row = next((item for item in rows if item.valid_from == valid_from), None)
        if row is None:
            base = timeline.identity_on(rows, valid_from, factory=lambda version: version)
            row = OrganisationIdentity(organisation_id=organisation.id, valid_from=valid_from,
                                       **{key: getattr(base, key)
                                          for key in timeline.IDENTITY_FIELDS})
            session.add(row)
    for key, value in values.items():
        setattr(row, key, value)


def _mirror_identity(session: Session, organisation: Organisation) -> None:
    """The organisation's own name, upper body and place: those of its latest version."""
    session.flush()
    latest = queries.identities_in(session)[-1]
    for key in ("name", "upper_body", "place_name"):
        if getattr(organisation, key) != getattr(latest, key):
            setattr(organisation, key, getattr(latest, key))


# ---------------------------------------------------------------------------------- phases
def create_phase(office: Office, title: str, first_year: int, last_year: int,
                 plan_reference: str = "", launch_date: dt.date | None = None) -> Phase:
    """A new phase with its years (default dates) and the default catalogues."""
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
        session.add(phase)
        try:
            session.flush()
        except IntegrityError:
            raise ValidationError(f"Đã có giai đoạn bắt đầu năm {first_year}.",
                                  "first_year") from None
        for scope, groups in ((Scope.CELL, catalogue.CELL_GROUPS),
                              (Scope.ORGANISATION, catalogue.ORGANISATION_GROUPS)):
            version = CatalogueVersion(scope=scope.value, first_year=first_year)
            phase.versions.append(version)
            for position, group_title, pass_points, items in catalogue.default_catalogue(groups):
                group = CriteriaGroup(phase_id=phase.id, scope=scope.value, position=position,
                                      title=group_title, pass_points=pass_points)
                for index, (item_text, points) in enumerate(items, start=1):
                    group.items.append(CriteriaItem(position=index, text=item_text,
                                                    max_points=points))
                version.groups.append(group)
        session.flush()
    return queries.phase(office, phase.id)


def phase_value(key: str, value):
    """One phase setting, checked."""
    if key == "title":
        return checks.required(value, "tên giai đoạn", key, 300)
    if key == "plan_reference":
        return checks.optional(value, "căn cứ kế hoạch", key)
    if key == "min_classification":
        try:
            return rules.Classification(value).value
        except ValueError:
            raise ValidationError(f"Xếp loại '{value}' không hợp lệ.", key) from None
    if key == "max_disciplined":
        return checks.count(value, "Số đảng viên bị kỷ luật cho phép", key)
    if key in ("org_cell_share", "excellent_share_cap"):
        return checks.share(value, "Tỷ lệ", key)
    number = checks.number(value, "Ngưỡng điểm", key)
    if not 0 <= number <= 1000:
        raise ValidationError(f"Ngưỡng điểm {value} không hợp lệ.", key)
    return number


def update_phase(office: Office, phase_id: int, confirm: str | None = None,
                 **changes) -> Phase:
    """Change the phase's title, reference or thresholds (verdicts follow at once; a
    decided year that would move needs ``confirm``)."""
    save_setup(office, SetupChanges(phase_id=phase_id, phase=changes), confirm=confirm)
    return queries.phase(office, phase_id)


def update_phase_year(office: Office, phase_id: int, year: int, *,
                      launch_date: dt.date | None, registration_deadline: dt.date | None,
                      review_deadline: dt.date | None, confirm: str | None = None) -> None:
    save_setup(office, SetupChanges(phase_id=phase_id, years={year: YearDates(
        launch_date, registration_deadline, review_deadline)}), confirm=confirm)


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
    check_bands(phase.band_excellent, phase.band_good, phase.band_pass)


def check_bands(excellent: float, good: float, passing: float) -> None:
    if not (excellent >= good >= passing >= 0):
        raise ValidationError("Các mức xếp loại phải giảm dần: xuất sắc ≥ tốt ≥ "
                              "hoàn thành ≥ 0.", "band_good")


def check_year_dates(year: int, dates: YearDates) -> None:
    """A year's calendar: its dates near the year, the registration deadline after the launch."""
    for value in (dates.launch_date, dates.registration_deadline, dates.review_deadline):
        if value is not None and abs(value.year - year) > 1:
            raise ValidationError(f"Ngày {value:%d/%m/%Y} không thuộc năm {year}.", "date")
    if (dates.registration_deadline and dates.launch_date
            and dates.registration_deadline < dates.launch_date):
        raise ValidationError(f"Năm {year}: hạn đăng ký phải sau ngày phát động.",
                              "registration_deadline")


def _apply_year(session: Session, phase: Phase, year: int, dates: YearDates) -> None:
    row = session.scalar(select(PhaseYear).where(PhaseYear.phase_id == phase.id,
                                                 PhaseYear.year == year))
    if row is None:
        raise NotFoundError(f"Giai đoạn không có năm {year}.")
    check_year_dates(year, dates)
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


def save_catalogue(office: Office, phase_id: int, scope: Scope, groups: Sequence[Mapping],
                   from_year: int | None = None, confirm: str | None = None) -> None:
    """The catalogue of ``scope`` from ``from_year`` on becomes ``groups``.

    ``groups``: [{"position", "title", "pass_points", "items": [{"id"?, "text",
    "max_points"}]}]; the points must add up to 100. A version that has scores is never
    edited: the change becomes a new version from ``from_year`` (refused if ``from_year`` or
    a later year of that version is scored). ``from_year`` None: the latest version, edited
    in place when nothing is scored with it."""
    save_setup(office, SetupChanges(phase_id=phase_id, catalogues={scope: list(groups)},
                                    catalogue_year=from_year), confirm=confirm)


def _content(groups) -> list:
    """A catalogue's content, ids aside, to tell whether an edit changes anything."""
    result = []
    for group in groups:
        items = group["items"] if isinstance(group, Mapping) else group.items
        get = (lambda obj, key: obj[key]) if isinstance(group, Mapping) else getattr
        result.append((int(get(group, "position")), clean(get(group, "title")),
                       float(get(group, "pass_points") or 0),
                       [(clean(get(item, "text")), float(get(item, "max_points")))
                        for item in items]))
    return result


SCOPE_LABELS = {Scope.CELL: "chi bộ", Scope.ORGANISATION: "đảng bộ"}


def _apply_catalogue(session: Session, phase: Phase, scope: Scope, groups: Sequence[Mapping],
                     from_year: int | None) -> None:
    check_catalogue(groups)
    versions = [version for version in phase.versions if version.scope == scope.value]
    if from_year is None:
        version = max(versions, key=lambda item: item.first_year)
        from_year = version.first_year
    else:
        if not phase.first_year <= from_year <= phase.last_year:
            raise ValidationError(f"Năm {from_year} không thuộc giai đoạn {phase.first_year} - "
                                  f"{phase.last_year}.", "from_year")
        version = phase.catalogue_version(from_year, scope)
    if _content(version.groups) == _content(groups):
        return
    scored = queries.catalogue_scored_years(session, version)
    taken = [year for year in scored if year >= from_year]
    if taken:
        free = [year for year in range(max(taken) + 1, phase.last_year + 1)]
        label = SCOPE_LABELS[scope]
        advice = (f"Hãy chọn năm áp dụng bộ tiêu chí mới từ {free[0]} trở đi" if free else
                  "Mọi năm còn lại của giai đoạn đã chấm điểm nên bộ tiêu chí của giai đoạn "
                  "không sửa được nữa")
        raise ValidationError(
            f"Bộ tiêu chí {label} đang dùng đã được dùng để chấm điểm năm "
            f"{', '.join(map(str, scored))}: năm đã chấm giữ nguyên bộ tiêu chí của mình, "
            f"không sửa điểm đã chấm. {advice}.", "from_year")
    if from_year == version.first_year:
        _edit_version(session, version, groups)
        return
    created = CatalogueVersion(phase_id=phase.id, scope=scope.value, first_year=from_year)
    session.add(created)
    for data in groups:
        group = CriteriaGroup(phase_id=phase.id, scope=scope.value, position=data["position"],
                              title=clean(data["title"]),
                              pass_points=checks.number(data.get("pass_points") or 0,
                                                        "Ngưỡng nhóm", "pass_points"))
        for index, item_data in enumerate(data["items"], start=1):
            group.items.append(CriteriaItem(
                position=index, text=clean(item_data["text"]),
                max_points=checks.number(item_data["max_points"], "Điểm tối đa",
                                         "max_points")))
        created.groups.append(group)
    phase.versions.append(created)


def _edit_version(session: Session, version: CatalogueVersion,
                  groups: Sequence[Mapping]) -> None:
    """Edit a version nothing is scored with, in place (items keep their ids when given)."""
    existing = {group.position: group for group in version.groups}
    kept_ids = {item["id"] for group in groups for item in group["items"] if item.get("id")}
    removed = [item for group in existing.values() for item in group.items
               if item.id not in kept_ids]
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
            group = CriteriaGroup(phase_id=version.phase_id, scope=version.scope,
                                  position=data["position"], title="")
            version.groups.append(group)
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
    wanted = {data["position"] for data in groups}
    for position, group in existing.items():
        if position not in wanted and not group.items:
            version.groups.remove(group)


# -------------------------------------------------------------------------------- settings
SETTING_KEY_LENGTH = 100
SETTING_VALUE_LENGTH = 2000


def set_settings(office: Office, values: Mapping[str, str], confirm: str | None = None) -> None:
    save_setup(office, SetupChanges(settings=dict(values)), confirm=confirm)


def setting_value(key: str, value) -> str:
    """A free setting, checked: the year rule and the merge streak take only their values."""
    text = "" if value is None else str(value)
    if key == timeline.YEAR_RULE_KEY:
        try:
            return timeline.YearRule(text.strip()).value
        except ValueError:
            raise ValidationError(
                f"Quy tắc năm của chi bộ '{text}' không hợp lệ (chọn: "
                + ", ".join(rule.value for rule in timeline.YearRule) + ").", key) from None
    if key == timeline.STREAK_THROUGH_MERGE_KEY:
        folded = text.strip().casefold()
        if folded in ("1", "có", "co", "true", "yes", "on"):
            return "1"
        if folded in ("0", "không", "khong", "false", "no", "off"):
            return "0"
        raise ValidationError(f"Giá trị '{text}' không hợp lệ (chọn 1 = có, 0 = không).", key)
    if key in MOVED_TO_IDENTITY:
        raise ValidationError(f"'{key}' thuộc tên gọi theo thời gian của đảng bộ; hãy sửa ở "
                              "phần tên gọi (có ngày áp dụng).", key)
    return text


# Settings that became identity fields (each has a valid-from date now).
MOVED_TO_IDENTITY = {
    "proposal.upper_body": "upper_party_body", "certificate.issuer": "issuer",
    "award.issuer": "decision_issuer", "certificate.place": "certificate_place",
    "certificate.signer_title": "certificate_signer_title",
    "certificate.signer_name": "certificate_signer_name",
    "proposal.signer_title": "proposal_signer_title",
    "proposal.signer_name": "proposal_signer_name",
}


def _apply_settings(session: Session, organisation_id: int, values: Mapping[str, str]) -> None:
    existing = {row.key: row for row in session.scalars(
        select(Setting).where(Setting.key.in_(list(values))))}
    for key, value in values.items():
        if not key or len(key) > SETTING_KEY_LENGTH:
            raise ValidationError(f"Tên thiết lập '{key}' không hợp lệ.", "key")
        text = setting_value(key, value)
        if len(text) > SETTING_VALUE_LENGTH:
            raise ValidationError(f"Giá trị của '{key}' dài quá {SETTING_VALUE_LENGTH} ký tự.",
                                  key)
        row = existing.get(key)
        if row is None:
            session.add(Setting(organisation_id=organisation_id, key=key, value=text))
        elif row.value != text:
            row.value = text


# ------------------------------------------------------------------------------ all at once
VERDICT_SETTINGS = (timeline.YEAR_RULE_KEY, timeline.STREAK_THROUGH_MERGE_KEY)


def _verdict_years(session: Session, changes: SetupChanges) -> set[int] | None:
    """The years whose verdicts the changes can move (None: any): the phase's for its
    thresholds, dates and catalogues; every year for the year rule or the merge streak; none
    for names, signers and the papers' wording."""
    if any(key in changes.settings for key in VERDICT_SETTINGS):
        return None
    if changes.phase or changes.years or changes.catalogues:
        phase = _phase_for_update(session, changes.phase_id)
        # a review day that moves may move which cells make up the year, and the streaks
        # of the years after it
        return set(range(phase.first_year, phase.last_year + 1)) | (
            {year for year in queries.review_days_in(session) if year > phase.last_year}
            if changes.years else set())
    return set()
def save_setup(office: Office, changes: SetupChanges,
               confirm: str | None = None) -> Organisation | None:
    """Save the identity, phase, calendar, catalogues and settings changes in ONE
    transaction: any refusal leaves every one of them as it was. A change that moves a
    decided year (thresholds, dates, the year rule...) needs ``confirm``, a written reason."""
    if not changes:
        return None
    organisation_values = identity_values(changes.organisation)
    with office.write(SETTINGS, EVALUATIONS, REGISTRATIONS) as session:
        organisation = session.get(Organisation, office.require_org())
        with keeping_decided_years(office, session, confirm, _verdict_years(session, changes)):
            if changes.identities is not None:
                _apply_identities(session, organisation, changes.identities)
            if organisation_values:
                _apply_identity_fields(session, organisation, changes.identity_from,
                                       organisation_values)
            if changes.identities is not None or organisation_values:
                _mirror_identity(session, organisation)
            if changes.phase or changes.years or changes.catalogues:
                phase = _phase_for_update(session, changes.phase_id)
                _apply_phase(session, phase, changes.phase)
                for year, dates in changes.years.items():
                    _apply_year(session, phase, year, dates)
                for scope, groups in changes.catalogues.items():
                    _apply_catalogue(session, phase, Scope(scope), groups,
                                     changes.catalogue_year)
            if changes.settings:
                _apply_settings(session, organisation.id, changes.settings)
            session.flush()
    return organisation


# ------------------------------------------------------------------ second backup folder
SECOND_FOLDER_LENGTH = 500


def same_disk(first: Path, second: Path) -> bool:
    """Both on one disk (one volume): a copy there is lost with the disk."""
    return os.stat(first).st_dev == os.stat(second).st_dev


def set_second_backup_folder(office: Office, folder: str | os.PathLike | None) -> str:
    """Choose (or, with an empty value, forget) the second backup folder - a folder on a USB
    stick or another disk - used on request and on close when present. It must exist when
    chosen and be on another disk than the data file. Returns the value stored."""
    from chibo4tot_desktop.safety.backup import SECOND_FOLDER_KEY

    value = str(folder or "").strip()
    if value:
        path = Path(value)
        if len(value) > SECOND_FOLDER_LENGTH or not path.is_absolute():
            raise ValidationError("Thư mục sao lưu thứ hai phải là đường dẫn đầy đủ (ví dụ "
                                  "E:\\SaoLuu).", "folder")
        if not path.is_dir():
            raise ValidationError(f"Không có thư mục '{value}'; hãy cắm ổ USB rồi chọn lại.",
                                  "folder")
        data = office.db.path
        if data is not None and same_disk(path, data.resolve().parent):
            raise ValidationError("Thư mục sao lưu thứ hai phải ở ổ đĩa khác với tệp dữ liệu "
                                  "(ví dụ ổ USB), để còn bản sao khi ổ đĩa này hỏng.",
                                  "folder")
        value = str(path.resolve())
    save_setup(office, SetupChanges(settings={SECOND_FOLDER_KEY: value}))
    return value
