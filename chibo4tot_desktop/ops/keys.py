"""The office's signing keys and the senders it trusts.

- ``own_keys`` makes the office's keys on first use (one transaction, audited without the
  private keys: the audit log writes "(bí mật ...)" in their place) and returns them.
- ``trust_sender`` registers another office's public keys once, after the person compared the
  fingerprint over the phone: the fingerprint they typed must be the one of the keys, or
  nothing is written. A ward's key may then sign that ward's data; an upper level's key may
  sign decisions sent down (``SenderRole``).
- ``forget_sender`` removes a registration (a key lost or replaced).

Why the private keys are kept in the data file: see ``db.models.OfficeKey``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from chibo4tot_desktop import signing
from chibo4tot_desktop.db.changes import KEYS
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import (
    ImportedPacket,
    OfficeKey,
    Organisation,
    SenderRole,
    TrustedSender,
)
from chibo4tot_desktop.errors import NotFoundError, UserError, ValidationError
from chibo4tot_desktop.ops import checks
from chibo4tot_desktop.ops.base import Office


@dataclass(frozen=True)
class Sender:
    """A registered sender (public keys only)."""

    id: int
    name: str
    code: str
    role: SenderRole
    signing_public: bytes
    box_public: bytes
    fingerprint: str
    registered_at: dt.datetime


@dataclass(frozen=True)
class Keyring:
    """What reading a packet needs: this office's keys (None before its first packet) and the
    senders it trusts."""

    own: OfficeKey | None
    senders: tuple[Sender, ...]

    def sender(self, signing_public: bytes) -> Sender | None:
        return next((s for s in self.senders if s.signing_public == signing_public), None)

    @property
    def own_fingerprint(self) -> str | None:
        return signing.fingerprint(self.own.signing_public, self.own.box_public) \
            if self.own is not None else None


def _sender(row: TrustedSender) -> Sender:
    return Sender(row.id, row.name, row.code, SenderRole(row.role), row.signing_public,
                  row.box_public, row.fingerprint, row.registered_at)


def stored_keys(db: Database) -> OfficeKey | None:
    with db.session() as session:
        return session.scalar(select(OfficeKey).order_by(OfficeKey.id).limit(1))


def own_keys(office: Office, now: dt.datetime | None = None) -> OfficeKey:
    """This office's keys, made (and stored in the data file) on first use."""
    existing = stored_keys(office.db)
    if existing is not None:
        return existing
    keys = signing.new_keys()
    with office.write(KEYS) as session:
        again = session.scalar(select(OfficeKey).order_by(OfficeKey.id).limit(1))
        if again is not None:          # made by someone else meanwhile
            return again
        row = OfficeKey(created_at=(now or dt.datetime.now()).replace(microsecond=0),
                        signing_private=keys.signing_private,
                        signing_public=keys.signing_public,
                        box_private=keys.box_private, box_public=keys.box_public)
        session.add(row)
    return row


def own_fingerprint(office: Office) -> str:
    keys = own_keys(office)
    return signing.fingerprint(keys.signing_public, keys.box_public)


def senders(db: Database) -> list[Sender]:
    with db.session() as session:
        return [_sender(row) for row in session.scalars(
            select(TrustedSender).order_by(TrustedSender.role, TrustedSender.name))]


def keyring(db: Database) -> Keyring:
    return Keyring(stored_keys(db), tuple(senders(db)))


def role_of(value: str) -> SenderRole:
    try:
        return SenderRole(value)
    except ValueError:
        raise ValidationError(f"Vai trò '{value}' không hợp lệ (ward hoặc upper).",
                              "role") from None


def trust_sender(office: Office, *, name: str, code: str, role: str, signing_public: bytes,
                 box_public: bytes, typed_fingerprint: str,
                 now: dt.datetime | None = None) -> Sender:
    """Register a sender's keys; ``typed_fingerprint`` is what the person read over the phone
    and must be the keys' own fingerprint."""
    role = role_of(role)
    name = checks.required(name, "tên đơn vị gửi", "name")
    code = checks.optional(code, "mã đảng bộ", "code", 40)
    if role is SenderRole.WARD and not code:
        raise ValidationError("Khóa của cấp dưới phải gắn với mã đảng bộ gửi dữ liệu.", "code")
    if len(signing_public) != signing.KEY_BYTES or len(box_public) != signing.KEY_BYTES:
        raise ValidationError("Khóa công khai không hợp lệ.", "key")
    expected = signing.fingerprint(signing_public, box_public)
    if not "".join(ch for ch in typed_fingerprint if ch.isdigit()):
        raise ValidationError("Chưa nhập vân tay đọc qua điện thoại.", "fingerprint")
    if not signing.same_fingerprint(typed_fingerprint, expected):
        raise ValidationError("Vân tay nhập vào không khớp với khóa trong tệp; không đăng ký. "
                              "Hãy gọi lại cho người gửi và so từng nhóm số.", "fingerprint")
    own = stored_keys(office.db)
    if own is not None and own.signing_public == signing_public:
        raise ValidationError("Đây là khóa của chính văn phòng này.", "key")
    with office.write(KEYS) as session:
        existing = session.scalar(select(TrustedSender).where(
            TrustedSender.signing_public == signing_public))
        if existing is not None:
            raise ValidationError(f"Khóa này đã được đăng ký cho '{existing.name}'.", "key")
        row = TrustedSender(name=name, code=code, role=role.value, signing_public=signing_public,
                            box_public=box_public, fingerprint=expected,
                            registered_at=(now or dt.datetime.now()).replace(microsecond=0))
        session.add(row)
        session.flush()
        sender = _sender(row)
    return sender


def forget_sender(office: Office, sender_id: int) -> None:
    with office.write(KEYS) as session:
        row = session.get(TrustedSender, sender_id)
        if row is None:
            raise NotFoundError("Không tìm thấy khóa đã đăng ký.")
        session.delete(row)


def sender_by_code_or_id(db: Database, value: str) -> Sender:
    """A registered sender named on the command line by its number or its code."""
    found = [s for s in senders(db) if str(s.id) == value.strip() or
             (s.code and s.code.casefold() == value.strip().casefold())]
    if len(found) != 1:
        raise UserError(f"Không có (hoặc có nhiều hơn một) khóa đã đăng ký ứng với '{value}'; "
                        "xem lệnh 'keys list'.")
    return found[0]


def own_label(db: Database) -> tuple[str, str]:
    """(code, name) this office goes by: its own organisation's (the first one typed in here,
    not received by packets), or ("", "") for an upper level holding only its wards."""
    with db.session() as session:
        received = select(ImportedPacket.organisation_id)
        row = session.execute(select(Organisation.code, Organisation.name)
                              .where(Organisation.id.not_in(received))
                              .order_by(Organisation.id).limit(1)).first()
    return (row[0], row[1]) if row else ("", "")
