"""The data model: SQLAlchemy 2.x typed models of the movement's records.

One database may hold several organisations (a city office later). Everything below an
organisation hangs off it: phases and their per-year dates and catalogues, cells,
registrations, evaluations with their item scores, awards (proposal and decision in one row),
settings, and the audit log. Derived things (totals, classification bands, verdicts, lateness)
are not stored: ``rules`` computes them from these rows and the phase's thresholds.

Rows that people edit carry a ``version`` counter (SQLAlchemy's version_id_col), so a write
based on a stale read fails instead of silently overwriting someone else's change.

The annotations are objects, not texts (no ``from __future__ import annotations`` here): the
declarative mapping reads every ``Mapped[...]`` of the 22 records when this module loads, at
every start, and from a text it has to rewrite and evaluate each one; only the names of
records defined further down are written as texts ("Phase").
"""

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


from chibo4tot_desktop import kinds  # noqa: E402 - the records' kinds, in a light module
from chibo4tot_desktop.kinds import CellKind, RegistrationSource, Scope  # noqa: E402
from chibo4tot_desktop.text import stored_sort_key

# The kinds' other names, re-exported beside the records that use them.
AwardKind = kinds.AwardKind
AWARD_KIND_LABELS = kinds.AWARD_KIND_LABELS
CELL_KIND_LABELS = kinds.CELL_KIND_LABELS


class DecisionSource(StrEnum):
    """Where an award's decision was recorded."""

    TYPED = "typed"      # typed into this data file by its own users
    WARD = "ward"        # came with the ward's exchange packet (the city's copy of it)
    UPPER = "upper"      # came down in a decision packet signed by the upper level


class EvidenceTarget(StrEnum):
    """What a file of evidence (tệp minh chứng) is attached to."""

    REGISTRATION = "registration"
    EVALUATION = "evaluation"
    PROPOSAL = "proposal"
    DECISION = "decision"

    @property
    def label(self) -> str:
        return EVIDENCE_TARGET_LABELS[self]


EVIDENCE_TARGET_LABELS = {
    EvidenceTarget.REGISTRATION: "Bản đăng ký",
    EvidenceTarget.EVALUATION: "Phiếu chấm điểm",
    EvidenceTarget.PROPOSAL: "Đề nghị",
    EvidenceTarget.DECISION: "Quyết định",
}


class SenderRole(StrEnum):
    """What a registered sender's key may sign."""

    WARD = "ward"        # a lower level sending its year (data packets)
    UPPER = "upper"      # the upper level sending decisions down

    @property
    def label(self) -> str:
        return "Cấp dưới gửi lên" if self is SenderRole.WARD else "Cấp trên gửi xuống"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    upper_body: Mapped[str] = mapped_column(String(200), default="")
    place_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=dt.datetime.now)
    # A ward merged into a larger one: its file lives on inside the new ward's (read and
    # printed as it was); NULL for an organisation that goes on.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    merged_on: Mapped[dt.date | None] = mapped_column(Date)

    phases: Mapped[list["Phase"]] = relationship(back_populates="organisation",
                                                 order_by="Phase.first_year")
    cells: Mapped[list["Cell"]] = relationship(back_populates="organisation")

    @property
    def committee_name(self) -> str:
        """"Đảng bộ phường Tân Giang" -> "Đảng ủy phường Tân Giang" (who receives the papers)."""
        if self.name.startswith("Đảng bộ"):
            return "Đảng ủy" + self.name[len("Đảng bộ"):]
        return self.name


class OrganisationIdentity(Base):
    """How the organisation is named and who speaks for it, from ``valid_from`` on: every
    paper takes the version in force on its own date (``timeline.identity_on``).

    Empty texts mean "derived": the issuer from the upper body ("Thành ủy Hà Tĩnh" ->
    "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH"), the certificate's place from the place name..."""

    __tablename__ = "organisation_identities"
    __table_args__ = (UniqueConstraint("organisation_id", "valid_from",
                                       name="uq_organisation_identities_org_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    upper_body: Mapped[str] = mapped_column(String(200), default="")
    place_name: Mapped[str] = mapped_column(String(100), default="")
    upper_party_body: Mapped[str] = mapped_column(String(200), default="")
    issuer: Mapped[str] = mapped_column(String(300), default="")
    decision_issuer: Mapped[str] = mapped_column(String(200), default="")
    certificate_place: Mapped[str] = mapped_column(String(100), default="")
    certificate_signer_title: Mapped[str] = mapped_column(String(300), default="")
    certificate_signer_name: Mapped[str] = mapped_column(String(300), default="")
    proposal_signer_title: Mapped[str] = mapped_column(String(300), default="")
    proposal_signer_name: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                         server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    @property
    def committee_name(self) -> str:
        """"Đảng bộ phường Tân Giang" -> "Đảng ủy phường Tân Giang" (who receives the papers)."""
        if self.name.startswith("Đảng bộ"):
            return "Đảng ủy" + self.name[len("Đảng bộ"):]
        return self.name


class Phase(Base):
    __tablename__ = "phases"
    __table_args__ = (
        CheckConstraint("last_year >= first_year", name="years"),
        UniqueConstraint("organisation_id", "first_year", name="uq_phases_org_first_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    plan_reference: Mapped[str] = mapped_column(String(200), default="")
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                         server_default=text("1"))

    organisation: Mapped[Organisation] = relationship(back_populates="phases")
    years: Mapped[list["PhaseYear"]] = relationship(
        back_populates="phase", order_by="PhaseYear.year", cascade="all, delete-orphan")
    versions: Mapped[list["CatalogueVersion"]] = relationship(
        back_populates="phase",
        order_by="(CatalogueVersion.scope, CatalogueVersion.first_year)",
        cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def contains(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def catalogue_version(self, year: int, scope: Scope | str = None) -> "CatalogueVersion":
        """The catalogue of ``scope`` in force for ``year``: the version with the latest first
        year not after it (a year keeps the catalogue it was scored with)."""
        scope = Scope(scope or Scope.CELL).value
        versions = [version for version in self.versions if version.scope == scope]
        if not versions:
            raise LookupError(f"no {scope} catalogue")
        in_force = [version for version in versions if version.first_year <= year]
        if in_force:
            return max(in_force, key=lambda version: version.first_year)
        return min(versions, key=lambda version: version.first_year)

    def catalogue(self, year: int, scope: Scope | str = None) -> list["CriteriaGroup"]:
        """The criteria groups (with their items) of ``scope`` for ``year``."""
        return list(self.catalogue_version(year, scope).groups)

    @property
    def groups(self) -> list["CriteriaGroup"]:
        """The catalogues in force for the phase's last year (both scopes; the one being
        used now). A given year's own: ``catalogue(year, scope)``."""
        groups = []
        for scope in Scope:
            if any(version.scope == scope.value for version in self.versions):
                groups.extend(self.catalogue(self.last_year, scope))
        return sorted(groups, key=lambda group: (group.scope, group.position))

    def is_final(self, year: int) -> bool:
        """The phase's last year holds the final summary (tổng kết) instead of a review."""
        return year == self.last_year


class PhaseYear(Base):
    __tablename__ = "phase_years"
    __table_args__ = (UniqueConstraint("phase_id", "year", name="uq_phase_years_phase_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    launch_date: Mapped[dt.date | None] = mapped_column(Date)
    registration_deadline: Mapped[dt.date | None] = mapped_column(Date)
    review_deadline: Mapped[dt.date | None] = mapped_column(Date)

    phase: Mapped[Phase] = relationship(back_populates="years")


class YearRule(Base):
    """The rules of one year (``rules.YearRules``): the regulation that governs its
    classification, the bands and thresholds, the HTXSNV conditions and cap, the registration
    and self-assessment requirements, the deadline reading, and where each value comes from.

    ``excellent_conditions``: JSON list of {key, text, check, source, note}; ``sources``:
    JSON object field -> {kind, note}."""

    __tablename__ = "year_rules"
    __table_args__ = (UniqueConstraint("organisation_id", "year", name="uq_year_rules_org_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    regulation: Mapped[str] = mapped_column(String(40), default="")
    regulation_citation: Mapped[str] = mapped_column(String(300), default="")
    overall_pass: Mapped[float] = mapped_column(Float, default=80)
    band_excellent: Mapped[float] = mapped_column(Float, default=90)
    band_good: Mapped[float] = mapped_column(Float, default=70)
    band_pass: Mapped[float] = mapped_column(Float, default=50)
    min_classification: Mapped[str] = mapped_column(String(10), default="HTTNV")
    max_disciplined: Mapped[int] = mapped_column(Integer, default=0)
    org_max_disciplined: Mapped[int] = mapped_column(Integer, default=0)
    org_cell_share: Mapped[float] = mapped_column(Float, default=0.7)
    registration_required: Mapped[bool] = mapped_column(default=True)
    self_assessment_required: Mapped[bool] = mapped_column(default=True)
    org_disciplined_from_cells: Mapped[bool] = mapped_column(default=True)
    org_waits_for_cells: Mapped[bool] = mapped_column(default=True)
    deadline_inclusive: Mapped[bool] = mapped_column(default=False)
    cap_share: Mapped[float] = mapped_column(Float, default=0.2)
    cap_denominator: Mapped[str] = mapped_column(String(20), default="good_or_better")
    cap_rounding: Mapped[str] = mapped_column(String(10), default="down")
    cap_tie_break: Mapped[str] = mapped_column(String(20), default="groups")
    excellent_conditions: Mapped[str] = mapped_column(Text, default="[]")
    sources: Mapped[str] = mapped_column(Text, default="{}")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                         server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}
class CatalogueVersion(Base):
    """One version of a phase's criteria catalogue of one scope, in force from ``first_year``
    until the next version's first year. A version that has scores is never edited: a change
    makes a new version from a year the user chooses."""

    __tablename__ = "catalogue_versions"
    __table_args__ = (UniqueConstraint("phase_id", "scope", "first_year",
                                       name="uq_catalogue_versions_phase_scope_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"),
                                          index=True)
    scope: Mapped[str] = mapped_column(String(20), default=Scope.CELL.value)
    first_year: Mapped[int] = mapped_column(Integer)

    phase: Mapped[Phase] = relationship(back_populates="versions")
    groups: Mapped[list["CriteriaGroup"]] = relationship(
        back_populates="catalogue", order_by="CriteriaGroup.position",
        cascade="all, delete-orphan")


class CriteriaGroup(Base):
    __tablename__ = "criteria_groups"
    __table_args__ = (
        UniqueConstraint("version_id", "position", name="uq_criteria_groups_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The phase and scope repeat the version's (the checks of the data file read them).
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("catalogue_versions.id",
                                                       ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(20), default=Scope.CELL.value)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    pass_points: Mapped[float] = mapped_column(Float, default=0)

    catalogue: Mapped[CatalogueVersion] = relationship(back_populates="groups")
    items: Mapped[list["CriteriaItem"]] = relationship(
        back_populates="group", order_by="CriteriaItem.position", cascade="all, delete-orphan")

    @property
    def max_points(self) -> float:
        return sum(item.max_points for item in self.items)


class CriteriaItem(Base):
    __tablename__ = "criteria_items"
    __table_args__ = (CheckConstraint("max_points >= 0", name="max_points"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("criteria_groups.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    max_points: Mapped[float] = mapped_column(Float)

    group: Mapped[CriteriaGroup] = relationship(back_populates="items")

    @property
    def label(self) -> str:
        """"1.2": the group's position, then the item's."""
        return f"{self.group.position}.{self.position}"


class Cell(Base):
    __tablename__ = "cells"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code", name="uq_cells_org_code"),
        CheckConstraint("members_count >= 0", name="members_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=CellKind.RESIDENTIAL.value)
    secretary: Mapped[str] = mapped_column(String(120), default="")
    # Today's number of members: what a new registration starts from. A year's own figure
    # lives on that year's registration.
    members_count: Mapped[int] = mapped_column(Integer, default=0)
    is_pilot: Mapped[bool] = mapped_column(default=False)
    # The cell's life: founded on ``started_on`` (NULL: before the records begin), ended on
    # ``dissolved_on`` (dissolved, or merged into the successors of ``cell_links``).
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    dissolved_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                         server_default=text("1"))
    # The name and code in the program's Vietnamese order (``text.stored_sort_key``), so the
    # database orders long lists: derived data, kept right by every write (the events below
    # for the ORM, the column defaults for a Core INSERT), never audited, made again when the
    # file is opened by a program whose order differs (``ops.sort_keys``).
    name_key: Mapped[bytes | None] = mapped_column(
        LargeBinary, default=lambda context: _stored_key(context, "name"))
    code_key: Mapped[bytes | None] = mapped_column(
        LargeBinary, default=lambda context: _stored_key(context, "code"))

    organisation: Mapped[Organisation] = relationship(back_populates="cells")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None


def _key_of(value: str | None) -> bytes | None:
    return None if value is None else stored_sort_key(value)


def _stored_key(context, column: str) -> bytes | None:
    return _key_of(context.get_current_parameters().get(column))


@event.listens_for(Cell.name, "set")
def _name_set(cell, value, _old, _initiator):
    cell.name_key = _key_of(value)


@event.listens_for(Cell.code, "set")
def _code_set(cell, value, _old, _initiator):
    cell.code_key = _key_of(value)


# The cells in the order of their names, then ids, with what decides their years (0007).
Index("ix_cells_name_order", Cell.organisation_id, Cell.name_key, Cell.id, Cell.started_on,
      Cell.dissolved_on)


class CellLink(Base):
    """A cell that ended by merging into another (its successor); a cell split in two has
    two links, two cells merged into a new one give it two predecessors."""

    __tablename__ = "cell_links"
    __table_args__ = (
        UniqueConstraint("predecessor_id", "successor_id", name="uq_cell_links_pair"),
        CheckConstraint("predecessor_id != successor_id", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"), index=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("cells.id", ondelete="CASCADE"),
                                                index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("cells.id", ondelete="CASCADE"),
                                              index=True)


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("cell_id", "year", name="uq_registrations_cell_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(200), default="Chi bộ 4 tốt")
    received_on: Mapped[dt.date] = mapped_column(Date)
    members_count: Mapped[int | None] = mapped_column(Integer)
    commitment_1: Mapped[str] = mapped_column(Text, default="")
    commitment_2: Mapped[str] = mapped_column(Text, default="")
    commitment_3: Mapped[str] = mapped_column(Text, default="")
    commitment_4: Mapped[str] = mapped_column(Text, default="")
    signer: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(String(10), default=RegistrationSource.TYPED.value)
    source_file: Mapped[str | None] = mapped_column(String(500))
    source_row: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                         server_default=text("1"))

    cell: Mapped[Cell] = relationship()

    __mapper_args__ = {"version_id_col": version}

    def commitments(self) -> list[str]:
        return [self.commitment_1, self.commitment_2, self.commitment_3, self.commitment_4]


# The organisation's own row (cell_id NULL) is unique: a partial index. Its SQLite condition
# is given here; the same condition for PostgreSQL is added by ``for_postgresql`` when a
# PostgreSQL engine is made (``db.engine``, the migrations): naming it here would load
# SQLAlchemy's PostgreSQL dialect, a fifth of this module's import, for every SQLite file.
OWN_ROW = "cell_id IS NULL"


def _own_row_unique(name: str, *columns: str) -> Index:
    return Index(name, *columns, unique=True, sqlite_where=text(OWN_ROW),
                 info={"postgresql_where": OWN_ROW})


def for_postgresql() -> None:
    """The partial indexes with their PostgreSQL condition (``postgresql_where``), as if
    given when they were made; once the PostgreSQL dialect is loaded anyway."""
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            where = index.info.get("postgresql_where")
            options = index.dialect_options["postgresql"] if where is not None else None
            if options is not None and options["where"] is None:
                options["where"] = text(where)


class Evaluation(Base):
    """The year's scoring of a cell, or (cell_id NULL) of the organisation itself."""

    __tablename__ = "evaluations"
    __table_args__ = (
        UniqueConstraint("cell_id", "year", name="uq_evaluations_cell_year"),
        _own_row_unique("uq_evaluations_org_year", "organisation_id", "year"),
        CheckConstraint("disciplined_members >= 0", name="disciplined_members"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"), index=True)
    cell_id: Mapped[int | None] = mapped_column(ForeignKey("cells.id", ondelete="CASCADE"),
                                                index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    disciplined_members: Mapped[int] = mapped_column(Integer, default=0)
    # The committee's decided classification; NULL means "what the year's rules give".
    classification: Mapped[str | None] = mapped_column(String(10))
    # Why the committee decided otherwise than the rules give (required then).
    classification_reason: Mapped[str] = mapped_column(Text, default="",
                                                       server_default=text("''"))
    # JSON list of the keys of the year's HTXSNV conditions the committee confirmed.
    conditions_met: Mapped[str] = mapped_column(Text, default="[]", server_default=text("'[]'"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                         server_default=text("1"))

    cell: Mapped[Cell | None] = relationship()
    scores: Mapped[list["Score"]] = relationship(back_populates="evaluation",
                                                 cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("evaluation_id", "item_id", name="uq_scores_evaluation_item"),
        CheckConstraint("self_points IS NULL OR self_points >= 0", name="self_points"),
        CheckConstraint("committee_points IS NULL OR committee_points >= 0",
                        name="committee_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id", ondelete="CASCADE"),
                                               index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("criteria_items.id", ondelete="CASCADE"),
                                         index=True)
    self_points: Mapped[float | None] = mapped_column(Float)
    committee_points: Mapped[float | None] = mapped_column(Float)

    evaluation: Mapped[Evaluation] = relationship(back_populates="scores")
    item: Mapped[CriteriaItem] = relationship()


class Award(Base):
    """A proposal (đề nghị) and, once the upper body decides, the award itself."""

    __tablename__ = "awards"
    __table_args__ = (
        UniqueConstraint("organisation_id", "year", "cell_id", "kind", name="uq_awards_recipient"),
        _own_row_unique("uq_awards_org_recipient", "organisation_id", "year", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"), index=True)
    cell_id: Mapped[int | None] = mapped_column(ForeignKey("cells.id", ondelete="CASCADE"),
                                                index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    proposed_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_number: Mapped[str] = mapped_column(String(60), default="")
    decision_date: Mapped[dt.date | None] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(200), default="")
    # What the decision itself carries, printed on its certificates: the place of its
    # place-date line ("Hà Tĩnh") and who signed it.
    decision_place: Mapped[str] = mapped_column(String(100), default="", server_default="")
    signer_title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    signer_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    register_number: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # What the decision was made on, kept as it was computed when it was recorded: total
    # points, classification, verdict state, the year's members and consecutive years (for
    # the organisation: its cells reaching “Chi bộ 4 tốt” out of the year's cells).
    decided_points: Mapped[float | None] = mapped_column(Float)
    decided_classification: Mapped[str | None] = mapped_column(String(10))
    decided_verdict: Mapped[str | None] = mapped_column(String(12))
    decided_members: Mapped[int | None] = mapped_column(Integer)
    decided_streak: Mapped[int | None] = mapped_column(Integer)
    decided_cells: Mapped[str | None] = mapped_column(String(20))   # "12/16" (organisation)
    # Who recorded the decision (DecisionSource), and for one sent down from the upper level
    # when its packet was made (UTC): a newer packet replaces it, an older one does not.
    decision_source: Mapped[str] = mapped_column(String(10), default=DecisionSource.TYPED.value,
                                                 server_default=DecisionSource.TYPED.value)
    decision_packet_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1,
                                         server_default=text("1"))

    cell: Mapped[Cell | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_decided(self) -> bool:
        return bool(self.decision_number) and self.decision_date is not None


class Setting(Base):
    """Free settings (certificate wording, signer, paper offsets), per organisation."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("organisation_id", "key", name="uq_settings_org_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id",
                                                                   ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text, default="")


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_table_row", "table_name", "row_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    user: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(10))  # insert / update / delete
    table_name: Mapped[str] = mapped_column(String(50))
    row_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(300), default="")
    field: Mapped[str] = mapped_column(String(50), default="")
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class SafetyMeta(Base):
    """Facts about the file itself (last backup time, audit position then); not office data.

    Written with plain SQL by ``safety.backup``, so never audited and never a "change".
    """

    __tablename__ = "safety_meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
class ImportedPacket(Base):
    """The latest exchange packet imported for a ward's year (see ``packets``): a newer packet
    of the same ward and year updates the data, an older or identical one changes nothing."""

    __tablename__ = "imported_packets"
    __table_args__ = (
        UniqueConstraint("organisation_id", "year", name="uq_imported_packets_org_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    exported_at: Mapped[dt.datetime] = mapped_column(DateTime)  # when the ward made it (UTC)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(String(300), default="")


class EvidenceBlob(Base):
    """The bytes of one evidence file (PDF, JPEG, PNG), stored once however many records it is
    attached to (a decision's scan covers every award of the decision). Kept inside the data
    file, so backups, restore, ``check`` and packets carry it. A blob no evidence row refers to
    any more is deleted in the same transaction (``db.blobs``)."""

    __tablename__ = "evidence_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class EvidenceFile(Base):
    """A file of evidence attached to one record: a registration, an evaluation, or an award
    (its proposal or its decision)."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        # CASE, not booleans added up: PostgreSQL has no "boolean + boolean".
        CheckConstraint("(CASE WHEN registration_id IS NULL THEN 0 ELSE 1 END) "
                        "+ (CASE WHEN evaluation_id IS NULL THEN 0 ELSE 1 END) "
                        "+ (CASE WHEN award_id IS NULL THEN 0 ELSE 1 END) = 1",
                        name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id",
                                                            ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(20))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                                 index=True)
    blob_id: Mapped[int] = mapped_column(ForeignKey("evidence_blobs.id", ondelete="RESTRICT"),
                                         index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    attached_at: Mapped[dt.datetime] = mapped_column(DateTime)

    blob: Mapped[EvidenceBlob] = relationship()


# Deleting a record deletes its evidence through the session (audited), not only through the
# database's cascade.
# (No delete-orphan: a row has one parent out of three, and would be the orphan of the others.)
Registration.evidence = relationship(EvidenceFile, cascade="all")
Evaluation.evidence = relationship(EvidenceFile, cascade="all")
Award.evidence = relationship(EvidenceFile, cascade="all")


class OfficeKey(Base):
    """This office's own keys: Ed25519 to sign the packets it sends, X25519 to open the packets
    encrypted to it. Made on first use; one row per data file.

    Kept in the data file on purpose: the private keys never leave the office's machine by any
    packet or export, and they are in every backup, so restoring the file (or moving it to a
    new computer) keeps the office's identity and nobody has to register a new key. The price:
    whoever holds a copy of the data file or of a backup (a lost USB stick) can sign as the
    office; such a copy already holds every record the packets carry. Keep backups where the
    data file itself may be. The audit log never records the private keys.
    """

    __tablename__ = "office_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    signing_private: Mapped[bytes] = mapped_column(LargeBinary, info={"secret": True})
    signing_public: Mapped[bytes] = mapped_column(LargeBinary)
    box_private: Mapped[bytes] = mapped_column(LargeBinary, info={"secret": True})
    box_public: Mapped[bytes] = mapped_column(LargeBinary)


class TrustedSender(Base):
    """A sender's public keys, registered once after comparing the fingerprint over the phone.
    A ward's key may sign that ward's data packets (``code``); an upper level's key may sign
    decisions sent down."""

    __tablename__ = "trusted_senders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(40), default="")
    role: Mapped[str] = mapped_column(String(10))
    signing_public: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    box_public: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(60))
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime)
