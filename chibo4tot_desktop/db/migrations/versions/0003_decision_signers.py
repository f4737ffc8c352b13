"""the place and the signer of each award's decision

Revision ID: 0003_decision_signers
Revises: 0002_i8

Each award keeps the place of its decision's place-date line and who signed it, so that its
certificate prints them whatever the settings say later. Decisions recorded before keep what
their certificates printed: the signer of the certificate settings then, and the place of
the issuer ("Ban Thường vụ Thành ủy Hà Tĩnh" -> "Hà Tĩnh") unless the office had set a place
for its certificates.
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_decision_signers'
down_revision = '0002_i8'
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
    settings = {}
    for organisation_id, key, value in connection.execute(sa.text(
            "SELECT organisation_id, key, value FROM settings WHERE key IN "
            "('certificate.signer_title', 'certificate.signer_name', 'certificate.place')")):
        settings[(organisation_id, key)] = " ".join((value or "").split())
    decided = connection.execute(sa.text(
        "SELECT id, organisation_id, issuer FROM awards WHERE decision_number <> '' "
        "AND decision_date IS NOT NULL")).all()
    for award_id, organisation_id, issuer in decided:
        place = (settings.get((organisation_id, 'certificate.place'))
                 or _place_of_issuer(issuer))
        connection.execute(sa.text(
            "UPDATE awards SET decision_place = :place, signer_title = :title, "
            "signer_name = :name WHERE id = :id"),
            {"place": place, "id": award_id,
             "title": settings.get((organisation_id, 'certificate.signer_title'), ''),
             "name": settings.get((organisation_id, 'certificate.signer_name'), '')})


def downgrade() -> None:
    with op.batch_alter_table('awards') as batch:
        batch.drop_column('signer_name')
        batch.drop_column('signer_title')
        batch.drop_column('decision_place')
