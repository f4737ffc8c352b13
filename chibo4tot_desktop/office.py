"""The office's operations on its data: the one API that the window and the command line use.

Each method that writes runs in one transaction (``Database.transaction``), validates its
input first and raises ``ValidationError`` with a Vietnamese message, and tells listeners what
changed. Reads return ORM rows detached from their session (with what they need loaded) or
plain dataclasses; nothing here knows about Qt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from chibo4tot_desktop import catalogue, rules
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import (
    Award,
    AwardKind,
    Cell,
    CellKind,
    CriteriaGroup,
    CriteriaItem,
    Evaluation,
    Organisation,
    Phase,
    PhaseYear,
    Registration,
    RegistrationSource,
    Scope,
    Score,
    Setting,
)
from chibo4tot_desktop.errors import ConflictError, NotFoundError, UserError, ValidationError
from chibo4tot_desktop.text import clean, sort_key

# Topics passed to listeners after a commit.
CELLS, REGISTRATIONS, EVALUATIONS, AWARDS, SETTINGS = (
    "cells", "registrations", "evaluations", "awards", "settings")

DEFAULT_REGISTRATION_DAY = (3, 10)   # 10/3: registration deadline (seed, section 2.1)
DEFAULT_REVIEW_DAY = (12, 10)        # 10/12: yearly review deadline (seed, section 2.3)
DEFAULT_LAUNCH_DAY = (3, 6)          # 06/3: the launch day of 2023 (seed)


@dataclass(frozen=True)
class ScoreInput:
    """What the scoring screen or an import hands over for one criteria item."""

    self_points: float | None = None
    committee_points: float | None = None


@dataclass(frozen=True)
class EvaluationResult:
    """An evaluation read back with its totals and verdict (computed, never stored)."""

    evaluation: Evaluation | None
    self_totals: rules.ScoreTotals
    committee_totals: rules.ScoreTotals
    verdict: rules.Verdict
    computed_classification: rules.Classification | None

    @property
    def classification(self) -> rules.Classification | None:
        return self.verdict.classification


def thresholds_of(phase: Phase) -> rules.Thresholds:
    return rules.Thresholds(
        overall_pass=phase.overall_pass,
        band_excellent=phase.band_excellent,
        band_good=phase.band_good,
        band_pass=phase.band_pass,
        min_classification=rules.Classification(phase.min_classification),
        max_disciplined=phase.max_disciplined,
        org_cell_share=phase.org_cell_share,
        excellent_share_cap=phase.excellent_share_cap,
    )


def group_specs(phase: Phase, scope: Scope = Scope.CELL) -> tuple[rules.GroupSpec, ...]:
    return tuple(
        rules.GroupSpec(
            position=group.position,
            title=group.title,
            pass_points=group.pass_points,
            items=tuple(rules.ItemSpec(item.id, item.max_points) for item in group.items),
        )
        for group in phase.groups
        if group.scope == scope.value
    )


def evaluate(phase: Phase, evaluation: Evaluation | None, scope: Scope = Scope.CELL,
             cells_passed: int = 0, cells_total: int = 0,
             groups: tuple[rules.GroupSpec, ...] | None = None) -> EvaluationResult:
    """Totals, classification and verdict of ``evaluation`` under ``phase``'s settings.

    ``groups``: ``group_specs(phase, scope)`` computed once by a caller evaluating many."""
    if groups is None:
        groups = group_specs(phase, scope)
    thresholds = thresholds_of(phase)
    scores = evaluation.scores if evaluation is not None else []
    self_totals = rules.score_totals(groups, {s.item_id: s.self_points for s in scores})
    committee_totals = rules.score_totals(groups, {s.item_id: s.committee_points for s in scores})
    disciplined = evaluation.disciplined_members if evaluation is not None else 0
    decided = (rules.Classification(evaluation.classification)
               if evaluation is not None and evaluation.classification else None)
    computed = (rules.classify(committee_totals.total, disciplined, thresholds)
                if committee_totals.complete else None)
    if scope is Scope.ORGANISATION:
        verdict = rules.organisation_verdict(committee_totals, disciplined, thresholds,
                                             cells_passed, cells_total, decided)
    else:
        verdict = rules.cell_verdict(committee_totals, disciplined, thresholds, decided)
    return EvaluationResult(evaluation, self_totals, committee_totals, verdict, computed)


def _points(value, item: CriteriaItem, who: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"Điểm {who} '{value}' không phải là số.", "points") from None
    if number != number or number < 0:
        raise ValidationError(f"Điểm {who} không được âm.", "points")
    if number > item.max_points + rules.EPSILON:
        raise ValidationError(
            f"Điểm {who} {rules.fmt_points(number)} vượt điểm tối đa "
            f"{rules.fmt_points(item.max_points)} của mục {item.group.position}.{item.position}.",
            "points")
    return round(number, 2)


def _required(value, label: str, field: str, max_length: int = 200) -> str:
    text = clean(value)
    if not text:
        raise ValidationError(f"Chưa nhập {label}.", field)
    if len(text) > max_length:
        raise ValidationError(f"{label[0].upper() + label[1:]} dài quá {max_length} ký tự.", field)
    return text


def _count(value, label: str, field: str) -> int:
    if value is None or value == "":
        return 0
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label} '{value}' không phải là số nguyên.", field) from None
    if isinstance(value, float) and value != int(value):
        raise ValidationError(f"{label} '{value}' không phải là số nguyên.", field)
    if number < 0:
        raise ValidationError(f"{label} không được âm.", field)
    if number > 100000:
        raise ValidationError(f"{label} quá lớn ({number}).", field)
    return number


class Office:
    """The operations of one organisation's office on an open database."""

    def __init__(self, db: Database, organisation_id: int | None = None):
        self.db = db
        if organisation_id is None:
            with db.session() as session:
                organisation_id = session.scalar(
                    select(Organisation.id).order_by(Organisation.id).limit(1))
        self.organisation_id = organisation_id

    # ----------------------------------------------------------------- organisation, phases
    def has_organisation(self) -> bool:
        return self.organisation_id is not None

    def _require_org(self) -> int:
        if self.organisation_id is None:
            raise UserError("Tệp dữ liệu chưa có đảng bộ nào; hãy khai báo đảng bộ trước.")
        return self.organisation_id

    def create_organisation(self, code: str, name: str, upper_body: str = "",
                            place_name: str = "") -> Organisation:
        with self.db.transaction(SETTINGS) as session:
            organisation = Organisation(
                code=_required(code, "mã đảng bộ", "code", 40),
                name=_required(name, "tên đảng bộ", "name"),
                upper_body=clean(upper_body), place_name=clean(place_name))
            session.add(organisation)
            try:
                session.flush()
            except IntegrityError:
                raise ValidationError(f"Mã đảng bộ '{code}' đã có.", "code") from None
        self.organisation_id = organisation.id
        return organisation

    def organisation(self) -> Organisation:
        with self.db.session() as session:
            organisation = session.get(Organisation, self._require_org())
            if organisation is None:
                raise NotFoundError("Không tìm thấy đảng bộ.")
            return organisation

    def update_organisation(self, **changes) -> Organisation:
        allowed = {"name", "upper_body", "place_name"}
        with self.db.transaction(SETTINGS) as session:
            organisation = session.get(Organisation, self._require_org())
            for key, value in changes.items():
                if key not in allowed:
                    raise ValueError(key)
                value = _required(value, "tên đảng bộ", key) if key == "name" else clean(value)
                setattr(organisation, key, value)
        return organisation

    def create_phase(self, title: str, first_year: int, last_year: int,
                     plan_reference: str = "", launch_date: dt.date | None = None) -> Phase:
        """A new phase with its years (default dates) and the default catalogues."""
        if last_year < first_year or last_year - first_year > 10:
            raise ValidationError("Năm cuối giai đoạn phải sau năm đầu (tối đa 10 năm).",
                                  "last_year")
        with self.db.transaction(SETTINGS) as session:
            phase = Phase(organisation_id=self._require_org(),
                          title=_required(title, "tên giai đoạn", "title", 300),
                          plan_reference=clean(plan_reference),
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
                for position, group_title, pass_points, items in \
                        catalogue.default_catalogue(groups):
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
        return self.phase(phase.id)

    def _phase_query(self):
        return (select(Phase)
                .where(Phase.organisation_id == self._require_org())
                .options(selectinload(Phase.years),
                         selectinload(Phase.groups).selectinload(CriteriaGroup.items))
                .order_by(Phase.first_year))

    def phases(self) -> list[Phase]:
        if self.organisation_id is None:
            return []
        with self.db.session() as session:
            return list(session.scalars(self._phase_query()))

    def phase(self, phase_id: int) -> Phase:
        with self.db.session() as session:
            phase = session.scalar(self._phase_query().where(Phase.id == phase_id))
        if phase is None:
            raise NotFoundError("Không tìm thấy giai đoạn.")
        return phase

    def phase_for_year(self, year: int) -> Phase:
        with self.db.session() as session:
            return self._phase_in(session, year)

    def _phase_in(self, session: Session, year: int) -> Phase:
        phase = session.scalar(self._phase_query()
                               .where(Phase.first_year <= year, Phase.last_year >= year))
        if phase is None:
            raise UserError(f"Năm {year} không thuộc giai đoạn thi đua nào.")
        return phase

    def years(self) -> list[int]:
        return [year.year for phase in self.phases() for year in phase.years]

    def phase_year(self, year: int) -> PhaseYear:
        phase = self.phase_for_year(year)
        for item in phase.years:
            if item.year == year:
                return item
        raise UserError(f"Năm {year} chưa có lịch thi đua.")

    PHASE_SETTINGS = {
        "title", "plan_reference", "overall_pass", "band_excellent", "band_good", "band_pass",
        "min_classification", "max_disciplined", "org_cell_share", "excellent_share_cap",
    }

    def update_phase(self, phase_id: int, **changes) -> Phase:
        """Change the phase's title, reference or thresholds (verdicts follow at once)."""
        with self.db.transaction(SETTINGS, EVALUATIONS) as session:
            phase = session.get(Phase, phase_id)
            if phase is None:
                raise NotFoundError("Không tìm thấy giai đoạn.")
            for key, value in changes.items():
                if key not in self.PHASE_SETTINGS:
                    raise ValueError(key)
                setattr(phase, key, self._phase_value(key, value))
            if not (phase.band_excellent >= phase.band_good >= phase.band_pass >= 0):
                raise ValidationError("Các mức xếp loại phải giảm dần: xuất sắc ≥ tốt ≥ "
                                      "hoàn thành ≥ 0.", "band_good")
        return self.phase(phase_id)

    @staticmethod
    def _phase_value(key: str, value):
        if key in ("title", "plan_reference"):
            return _required(value, "tên giai đoạn", key, 300) if key == "title" else clean(value)
        if key == "min_classification":
            try:
                return rules.Classification(value).value
            except ValueError:
                raise ValidationError(f"Xếp loại '{value}' không hợp lệ.", key) from None
        if key == "max_disciplined":
            return _count(value, "Số đảng viên bị kỷ luật cho phép", key)
        try:
            number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"Giá trị '{value}' không phải là số.", key) from None
        if key in ("org_cell_share", "excellent_share_cap"):
            if not 0 <= number <= 1:
                raise ValidationError("Tỷ lệ phải từ 0 đến 100%.", key)
        elif not 0 <= number <= 1000:
            raise ValidationError(f"Ngưỡng điểm {value} không hợp lệ.", key)
        return number

    def update_phase_year(self, phase_id: int, year: int, *, launch_date: dt.date | None,
                          registration_deadline: dt.date | None,
                          review_deadline: dt.date | None) -> None:
        with self.db.transaction(SETTINGS, REGISTRATIONS) as session:
            row = session.scalar(select(PhaseYear).where(PhaseYear.phase_id == phase_id,
                                                         PhaseYear.year == year))
            if row is None:
                raise NotFoundError(f"Giai đoạn không có năm {year}.")
            for value in (launch_date, registration_deadline, review_deadline):
                if value is not None and abs(value.year - year) > 1:
                    raise ValidationError(f"Ngày {value:%d/%m/%Y} không thuộc năm {year}.",
                                          "date")
            if (registration_deadline and launch_date and registration_deadline < launch_date):
                raise ValidationError("Hạn đăng ký phải sau ngày phát động.",
                                      "registration_deadline")
            row.launch_date = launch_date
            row.registration_deadline = registration_deadline
            row.review_deadline = review_deadline

    # ------------------------------------------------------------------ criteria catalogue
    def save_catalogue(self, phase_id: int, scope: Scope,
                       groups: Sequence[Mapping]) -> None:
        """Replace the catalogue of ``scope`` with ``groups``; items keep their ids when given.

        ``groups``: [{"position", "title", "pass_points", "items": [{"id"?, "text",
        "max_points"}]}]. The points must add up to 100; an item that has scores cannot be
        removed.
        """
        total = 0.0
        for group in groups:
            if not group.get("items"):
                raise ValidationError(f"Nhóm {group['position']} chưa có mục tiêu chí nào.",
                                      "items")
            group_total = 0.0
            for item in group["items"]:
                _required(item.get("text"), "nội dung mục tiêu chí", "text", 5000)
                points = float(item["max_points"])
                if points < 0:
                    raise ValidationError("Điểm tối đa không được âm.", "max_points")
                group_total += points
            if float(group.get("pass_points") or 0) > group_total + rules.EPSILON:
                raise ValidationError(
                    f"Ngưỡng nhóm {group['position']} ({rules.fmt_points(group['pass_points'])})"
                    f" vượt tổng điểm của nhóm ({rules.fmt_points(group_total)}).", "pass_points")
            total += group_total
        if abs(total - 100) > 1e-6:
            raise ValidationError(
                f"Tổng điểm tối đa các mục là {rules.fmt_points(total)}, phải bằng 100.",
                "max_points")
        with self.db.transaction(SETTINGS, EVALUATIONS) as session:
            existing = {
                group.position: group
                for group in session.scalars(
                    select(CriteriaGroup).where(CriteriaGroup.phase_id == phase_id,
                                                CriteriaGroup.scope == scope.value)
                    .options(selectinload(CriteriaGroup.items)))
            }
            kept_ids = {item["id"] for group in groups for item in group["items"]
                        if item.get("id")}
            removed = [item for group in existing.values() for item in group.items
                       if item.id not in kept_ids]
            if removed:
                scored = session.scalar(
                    select(func.count()).select_from(Score)
                    .where(Score.item_id.in_([item.id for item in removed])))
                if scored:
                    raise ValidationError(
                        "Không xóa được mục tiêu chí đã có điểm chấm; hãy sửa nội dung thay vì "
                        "xóa.", "items")
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
                    group = CriteriaGroup(phase_id=phase_id, scope=scope.value,
                                          position=data["position"], title="")
                    session.add(group)
                group.title = _required(data["title"], "tên nhóm tiêu chí", "title", 300)
                group.pass_points = float(data.get("pass_points") or 0)
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
                    item.max_points = float(item_data["max_points"])

    # ------------------------------------------------------------------------------ cells
    def cells(self, include_dissolved: bool = True) -> list[Cell]:
        """The organisation's cells in Vietnamese order of their names."""
        if self.organisation_id is None:
            return []
        query = select(Cell).where(Cell.organisation_id == self.organisation_id)
        if not include_dissolved:
            query = query.where(Cell.dissolved_on.is_(None))
        with self.db.session() as session:
            cells = list(session.scalars(query))
        return sorted(cells, key=lambda cell: sort_key(cell.name))

    def cell(self, cell_id: int) -> Cell:
        with self.db.session() as session:
            cell = session.get(Cell, cell_id)
        if cell is None or cell.organisation_id != self.organisation_id:
            raise NotFoundError("Không tìm thấy chi bộ.")
        return cell

    def cell_by_code(self, code: str) -> Cell:
        with self.db.session() as session:
            cell = session.scalar(select(Cell).where(Cell.organisation_id == self._require_org(),
                                                     Cell.code == clean(code)))
        if cell is None:
            raise NotFoundError(f"Không có chi bộ mã '{clean(code)}'.")
        return cell

    CELL_FIELDS = ("code", "name", "kind", "secretary", "members_count", "is_pilot")

    def _cell_values(self, values: Mapping) -> dict:
        result = {}
        for key, value in values.items():
            if key == "code":
                result[key] = _required(value, "mã chi bộ", "code", 40)
            elif key == "name":
                result[key] = _required(value, "tên chi bộ", "name")
            elif key == "kind":
                try:
                    result[key] = CellKind(value).value
                except ValueError:
                    raise ValidationError(f"Loại chi bộ '{value}' không hợp lệ.", "kind") from None
            elif key == "secretary":
                result[key] = clean(value)
                if len(result[key]) > 120:
                    raise ValidationError("Tên bí thư dài quá 120 ký tự.", "secretary")
            elif key == "members_count":
                result[key] = _count(value, "Số đảng viên", key)
            elif key == "is_pilot":
                result[key] = bool(value)
            else:
                raise ValueError(key)
        return result

    def add_cell(self, code: str, name: str, kind: str = CellKind.RESIDENTIAL.value,
                 secretary: str = "", members_count: int = 0, is_pilot: bool = False) -> Cell:
        values = self._cell_values({"code": code, "name": name, "kind": kind,
                                    "secretary": secretary, "members_count": members_count,
                                    "is_pilot": is_pilot})
        with self.db.transaction(CELLS) as session:
            self._check_cell_unique(session, values["code"], values["name"], None)
            cell = Cell(organisation_id=self._require_org(), **values)
            session.add(cell)
        return cell

    def _check_cell_unique(self, session: Session, code: str | None, name: str | None,
                           cell_id: int | None) -> None:
        for column, value, label in ((Cell.code, code, "Mã"), (Cell.name, name, "Tên")):
            if value is None:
                continue
            query = select(Cell.id).where(Cell.organisation_id == self._require_org())
            if column is Cell.name:
                query = query.where(func.lower(Cell.name) == value.lower())
            else:
                query = query.where(column == value)
            if cell_id is not None:
                query = query.where(Cell.id != cell_id)
            if session.scalar(query.limit(1)) is not None:
                raise ValidationError(f"{label} chi bộ '{value}' đã có.", column.key)

    def update_cell(self, cell_id: int, expected_version: int | None = None, **changes) -> Cell:
        values = self._cell_values(changes)
        with self.db.transaction(CELLS) as session:
            cell = self._get_for_update(session, Cell, cell_id, expected_version, "chi bộ")
            self._check_cell_unique(session, values.get("code"), values.get("name"), cell_id)
            for key, value in values.items():
                setattr(cell, key, value)
        return cell

    def dissolve_cell(self, cell_id: int, on: dt.date) -> Cell:
        with self.db.transaction(CELLS) as session:
            cell = self._get_for_update(session, Cell, cell_id, None, "chi bộ")
            cell.dissolved_on = on
        return cell

    def reactivate_cell(self, cell_id: int) -> Cell:
        with self.db.transaction(CELLS) as session:
            cell = self._get_for_update(session, Cell, cell_id, None, "chi bộ")
            cell.dissolved_on = None
        return cell

    def delete_cell(self, cell_id: int) -> None:
        """Only a cell with no history can be deleted; others are dissolved instead."""
        with self.db.transaction(CELLS) as session:
            cell = self._get_for_update(session, Cell, cell_id, None, "chi bộ")
            for model in (Registration, Evaluation, Award):
                used = session.scalar(select(func.count()).select_from(model)
                                      .where(model.cell_id == cell_id))
                if used:
                    raise ValidationError(
                        f"Chi bộ '{cell.name}' đã có hồ sơ thi đua nên không xóa được; "
                        "hãy chọn “Giải thể” thay vì xóa.", "cell")
            session.delete(cell)

    def _get_for_update(self, session: Session, model, row_id: int,
                        expected_version: int | None, label: str):
        row = session.get(model, row_id)
        organisation_id = getattr(row, "organisation_id", None)
        if organisation_id is None and row is not None and hasattr(row, "cell_id"):
            organisation_id = row.cell.organisation_id if row.cell else None
        if row is None or organisation_id != self.organisation_id:
            raise NotFoundError(f"Không tìm thấy {label} (có thể đã bị xóa).")
        if expected_version is not None and row.version != expected_version:
            raise ConflictError(
                f"{label[0].upper() + label[1:]} vừa được người khác sửa; hãy mở lại để xem "
                "thay đổi mới nhất rồi nhập lại.")
        return row

    # ---------------------------------------------------------------------- registrations
    REGISTRATION_FIELDS = ("title", "received_on", "members_count", "commitment_1",
                           "commitment_2", "commitment_3", "commitment_4", "signer")

    def registrations(self, year: int) -> list[Registration]:
        """The year's registrations (with their cell loaded), in order of cell name."""
        with self.db.session() as session:
            rows = list(session.scalars(
                select(Registration).join(Registration.cell)
                .where(Cell.organisation_id == self._require_org(), Registration.year == year)
                .options(selectinload(Registration.cell))))
        return sorted(rows, key=lambda row: sort_key(row.cell.name))

    def registration(self, cell_id: int, year: int) -> Registration | None:
        with self.db.session() as session:
            return session.scalar(
                select(Registration).where(Registration.cell_id == cell_id,
                                           Registration.year == year)
                .options(selectinload(Registration.cell)))

    def _registration_values(self, values: Mapping) -> dict:
        result = {}
        for key, value in values.items():
            if key == "title":
                result[key] = _required(value, "danh hiệu đăng ký", key)
            elif key == "received_on":
                if not isinstance(value, dt.date):
                    raise ValidationError("Chưa nhập ngày nhận bản đăng ký.", key)
                result[key] = value
            elif key == "members_count":
                result[key] = None if value in (None, "") else _count(value, "Số đảng viên", key)
            elif key.startswith("commitment_") or key == "signer":
                result[key] = clean(value) if key == "signer" else _multiline(value)
            else:
                raise ValueError(key)
        return result

    def save_registration(self, cell_id: int, year: int, *, received_on: dt.date,
                          title: str = "Chi bộ 4 tốt", expected_version: int | None = None,
                          source: str = RegistrationSource.TYPED.value,
                          source_file: str | None = None, source_row: int | None = None,
                          **fields) -> Registration:
        """Add the cell's registration for ``year``, or update the one it has."""
        values = self._registration_values({"title": title, "received_on": received_on,
                                            **fields})
        with self.db.transaction(REGISTRATIONS) as session:
            self._phase_in(session, year)
            cell = session.get(Cell, cell_id)
            if cell is None or cell.organisation_id != self.organisation_id:
                raise NotFoundError("Không tìm thấy chi bộ.")
            if not cell.active_in(year):
                raise ValidationError(f"Chi bộ '{cell.name}' đã giải thể, không đăng ký năm "
                                      f"{year} được.", "cell")
            registration = session.scalar(select(Registration).where(
                Registration.cell_id == cell_id, Registration.year == year))
            if registration is None:
                registration = Registration(cell_id=cell_id, year=year)
                session.add(registration)
            elif expected_version is not None and registration.version != expected_version:
                raise ConflictError("Bản đăng ký vừa được người khác sửa; hãy mở lại để xem "
                                    "thay đổi mới nhất rồi nhập lại.")
            for key, value in values.items():
                setattr(registration, key, value)
            registration.source = RegistrationSource(source).value
            registration.source_file = source_file
            registration.source_row = source_row
            session.flush()
            registration.cell = cell
        return registration

    def import_registrations(self, year: int, entries: Sequence[Mapping]) -> tuple[int, int]:
        """Add or update many registrations of ``year`` in ONE transaction (all or nothing).

        Each entry: {"cell_id", "values" (the REGISTRATION_FIELDS), "source_file",
        "source_row", "expected_version" (None when the plan saw no registration)}. Values
        are checked with the same rules as ``save_registration``; a registration added or
        changed by someone since the plan was made raises ConflictError and nothing is
        written. Returns (added, updated).
        """
        checked = []
        for entry in entries:
            values = self._registration_values(entry["values"])
            if "received_on" not in values:
                raise ValidationError("Chưa nhập ngày nhận bản đăng ký.", "received_on")
            checked.append((entry, values))
        cell_ids = {entry["cell_id"] for entry, _ in checked}
        if len(cell_ids) != len(checked):
            raise ValidationError("Một chi bộ có hai bản đăng ký trong cùng lần nhập.", "cell")
        added = updated = 0
        with self.db.transaction(REGISTRATIONS) as session:
            self._phase_in(session, year)
            cells = {cell.id: cell for cell in session.scalars(
                select(Cell).where(Cell.organisation_id == self._require_org()))}
            existing = {row.cell_id: row for row in session.scalars(
                select(Registration).join(Registration.cell)
                .where(Cell.organisation_id == self.organisation_id, Registration.year == year))}
            for entry, values in checked:
                cell = cells.get(entry["cell_id"])
                if cell is None:
                    raise NotFoundError("Không tìm thấy chi bộ.")
                if not cell.active_in(year):
                    raise ValidationError(f"Chi bộ '{cell.name}' đã giải thể, không đăng ký năm "
                                          f"{year} được.", "cell")
                registration = existing.get(cell.id)
                expected = entry.get("expected_version")
                if (registration is None) != (expected is None) or (
                        registration is not None and registration.version != expected):
                    raise ConflictError(
                        f"Bản đăng ký của '{cell.name}' vừa được người khác thêm hoặc sửa; "
                        "hãy đọc lại tệp để xem thay đổi mới nhất.")
                if registration is None:
                    registration = Registration(cell_id=cell.id, year=year)
                    session.add(registration)
                    added += 1
                else:
                    updated += 1
                for key, value in values.items():
                    setattr(registration, key, value)
                registration.source = RegistrationSource.FILE.value
                registration.source_file = entry.get("source_file")
                registration.source_row = entry.get("source_row")
            try:
                session.flush()
            except StaleDataError:
                raise ConflictError("Bản đăng ký vừa được người khác sửa; hãy đọc lại tệp."
                                    ) from None
        return added, updated

    def delete_registration(self, registration_id: int) -> None:
        with self.db.transaction(REGISTRATIONS) as session:
            row = self._get_for_update(session, Registration, registration_id, None,
                                       "bản đăng ký")
            session.delete(row)

    # ------------------------------------------------------------------------ evaluations
    def evaluation(self, cell_id: int | None, year: int) -> Evaluation | None:
        """The evaluation of a cell (or, with None, of the organisation) for ``year``."""
        with self.db.session() as session:
            return self._evaluation_in(session, cell_id, year)

    def _evaluation_in(self, session: Session, cell_id: int | None, year: int):
        query = (select(Evaluation)
                 .where(Evaluation.organisation_id == self._require_org(),
                        Evaluation.year == year)
                 .options(selectinload(Evaluation.scores)))
        if cell_id is None:
            query = query.where(Evaluation.cell_id.is_(None))
        else:
            query = query.where(Evaluation.cell_id == cell_id)
        return session.scalar(query)

    def save_evaluation(self, cell_id: int | None, year: int, *,
                        scores: Mapping[int, ScoreInput],
                        notes: str = "", disciplined_members: int = 0,
                        classification: str | None = None,
                        expected_version: int | None = None) -> EvaluationResult:
        """Store the scores (item id -> ScoreInput) and the rest of a cell's evaluation.

        ``expected_version`` is the version the caller read (0 when there was no evaluation
        yet): if someone else saved in between, ConflictError and nothing is written."""
        disciplined = _count(disciplined_members, "Số đảng viên bị kỷ luật", "disciplined_members")
        if classification:
            try:
                classification = rules.Classification(classification).value
            except ValueError:
                raise ValidationError(f"Xếp loại '{classification}' không hợp lệ.",
                                      "classification") from None
        with self.db.transaction(EVALUATIONS) as session:
            phase = self._phase_in(session, year)
            scope = Scope.CELL if cell_id is not None else Scope.ORGANISATION
            items = {item.id: item for group in phase.groups if group.scope == scope.value
                     for item in group.items}
            checked = {}
            for item_id, value in scores.items():
                item = items.get(item_id)
                if item is None:
                    raise ValidationError("Mục tiêu chí không thuộc bộ tiêu chí của năm này.",
                                          "item")
                checked[item_id] = (_points(value.self_points, item, "chi bộ tự chấm"),
                                    _points(value.committee_points, item, "Đảng ủy chấm"))
            if cell_id is not None:
                cell = session.get(Cell, cell_id)
                if cell is None or cell.organisation_id != self.organisation_id:
                    raise NotFoundError("Không tìm thấy chi bộ.")
                if cell.members_count and disciplined > cell.members_count:
                    raise ValidationError(
                        f"Số đảng viên bị kỷ luật ({disciplined}) lớn hơn số đảng viên của chi "
                        f"bộ ({cell.members_count}).", "disciplined_members")
            evaluation = self._evaluation_in(session, cell_id, year)
            if evaluation is None:
                evaluation = Evaluation(organisation_id=self.organisation_id, cell_id=cell_id,
                                        year=year)
                session.add(evaluation)
            elif expected_version is not None and evaluation.version != expected_version:
                raise ConflictError("Phiếu chấm điểm vừa được người khác sửa; hãy mở lại để "
                                    "xem điểm mới nhất rồi nhập lại.")
            evaluation.notes = _multiline(notes)
            evaluation.disciplined_members = disciplined
            evaluation.classification = classification or None
            by_item = {score.item_id: score for score in evaluation.scores}
            for item_id, (self_points, committee_points) in checked.items():
                score = by_item.get(item_id)
                if score is None:
                    if self_points is None and committee_points is None:
                        continue
                    score = Score(item_id=item_id)
                    evaluation.scores.append(score)
                score.self_points = self_points
                score.committee_points = committee_points
            existed = inspect(evaluation).persistent
            try:
                session.flush()
                if existed:
                    # Scores are child rows: bump the evaluation's version even when only
                    # scores moved, so another person's stale copy is refused.
                    bumped = session.execute(
                        update(Evaluation)
                        .where(Evaluation.id == evaluation.id,
                               Evaluation.version == evaluation.version)
                        .values(version=Evaluation.version + 1)).rowcount
                    if bumped != 1:
                        raise StaleDataError()
                    session.refresh(evaluation, ["version"])
            except (StaleDataError, IntegrityError):
                # IntegrityError: someone else created this evaluation at the same moment.
                raise ConflictError("Phiếu chấm điểm vừa được người khác sửa; hãy mở lại để "
                                    "xem điểm mới nhất rồi nhập lại.") from None
            result = evaluate(phase, evaluation, scope)
        return result

    def evaluation_result(self, cell_id: int | None, year: int) -> EvaluationResult:
        phase = self.phase_for_year(year)
        evaluation = self.evaluation(cell_id, year)
        if cell_id is None:
            from chibo4tot_desktop.reports import year_overview

            overview = year_overview(self, year)
            return overview.organisation_result
        return evaluate(phase, evaluation, Scope.CELL)

    # ----------------------------------------------------------------------------- awards
    def awards(self, year: int | None = None) -> list[Award]:
        query = (select(Award).where(Award.organisation_id == self._require_org())
                 .options(selectinload(Award.cell)))
        if year is not None:
            query = query.where(Award.year == year)
        with self.db.session() as session:
            rows = list(session.scalars(query))
        return sorted(rows, key=lambda a: (a.year, a.kind, sort_key(a.cell.name if a.cell
                                                                    else "")))

    def propose(self, cell_id: int | None, year: int, kind: str,
                proposed_on: dt.date | None = None, notes: str = "") -> Award:
        """Add a proposal (đề nghị) for a cell, or with None for the organisation itself."""
        try:
            kind = AwardKind(kind)
        except ValueError:
            raise ValidationError(f"Hình thức khen thưởng '{kind}' không hợp lệ.",
                                  "kind") from None
        if kind is AwardKind.ORG_RECOGNITION and cell_id is not None:
            raise ValidationError("“Đảng bộ cơ sở 4 tốt” chỉ dành cho đảng bộ.", "kind")
        if kind is AwardKind.CELL_RECOGNITION and cell_id is None:
            raise ValidationError("“Chi bộ 4 tốt” chỉ dành cho chi bộ.", "kind")
        with self.db.transaction(AWARDS) as session:
            self._phase_in(session, year)
            if cell_id is not None:
                cell = session.get(Cell, cell_id)
                if cell is None or cell.organisation_id != self.organisation_id:
                    raise NotFoundError("Không tìm thấy chi bộ.")
            query = select(Award.id).where(Award.organisation_id == self.organisation_id,
                                           Award.year == year, Award.kind == kind.value)
            query = query.where(Award.cell_id.is_(None) if cell_id is None
                                else Award.cell_id == cell_id)
            if session.scalar(query) is not None:
                raise ValidationError(f"Đã có đề nghị {kind.label} năm {year} cho đơn vị này.",
                                      "kind")
            award = Award(organisation_id=self.organisation_id, cell_id=cell_id, year=year,
                          kind=kind.value, proposed_on=proposed_on, notes=_multiline(notes))
            session.add(award)
            session.flush()
            if cell_id is not None:
                award.cell = session.get(Cell, cell_id)
        return award

    def record_decision(self, award_id: int, *, decision_number: str,
                        decision_date: dt.date, issuer: str, register_number: str = "",
                        expected_version: int | None = None) -> Award:
        number = _required(decision_number, "số quyết định", "decision_number", 60)
        if not isinstance(decision_date, dt.date):
            raise ValidationError("Chưa nhập ngày quyết định.", "decision_date")
        issuer = _required(issuer, "cơ quan ban hành", "issuer")
        with self.db.transaction(AWARDS) as session:
            award = self._get_for_update(session, Award, award_id, expected_version,
                                         "khen thưởng")
            if award.proposed_on and decision_date < award.proposed_on:
                raise ValidationError("Ngày quyết định không được trước ngày đề nghị.",
                                      "decision_date")
            register = clean(register_number)
            if register:
                clash = session.scalar(select(Award.id).where(
                    Award.organisation_id == self.organisation_id,
                    Award.register_number == register, Award.id != award_id))
                if clash is not None:
                    raise ValidationError(f"Số sổ '{register}' đã dùng cho khen thưởng khác.",
                                          "register_number")
            award.decision_number = number
            award.decision_date = decision_date
            award.issuer = issuer
            award.register_number = register
            session.flush()
            _ = award.cell
        return award

    def clear_decision(self, award_id: int) -> Award:
        with self.db.transaction(AWARDS) as session:
            award = self._get_for_update(session, Award, award_id, None, "khen thưởng")
            award.decision_number = ""
            award.decision_date = None
            award.register_number = ""
            session.flush()
            _ = award.cell
        return award

    def withdraw(self, award_id: int) -> None:
        """Remove a proposal (a decided award must have its decision cleared first)."""
        with self.db.transaction(AWARDS) as session:
            award = self._get_for_update(session, Award, award_id, None, "khen thưởng")
            if award.is_decided:
                raise ValidationError("Khen thưởng đã có quyết định; hãy bỏ quyết định trước "
                                      "khi rút đề nghị.", "award")
            session.delete(award)

    def recognised_years(self) -> dict[int, set[int]]:
        """cell id -> the years it was recognised "Chi bộ 4 tốt" (decided awards)."""
        with self.db.session() as session:
            rows = session.execute(
                select(Award.cell_id, Award.year)
                .where(Award.organisation_id == self._require_org(),
                       Award.kind == AwardKind.CELL_RECOGNITION.value,
                       Award.decision_number != "", Award.decision_date.is_not(None)))
            result: dict[int, set[int]] = {}
            for cell_id, year in rows:
                result.setdefault(cell_id, set()).add(year)
        return result

    # ---------------------------------------------------------------------------- settings
    def setting(self, key: str, default: str = "") -> str:
        with self.db.session() as session:
            value = session.scalar(select(Setting.value).where(
                Setting.organisation_id == self._require_org(), Setting.key == key))
        return default if value is None else value

    def settings(self, prefix: str = "") -> dict[str, str]:
        with self.db.session() as session:
            rows = session.execute(select(Setting.key, Setting.value).where(
                Setting.organisation_id == self._require_org(),
                Setting.key.startswith(prefix)))
            return dict(rows.all())

    def set_settings(self, values: Mapping[str, str]) -> None:
        with self.db.transaction(SETTINGS) as session:
            existing = {row.key: row for row in session.scalars(select(Setting).where(
                Setting.organisation_id == self._require_org(),
                Setting.key.in_(list(values))))}
            for key, value in values.items():
                text = "" if value is None else str(value)
                row = existing.get(key)
                if row is None:
                    session.add(Setting(organisation_id=self.organisation_id, key=key,
                                        value=text))
                elif row.value != text:
                    row.value = text

    # ---------------------------------------------------------------------------- queries
    def evaluations(self, year: int) -> list[Evaluation]:
        """Every evaluation of the year (cells and organisation), with scores loaded."""
        with self.db.session() as session:
            return list(session.scalars(
                select(Evaluation).where(Evaluation.organisation_id == self._require_org(),
                                         Evaluation.year == year)
                .options(selectinload(Evaluation.scores))))

    def audit_log(self, limit: int = 1000, table: str | None = None) -> list:
        from chibo4tot_desktop.db.models import AuditEntry

        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if table:
            query = query.where(AuditEntry.table_name == table)
        with self.db.session() as session:
            return list(session.scalars(query))

    def is_empty(self) -> bool:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(Organisation)) == 0


def _multiline(value) -> str:
    """Commitments and notes keep their line breaks; each line is cleaned."""
    if value is None:
        return ""
    lines = [clean(line) for line in str(value).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")

