"""dated history: cells in time, dated identities, catalogue versions, decisions as decided

Revision ID: 0004_dated_history
Revises: 0003_evidence_keys

- ``cells.started_on`` and ``cell_links`` (a cell merged into its successors);
- ``organisations.merged_into_id`` / ``merged_on`` (a ward merged into a larger one);
- ``organisation_identities``: the name, upper body, place, issuer and signers from a date on.
  Each organisation gets one version "from the beginning" holding its name, upper body and
  place and the settings that were global until now (``proposal.upper_body``,
  ``proposal.signer_*``, ``certificate.issuer``, ``certificate.place``,
  ``certificate.signer_*``, ``award.issuer``), which leave the settings table;
- ``catalogue_versions``: every phase's catalogue of each scope becomes its first version, in
  force from the phase's first year; groups belong to a version;
- ``awards.decided_*``: what a decision was made on (filled for decisions recorded from now on);
- a registration without its number of members takes the number the cell record holds now
  (what the registration form printed for it);
- an organisation that has a dissolved cell keeps the rule the program applied until now: a
  cell ended during a year does not take part in that year (setting ``cells.year_rule`` =
  ``year_end``); the others get the default rule (the year's review day), which gives them
  the same years.

SQLite rebuilds ``organisations`` and ``criteria_groups``: the program runs migrations with
the foreign keys switched off (``db.engine.run_migrations``), so rebuilding a table never
cascades into its children.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004_dated_history"
down_revision = "0003_evidence_keys"
branch_labels = None
depends_on = None

BEGINNING = dt.date(1900, 1, 1)
MOVED_SETTINGS = {
    "proposal.upper_body": "upper_party_body",
    "certificate.issuer": "issuer",
    "award.issuer": "decision_issuer",
    "certificate.place": "certificate_place",
    "certificate.signer_title": "certificate_signer_title",
    "certificate.signer_name": "certificate_signer_name",
    "proposal.signer_title": "proposal_signer_title",
    "proposal.signer_name": "proposal_signer_name",
}
LENGTHS = {"upper_party_body": 200, "issuer": 300, "decision_issuer": 200,
           "certificate_place": 100, "certificate_signer_title": 300,
           "certificate_signer_name": 300, "proposal_signer_title": 300,
           "proposal_signer_name": 300}


def upgrade() -> None:
    connection = op.get_bind()

    # ------------------------------------------------------------------ organisations
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("merged_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_organisations_merged_into_id_organisations"), "organisations",
            ["merged_into_id"], ["id"], ondelete="SET NULL")

    identities = op.create_table(
        "organisation_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("upper_body", sa.String(length=200), nullable=False),
        sa.Column("place_name", sa.String(length=100), nullable=False),
        sa.Column("upper_party_body", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("decision_issuer", sa.String(length=200), nullable=False),
        sa.Column("certificate_place", sa.String(length=100), nullable=False),
        sa.Column("certificate_signer_title", sa.String(length=300), nullable=False),
        sa.Column("certificate_signer_name", sa.String(length=300), nullable=False),
        sa.Column("proposal_signer_title", sa.String(length=300), nullable=False),
        sa.Column("proposal_signer_name", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_organisation_identities_organisation_id_organisations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_identities")),
        sa.UniqueConstraint("organisation_id", "valid_from",
                            name="uq_organisation_identities_org_from"),
    )
    with op.batch_alter_table("organisation_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_identities_organisation_id"),
                              ["organisation_id"], unique=False)

    settings = sa.table("settings", sa.column("id", sa.Integer),
                        sa.column("organisation_id", sa.Integer),
                        sa.column("key", sa.String), sa.column("value", sa.Text))
    organisations = sa.table("organisations", sa.column("id", sa.Integer),
                             sa.column("name", sa.String), sa.column("upper_body", sa.String),
                             sa.column("place_name", sa.String))
    for org_id, name, upper, place in connection.execute(
            sa.select(organisations.c.id, organisations.c.name, organisations.c.upper_body,
                      organisations.c.place_name)).all():
        values = {column: "" for column in MOVED_SETTINGS.values()}
        for key, value in connection.execute(
                sa.select(settings.c.key, settings.c.value).where(
                    settings.c.organisation_id == org_id,
                    settings.c.key.in_(list(MOVED_SETTINGS)))).all():
            column = MOVED_SETTINGS[key]
            values[column] = (value or "")[:LENGTHS[column]]
        connection.execute(identities.insert().values(
            organisation_id=org_id, valid_from=BEGINNING, name=name, upper_body=upper,
            place_name=place, version=1, **values))
    connection.execute(settings.delete().where(settings.c.key.in_(list(MOVED_SETTINGS)),
                                               settings.c.organisation_id.is_not(None)))

    # -------------------------------------------------------------------------- cells
    op.add_column("cells", sa.Column("started_on", sa.Date(), nullable=True))
    op.create_table(
        "cell_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("predecessor_id != successor_id", name=op.f("ck_cell_links_not_itself")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_cell_links_organisation_id_organisations"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["predecessor_id"], ["cells.id"],
                                name=op.f("fk_cell_links_predecessor_id_cells"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["successor_id"], ["cells.id"],
                                name=op.f("fk_cell_links_successor_id_cells"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cell_links")),
        sa.UniqueConstraint("predecessor_id", "successor_id", name="uq_cell_links_pair"),
    )
    with op.batch_alter_table("cell_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cell_links_organisation_id"), ["organisation_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_cell_links_predecessor_id"), ["predecessor_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_cell_links_successor_id"), ["successor_id"],
                              unique=False)

    cells = sa.table("cells", sa.column("id", sa.Integer),
                     sa.column("organisation_id", sa.Integer),
                     sa.column("members_count", sa.Integer),
                     sa.column("dissolved_on", sa.Date))
    registrations = sa.table("registrations", sa.column("cell_id", sa.Integer),
                             sa.column("members_count", sa.Integer))
    connection.execute(
        registrations.update().where(registrations.c.members_count.is_(None))
        .values(members_count=sa.select(cells.c.members_count)
                .where(cells.c.id == registrations.c.cell_id).scalar_subquery()))
    for (org_id,) in connection.execute(
            sa.select(cells.c.organisation_id).where(cells.c.dissolved_on.is_not(None))
            .distinct()).all():
        connection.execute(settings.delete().where(settings.c.organisation_id == org_id,
                                                   settings.c.key == "cells.year_rule"))
        connection.execute(settings.insert().values(organisation_id=org_id,
                                                    key="cells.year_rule", value="year_end"))

    # ---------------------------------------------------------------------- catalogue
    versions = op.create_table(
        "catalogue_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["phase_id"], ["phases.id"],
                                name=op.f("fk_catalogue_versions_phase_id_phases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_versions")),
        sa.UniqueConstraint("phase_id", "scope", "first_year",
                            name="uq_catalogue_versions_phase_scope_year"),
    )
    with op.batch_alter_table("catalogue_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalogue_versions_phase_id"), ["phase_id"],
                              unique=False)
    op.add_column("criteria_groups", sa.Column("version_id", sa.Integer(), nullable=True))
    groups = sa.table("criteria_groups", sa.column("id", sa.Integer),
                      sa.column("phase_id", sa.Integer), sa.column("scope", sa.String),
                      sa.column("version_id", sa.Integer))
    phases = sa.table("phases", sa.column("id", sa.Integer),
                      sa.column("first_year", sa.Integer))
    pairs = connection.execute(
        sa.select(groups.c.phase_id, groups.c.scope, phases.c.first_year)
        .join(phases, phases.c.id == groups.c.phase_id).distinct()).all()
    for phase_id, scope, first_year in pairs:
        version_id = connection.execute(versions.insert().values(
            phase_id=phase_id, scope=scope, first_year=first_year)).inserted_primary_key[0]
        connection.execute(groups.update().where(groups.c.phase_id == phase_id,
                                                 groups.c.scope == scope)
                           .values(version_id=version_id))
    with op.batch_alter_table("criteria_groups", schema=None) as batch_op:
        batch_op.alter_column("version_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_criteria_groups_position", type_="unique")
        batch_op.create_unique_constraint("uq_criteria_groups_position",
                                          ["version_id", "position"])
        batch_op.create_foreign_key(
            batch_op.f("fk_criteria_groups_version_id_catalogue_versions"),
            "catalogue_versions", ["version_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index(batch_op.f("ix_criteria_groups_version_id"), ["version_id"],
                              unique=False)

    # ------------------------------------------------------------------------- awards
    for column in (sa.Column("decided_points", sa.Float(), nullable=True),
                   sa.Column("decided_classification", sa.String(length=10), nullable=True),
                   sa.Column("decided_verdict", sa.String(length=12), nullable=True),
                   sa.Column("decided_members", sa.Integer(), nullable=True),
                   sa.Column("decided_streak", sa.Integer(), nullable=True),
                   sa.Column("decided_cells", sa.String(length=20), nullable=True)):
        op.add_column("awards", column)


def downgrade() -> None:
    raise NotImplementedError("the dated history cannot be folded back into one version")
