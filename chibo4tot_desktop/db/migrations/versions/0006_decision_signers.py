"""the place and the signer of each award's decision

Revision ID: 0006_decision_signers
Revises: 0005_year_rules

Each award keeps the place of its decision's place-date line and who signed it, so that its
certificate prints them whatever the identity versions say later. Decisions recorded before
keep what their certificates printed: the certificates' signer of the organisation's identity
version in force on the decision's date, and the place of the issuer ("Ban Thường vụ Thành
ủy Hà Tĩnh" -> "Hà Tĩnh") unless that version sets a place for its certificates.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op


revision = '0006_decision_signers'
down_revision = '0005_year_rules'
branch_labels = None
depends_on = None

# As text.place_of_issuer was when this revision was written (a migration does not follow
# later changes of the program's code).
_COMMITTEE_WORDS = ("ban thường vụ ", "ban chấp hành ", "thường trực ", "thành ủy ",
                    "tỉnh ủy ", "huyện ủy ", "quận ủy ", "thị ủy ", "đảng ủy phường ",
                    "đảng ủy xã ", "đảng ủy thị trấn ", "đảng ủy khối ", "đảng ủy ",
                    "đảng bộ thành phố ", "đảng bộ tỉnh ", "đảng bộ huyện ", "đảng bộ quận ",
                    "đảng bộ thị xã ", "đảng bộ phường ", "đảng bộ xã ", "đảng bộ ")


def _place_of_issuer(issuer: str) -> str:
    text = " ".join((issuer or "").split())
    original = text
    changed = True
    while changed and text:
        changed = False
        for word in _COMMITTEE_WORDS:
            if (text.casefold() + " ").startswith(word):
                text = text[len(word):]
                changed = True
                break
    if text == original:
        return ""
    return text.title() if text.isupper() else text


def upgrade() -> None:
    with op.batch_alter_table('awards') as batch:
        batch.add_column(sa.Column('decision_place', sa.String(length=100), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('signer_title', sa.String(length=300), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('signer_name', sa.String(length=120), nullable=False,
                                   server_default=''))
    connection = op.get_bind()
    versions: dict[int, list] = {}
    for organisation_id, valid_from, place, title, name in connection.execute(sa.text(
            "SELECT organisation_id, valid_from, certificate_place, certificate_signer_title, "
            "certificate_signer_name FROM organisation_identities")):
        versions.setdefault(organisation_id, []).append(
            (_day(valid_from), " ".join((place or "").split()),
             " ".join((title or "").split()), " ".join((name or "").split())))
    for rows in versions.values():
        rows.sort(key=lambda row: row[0])
    decided = connection.execute(sa.text(
        "SELECT id, organisation_id, issuer, decision_date FROM awards "
        "WHERE decision_number <> '' AND decision_date IS NOT NULL")).all()
    for award_id, organisation_id, issuer, decided_on in decided:
        _, place, title, name = _in_force(versions.get(organisation_id, []), _day(decided_on))
        connection.execute(sa.text(
            "UPDATE awards SET decision_place = :place, signer_title = :title, "
            "signer_name = :name WHERE id = :id"),
            {"place": place or _place_of_issuer(issuer), "title": title, "name": name,
             "id": award_id})


def _day(value) -> dt.date | None:
    """A date as SQLite holds it ("2024-01-15") or as the driver gives it."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _in_force(rows: list, day: dt.date | None) -> tuple:
    """The identity version in force on ``day`` (as ``timeline.identity_on`` was written: the
    latest from a date not after it, else the earliest); nothing when there is none."""
    if not rows:
        return (None, "", "", "")
    chosen = rows[0]
    for row in rows:
        if row[0] is not None and day is not None and row[0] <= day:
            chosen = row
    return chosen


def downgrade() -> None:
    with op.batch_alter_table('awards') as batch:
        batch.drop_column('signer_name')
        batch.drop_column('signer_title')
        batch.drop_column('decision_place')
