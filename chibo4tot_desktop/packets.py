"""Exchange packets between a ward and the upper level: one signed file.

A packet is a zip holding:

- ``data.json``: for a ward's year (kind ``year``), the organisation, the phase (settings,
  yearly dates, criteria catalogue), the organisation's settings, its cells, and the year's
  registrations, evaluations with their scores, proposals/awards and the list of their
  evidence files; for decisions sent down (kind ``decisions``), the receiving ward and the
  decisions the upper level recorded for it, with their scans. Criteria items are referred to
  by (scope, group position, item position), cells by their code, so the data does not depend
  on row ids.
- ``evidence/<sha256>.<pdf|jpg|png>``: the bytes of every evidence file listed.
- ``manifest.json``: format and version, kind, the ward's code and name, the year, when the
  packet was made (UTC), the sender (code, name, public keys) and the SHA-256 and size of
  every other member.
- ``signature.json``: the sender's Ed25519 signature over the exact bytes of the manifest.

``export_packet`` / ``export_decisions`` write it through the one file writer, optionally
sealed to the receiver's key (``signing.seal``). ``read_packet`` checks a packet before
anything is written: size limits from the zip's directory before anything is decompressed
(``data.json`` at most ``MAX_DATA_BYTES``, its JSON at most ``MAX_CONTAINERS`` objects and
lists, counted before parsing), only the expected members, a signature by a sender this
office registered (a ward's key for that ward's data, an upper level's key for decisions),
every member's checksum, well-formed data, and a time of making not in the future. Then
``ops.exchange`` checks the content with the same rules as typed input and writes it all in
one transaction. A packet refused writes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from chibo4tot_desktop import __version__, evidence, rules, signing
from chibo4tot_desktop.timeline import IDENTITY_FIELDS, IDENTITY_LENGTHS
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import (
    AwardKind,
    CellKind,
    DecisionSource,
    EvidenceTarget,
    ImportedPacket,
    Organisation,
    RegistrationSource,
    Scope,
    SenderRole,
)
from chibo4tot_desktop.errors import UserError, ValidationError
from chibo4tot_desktop.files import write_bytes
from chibo4tot_desktop.ops import Office, queries, rulebook
from chibo4tot_desktop.ops.evidence import evidence_content, evidence_of_year
from chibo4tot_desktop.ops.keys import Keyring, Sender
from chibo4tot_desktop.ops.verdicts import confirmed_conditions
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.text import clean

FORMAT = "chibo4tot-desktop/packet"
FORMAT_VERSION = 2
YEAR, DECISIONS = "year", "decisions"
MANIFEST, DATA, SIGNATURE = "manifest.json", "data.json", "signature.json"
EVIDENCE_MEMBER = re.compile(r"^evidence/([0-9a-f]{64})\.(pdf|jpg|png)$")
MAX_PACKET_BYTES = 300 * 1024 * 1024     # the file itself (sealed or not)
MAX_MANIFEST_BYTES = 512 * 1024
MAX_SIGNATURE_BYTES = 4 * 1024
MAX_DATA_BYTES = 16 * 1024 * 1024        # data.json once uncompressed
MAX_CONTAINERS = 200_000                 # JSON objects and lists in data.json
MAX_EVIDENCE_FILES = 2_000
MAX_EVIDENCE_TOTAL = 280 * 1024 * 1024
MAX_ROWS = 100_000                       # cells, registrations, ... per list
FUTURE_TOLERANCE = dt.timedelta(days=1)  # clocks and time zones of two offices
SETTING_PREFIXES_KEPT_HOME = ("backup.",)   # machine-specific settings never travel


class PacketError(UserError):
    """A packet refused: damaged, altered, unsigned, from an unknown sender, or bad data."""


class UnknownSenderError(PacketError):
    """Signed by a key this office has not registered: ``claim`` says who the packet says it
    is from and what the key's fingerprint is, so the person can call and compare."""

    def __init__(self, message: str, claim: SenderClaim):
        super().__init__(message)
        self.claim = claim


@dataclass(frozen=True)
class SenderClaim:
    """Who a packet (or a public key file) says it comes from, and its keys."""

    source: str
    name: str
    code: str
    role: SenderRole
    signing_public: bytes
    box_public: bytes

    @property
    def fingerprint(self) -> str:
        return signing.fingerprint(self.signing_public, self.box_public)


@dataclass(frozen=True)
class EvidenceMember:
    sha256: str
    member: str
    size: int
    media_type: str


@dataclass(frozen=True)
class Packet:
    """A packet read and checked (nothing written yet)."""

    source: str
    kind: str
    organisation_code: str
    organisation_name: str
    year: int
    exported_at: dt.datetime
    sha256: str
    data: dict
    sender: Sender | None = None
    evidence: dict[str, EvidenceMember] = field(default_factory=dict)
    opener: Callable[[], zipfile.ZipFile] | None = None

    def evidence_bytes(self, sha256: str) -> bytes:
        """An evidence file's bytes, read again and checked against the manifest."""
        member = self.evidence[sha256]
        with self.opener() as archive:
            content = _read_member(archive, archive.getinfo(member.member), evidence.MAX_BYTES,
                                   self.source)
        if hashlib.sha256(content).hexdigest() != sha256 or len(content) != member.size:
            raise _refuse(self.source, "tệp đính kèm trong gói đã thay đổi trong lúc nhập")
        return content


@dataclass(frozen=True)
class ImportOutcome:
    source: str
    organisation_code: str
    organisation_name: str
    year: int
    action: str          # "new", "updated", "identical", "older", "decisions"
    cells: int
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.action in ("new", "updated") or (self.action == "decisions"
                                                     and self.cells > 0)

    def describe(self) -> str:
        who = f"{self.organisation_name} ({self.organisation_code}) năm {self.year}"
        text = {
            "new": f"{self.source}: đã nhập {who}, {self.cells} chi bộ.",
            "updated": f"{self.source}: đã cập nhật {who} theo gói mới hơn, {self.cells} chi bộ.",
            "identical": f"{self.source}: {who} đã được nhập đúng gói này; không thay đổi gì.",
            "older": f"{self.source}: gói của {who} cũ hơn gói đã nhập; không thay đổi gì.",
            "decisions": f"{self.source}: đã ghi {self.cells} quyết định của cấp trên cho {who}.",
        }[self.action]
        return " ".join([text, *self.notes])


# ------------------------------------------------------------------------------ export
def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _evidence_entries(office: Office, year: int, targets: set[EvidenceTarget] | None = None,
                      award_ids: set[int] | None = None) -> tuple[list[dict], dict[str, bytes]]:
    """The year's evidence as packet entries, and the bytes by SHA-256 (each file once)."""
    entries, contents = [], {}
    for info in evidence_of_year(office, year):
        if targets is not None and info.target not in targets:
            continue
        if award_ids is not None and info.record_id not in award_ids:
            continue
        if info.sha256 not in contents:
            contents[info.sha256] = evidence_content(office, info.id)[1]
        entries.append({
            "target": info.target.value, "cell": info.cell_code or None,
            "kind": info.award_kind or None, "file_name": info.file_name,
            "sha256": info.sha256, "media_type": info.media_type, "size": info.size,
            "note": info.note, "attached_at": info.attached_at.isoformat()})
    return entries, contents


def packet_data(office: Office, year: int) -> tuple[dict, dict[str, bytes]]:
    """The ward's year as plain JSON-able data (the identity in force for the year and every
    version, the catalogue the year is scored with, the cells' lives and merges), and its
    evidence files' bytes by SHA-256."""
    code = queries.organisation(office).code
    organisation = queries.identity_on(office, queries.year_document_date(office, year))
    phase = queries.phase_for_year(office, year)
    groups = [group for scope in Scope
              if any(version.scope == scope.value for version in phase.versions)
              for group in phase.catalogue(year, scope)]
    item_keys = {item.id: (group.scope, group.position, item.position)
                 for group in groups for item in group.items}
    cells = queries.cells(office, include_dissolved=True)
    code_of = {cell.id: cell.code for cell in cells}
    registrations = queries.registrations(office, year)
    evaluations = queries.evaluations(office, year)
    awards = queries.awards(office, year)
    year_rules = queries.year_rules(office, year)
    thresholds = {key: getattr(year_rules, rule) for key, rule in THRESHOLD_FIELDS.items()}
    thresholds["min_classification"] = year_rules.min_classification.value
    entries, contents = _evidence_entries(office, year)
    data = {
        "organisation": {
            "code": code, "name": organisation.name,
            "upper_body": organisation.upper_body, "place_name": organisation.place_name,
        },
        "identities": [{"valid_from": _date(version.valid_from),
                        **{key: getattr(version, key) or "" for key in IDENTITY_FIELDS}}
                       for version in queries.identities(office)],
        "links": [[code_of[link.predecessor_id], code_of[link.successor_id]]
                  for link in queries.links(office)],
        "phase": {
            "title": phase.title, "plan_reference": phase.plan_reference,
            "first_year": phase.first_year, "last_year": phase.last_year,
            **thresholds,
            "years": [{"year": item.year, "launch_date": _date(item.launch_date),
                       "registration_deadline": _date(item.registration_deadline),
                       "review_deadline": _date(item.review_deadline)}
                      for item in phase.years],
            "groups": [{"scope": group.scope, "position": group.position,
                        "title": group.title, "pass_points": group.pass_points,
                        "items": [{"position": item.position, "text": item.text,
                                   "max_points": item.max_points} for item in group.items]}
                       for group in groups],
        },
        "rules": rules_data(year_rules),
        "settings": {key: value for key, value in queries.settings(office).items()
                     if not key.startswith(SETTING_PREFIXES_KEPT_HOME)},
        "cells": [{"code": cell.code, "name": cell.name, "kind": cell.kind,
                   "secretary": cell.secretary, "members_count": cell.members_count,
                   "is_pilot": cell.is_pilot, "started_on": _date(cell.started_on),
                   "dissolved_on": _date(cell.dissolved_on)}
                  for cell in cells],
        "registrations": [{
            "cell": code_of[row.cell_id], "title": row.title,
            "received_on": _date(row.received_on), "members_count": row.members_count,
            "commitments": row.commitments(), "signer": row.signer, "source": row.source,
        } for row in registrations],
        "evaluations": [{
            "cell": code_of.get(row.cell_id) if row.cell_id is not None else None,
            "notes": row.notes, "disciplined_members": row.disciplined_members,
            "classification": row.classification,
            "classification_reason": row.classification_reason,
            "conditions_met": sorted(confirmed_conditions(row)),
            "scores": [{"item": list(item_keys[score.item_id]),
                        "self_points": score.self_points,
                        "committee_points": score.committee_points}
                       for score in sorted(row.scores, key=lambda s: item_keys[s.item_id])],
        } for row in evaluations],
        "awards": [{
            "cell": code_of.get(row.cell_id) if row.cell_id is not None else None,
            "kind": row.kind, "proposed_on": _date(row.proposed_on),
            "decision_number": row.decision_number, "decision_date": _date(row.decision_date),
            "issuer": row.issuer, "register_number": row.register_number, "notes": row.notes,
            **{key: getattr(row, key) for key in DECISION_PAPER_FIELDS},
            **{key: getattr(row, key) for key in DECIDED_FIELDS},
        } for row in awards],
        "evidence": entries,
    }
    return data, contents


# What a decision prints on its certificates besides its number and date (with their
# lengths); a packet of an older program has none: empty, the certificate then prints the
# identity in force on the decision's date.
DECISION_PAPER_FIELDS = {"decision_place": 100, "signer_title": 300, "signer_name": 120}
DECIDED_FIELDS = ("decided_points", "decided_classification", "decided_verdict",
                  "decided_members", "decided_streak", "decided_cells")
# The thresholds a packet's phase carries (packet key -> rule), for programs that read them
# there; the year's rules travel whole in "rules".
THRESHOLD_FIELDS = {"overall_pass": "overall_pass", "band_excellent": "band_excellent",
                    "band_good": "band_good", "band_pass": "band_pass",
                    "min_classification": "min_classification",
                    "max_disciplined": "max_disciplined", "org_cell_share": "org_cell_share",
                    "excellent_share_cap": "cap_share"}


def rules_data(year_rules: rules.YearRules) -> dict:
    """The year's rules as plain data (what ``_Checker.rules`` reads back)."""
    values = {}
    for key in rules.RULE_FIELD_KEYS:
        value = getattr(year_rules, key)
        values[key] = value.value if hasattr(value, "value") else value
    values["excellent_conditions"] = json.loads(
        rulebook.conditions_json(year_rules.excellent_conditions))
    values["sources"] = json.loads(rulebook.sources_json(year_rules.sources))
    return values


def decisions_data(office: Office, year: int) -> tuple[dict, dict[str, bytes]]:
    """The decisions the upper level recorded for a ward's year (the ward is an organisation
    of the upper level's database, received by packets), with their scans."""
    organisation = queries.organisation(office)
    with office.db.session() as session:
        received = session.scalar(select(ImportedPacket.id).where(
            ImportedPacket.organisation_id == organisation.id).limit(1))
    if received is None:
        raise UserError(f"{organisation.name} trong tệp này không phải đảng bộ cấp dưới đã gửi "
                        "gói dữ liệu lên; gói quyết định chỉ lập cho đảng bộ cấp dưới.")
    awards = [award for award in queries.awards(office, year)
              if award.is_decided and award.decision_source == DecisionSource.TYPED.value]
    if not awards:
        raise UserError(f"Năm {year} chưa có quyết định nào của cấp trên cho "
                        f"{organisation.name}.")
    entries, contents = _evidence_entries(office, year, {EvidenceTarget.DECISION},
                                          {award.id for award in awards})
    data = {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "decisions": [{
            "cell": award.cell.code if award.cell is not None else None, "kind": award.kind,
            "proposed_on": _date(award.proposed_on),
            "decision_number": award.decision_number,
            "decision_date": _date(award.decision_date), "issuer": award.issuer,
            "register_number": award.register_number, "notes": award.notes,
            **{key: getattr(award, key) for key in DECISION_PAPER_FIELDS},
        } for award in awards],
        "evidence": entries,
    }
    return data, contents


def _default(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def bytes_of(data: dict, year: int, now: dt.datetime | None = None, *, keys,
             contents: dict[str, bytes] | None = None, kind: str = YEAR,
             sender: tuple[str, str] | None = None, seal_to: bytes | None = None) -> bytes:
    """A packet holding ``data`` for ``year``, signed with ``keys`` (any object with
    ``signing_private``, ``signing_public`` and ``box_public``), optionally sealed to the
    receiver's box key ``seal_to``. ``sender``: the (code, name) the packet says it is from
    (the organisation of ``data`` by default)."""
    contents = contents or {}
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1,
                      default=_default).encode("utf-8")
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    members = {DATA: body}
    for entry in data.get("evidence", []):
        suffix = evidence.SUFFIXES[entry["media_type"]]
        members[f"evidence/{entry['sha256']}{suffix}"] = contents[entry["sha256"]]
    if sum(len(content) for content in members.values()) > MAX_PACKET_BYTES:
        raise UserError("Gói dữ liệu quá lớn (các tệp đính kèm của năm vượt "
                        f"{MAX_PACKET_BYTES // (1024 * 1024)} MB); hãy bớt tệp đính kèm.")
    code, name = sender or (data["organisation"]["code"], data["organisation"]["name"])
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "kind": kind,
        "program_version": __version__,
        "organisation_code": data["organisation"]["code"],
        "organisation_name": data["organisation"]["name"],
        "year": year, "exported_at": now.isoformat(timespec="microseconds"),
        "sender": {"code": code, "name": name, "signing_key": _b64(keys.signing_public),
                   "box_key": _b64(keys.box_public)},
        "files": {member: {"sha256": hashlib.sha256(content).hexdigest(),
                           "size": len(content)} for member, content in members.items()},
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    signature = {"algorithm": "Ed25519",
                 "signature": _b64(signing.sign(keys.signing_private, manifest_bytes))}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, json.dumps(signature))
        for member, content in members.items():
            archive.writestr(member, content, zipfile.ZIP_DEFLATED if member == DATA
                             else zipfile.ZIP_STORED)
    packed = buffer.getvalue()
    return signing.seal(packed, seal_to) if seal_to is not None else packed


def export_packet(office: Office, year: int, target: str | os.PathLike,
                  now: dt.datetime | None = None, seal_to: Sender | None = None,
                  progress: Progress = null_progress) -> Path:
    """Write the ward's year to ``target``, signed with this office's key (made on first
    use), sealed to ``seal_to`` when given. On ``Cancelled`` (from ``progress``) no file is
    left."""
    from chibo4tot_desktop.ops.keys import own_keys

    progress(0, 3, "Đang đọc dữ liệu của năm…")
    data, contents = packet_data(office, year)
    progress(1, 3, "Đang đóng gói và ký…")
    keys = own_keys(office)
    content = bytes_of(data, year, now, keys=keys, contents=contents,
                       seal_to=seal_to.box_public if seal_to else None)
    progress(2, 3, "Đang ghi gói dữ liệu…")
    return write_bytes(target, content, progress)


def export_decisions(office: Office, year: int, target: str | os.PathLike,
                     now: dt.datetime | None = None, seal_to: Sender | None = None,
                     progress: Progress = null_progress) -> Path:
    """Write the upper level's decisions for the ward ``office`` works on to ``target``. On
    ``Cancelled`` (from ``progress``) no file is left."""
    from chibo4tot_desktop.ops.keys import own_keys

    progress(0, 3, "Đang đọc các quyết định của năm…")
    data, contents = decisions_data(office, year)
    progress(1, 3, "Đang đóng gói và ký…")
    keys = own_keys(office)
    issuers = sorted({row["issuer"] for row in data["decisions"]})
    content = bytes_of(data, year, now, keys=keys, contents=contents, kind=DECISIONS,
                       sender=("", "; ".join(issuers)[:200]),
                       seal_to=seal_to.box_public if seal_to else None)
    progress(2, 3, "Đang ghi gói quyết định…")
    return write_bytes(target, content, progress)


# ------------------------------------------------------------------------------ reading
def _refuse(source: str, why: str) -> PacketError:
    return PacketError(f"Gói dữ liệu '{source}' bị từ chối: {why}; không nhập gì.")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                 source: str) -> bytes:
    if info.file_size > limit:
        raise _refuse(source, f"tệp {info.filename} quá lớn")
    try:
        with archive.open(info) as handle:
            content = handle.read(limit + 1)   # never trust the size written in the header
    except zipfile.BadZipFile:
        raise _refuse(source, "tệp bị hỏng (không giải nén được)") from None
    if len(content) > limit:
        raise _refuse(source, f"tệp {info.filename} quá lớn")
    return content


def _load(path: Path, keyring: Keyring | None) -> tuple[str, Callable[[], zipfile.ZipFile]]:
    """The packet's zip (opened from the file, or from the bytes a sealed packet holds)."""
    source = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(len(signing.SEALED_MAGIC))
    except OSError:
        raise PacketError(f"Không tìm thấy hoặc không đọc được tệp '{path}'.") from None
    if size > MAX_PACKET_BYTES:
        raise _refuse(source, "tệp quá lớn")
    if not signing.is_sealed(head):
        return source, lambda: zipfile.ZipFile(path)
    if keyring is None or keyring.own is None:
        raise _refuse(source, "gói được mã hóa cho một đơn vị khác (tệp dữ liệu này chưa có "
                              "khóa nào)")
    try:
        content = signing.open_sealed(path.read_bytes(), keyring.own.box_private,
                                      keyring.own.box_public)
    except signing.SealError as error:
        raise _refuse(source, str(error)) from None
    except OSError:
        raise PacketError(f"Không đọc được tệp '{path}'.") from None
    return source, lambda: zipfile.ZipFile(io.BytesIO(content))


def _b64_key(value, length: int, source: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (ValueError, TypeError):
        raise _refuse(source, f"{what} không hợp lệ") from None
    if len(raw) != length:
        raise _refuse(source, f"{what} không hợp lệ")
    return raw


def _manifest(archive: zipfile.ZipFile, source: str) -> tuple[dict, bytes, dict]:
    """The manifest (checked for shape), its exact bytes, and the zip's members by name."""
    infos = archive.infolist()
    if len(infos) > MAX_EVIDENCE_FILES + 3:
        raise _refuse(source, "quá nhiều tệp trong gói")
    by_name = {info.filename: info for info in infos}
    if len(by_name) != len(infos):
        raise _refuse(source, "tệp nén có tên trùng")
    # The sizes the zip's directory declares, before anything is decompressed.
    limits = {MANIFEST: MAX_MANIFEST_BYTES, SIGNATURE: MAX_SIGNATURE_BYTES, DATA: MAX_DATA_BYTES}
    for info in infos:
        limit = limits.get(info.filename, evidence.MAX_BYTES)
        if info.file_size > limit:
            raise _refuse(source, f"tệp {info.filename} quá lớn "
                                  f"({info.file_size // (1024 * 1024)} MB; tối đa "
                                  f"{limit // (1024 * 1024)} MB)")
    if any(info.flag_bits & 0x1 for info in infos):
        raise _refuse(source, "tệp nén có mật khẩu")
    if MANIFEST not in by_name:
        raise _refuse(source, "không phải gói dữ liệu của chương trình (thiếu manifest.json)")
    manifest_bytes = _read_member(archive, by_name[MANIFEST], MAX_MANIFEST_BYTES, source)
    manifest = _json(manifest_bytes, source, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(source, "không phải gói dữ liệu của chương trình")
    version = manifest.get("format_version")
    if version == 1:
        raise _refuse(source, "gói chưa được ký (do phiên bản cũ của chương trình tạo), không "
                              "chứng minh được ai gửi; hãy nhờ người gửi cập nhật chương trình "
                              "rồi xuất lại")
    if version != FORMAT_VERSION:
        raise _refuse(source, f"gói do phiên bản khác của chương trình tạo (định dạng "
                              f"{version!r})")
    if manifest.get("kind") not in (YEAR, DECISIONS):
        raise _refuse(source, "không rõ loại gói")
    if not isinstance(manifest.get("sender"), dict) or not isinstance(manifest.get("files"),
                                                                      dict):
        raise _refuse(source, "phần mô tả gói không hợp lệ")
    return manifest, manifest_bytes, by_name


def _claim(manifest: dict, source: str) -> SenderClaim:
    sender = manifest["sender"]
    role = SenderRole.WARD if manifest["kind"] == YEAR else SenderRole.UPPER
    code = clean(sender.get("code")) if isinstance(sender.get("code"), str) else ""
    name = clean(sender.get("name")) if isinstance(sender.get("name"), str) else ""
    if role is SenderRole.WARD:
        code = clean(manifest.get("organisation_code")) \
            if isinstance(manifest.get("organisation_code"), str) else code
        name = name or clean(str(manifest.get("organisation_name") or ""))
    return SenderClaim(source, name[:200], code[:40], role,
                       _b64_key(sender.get("signing_key"), signing.KEY_BYTES, source,
                                "khóa ký của người gửi"),
                       _b64_key(sender.get("box_key"), signing.KEY_BYTES, source,
                                "khóa nhận của người gửi"))


def _signature(archive: zipfile.ZipFile, by_name: dict, source: str) -> bytes:
    if SIGNATURE not in by_name:
        raise _refuse(source, "gói chưa được ký, không chứng minh được ai gửi")
    value = _json(_read_member(archive, by_name[SIGNATURE], MAX_SIGNATURE_BYTES, source),
                  source, SIGNATURE)
    if not isinstance(value, dict) or value.get("algorithm") != "Ed25519":
        raise _refuse(source, "chữ ký không hợp lệ")
    return _b64_key(value.get("signature"), 64, source, "chữ ký")


def read_claim(path: str | os.PathLike, keyring: Keyring | None = None) -> SenderClaim:
    """Who a packet says it comes from, and its keys, read to register the sender: the
    signature must be valid under the keys it names (the packet was made with those keys;
    whether they are the sender's is what the phone call decides). A public key file made by
    ``keys export`` works too."""
    path = Path(path)
    source = path.name
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_MANIFEST_BYTES + 1)
    except OSError:
        raise PacketError(f"Không tìm thấy hoặc không đọc được tệp '{path}'.") from None
    if head.lstrip().startswith(b"{"):
        return _key_file_claim(head, source)
    source, opener = _load(path, keyring)
    try:
        with opener() as archive:
            manifest, manifest_bytes, by_name = _manifest(archive, source)
            claim = _claim(manifest, source)
            signature = _signature(archive, by_name, source)
    except zipfile.BadZipFile:
        raise _refuse(source, "tệp bị hỏng hoặc không phải gói dữ liệu (tệp nén hỏng)") from None
    if not signing.verify(claim.signing_public, manifest_bytes, signature):
        raise _refuse(source, "chữ ký không hợp lệ: gói đã bị sửa sau khi ký")
    return claim


KEY_FILE_FORMAT = "chibo4tot-desktop/public-key"


def key_file_bytes(keys, code: str, name: str) -> bytes:
    """A public key file (nothing secret in it) to hand to an office that will register it."""
    return (json.dumps({
        "format": KEY_FILE_FORMAT, "code": code, "name": name,
        "signing_key": _b64(keys.signing_public), "box_key": _b64(keys.box_public),
        "fingerprint": signing.fingerprint(keys.signing_public, keys.box_public),
    }, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _key_file_claim(content: bytes, source: str) -> SenderClaim:
    value = _json(content[:MAX_MANIFEST_BYTES], source, "tệp khóa")
    if not isinstance(value, dict) or value.get("format") != KEY_FILE_FORMAT:
        raise _refuse(source, "không phải tệp khóa công khai của chương trình")
    code = clean(value.get("code")) if isinstance(value.get("code"), str) else ""
    name = clean(value.get("name")) if isinstance(value.get("name"), str) else ""
    return SenderClaim(source, name[:200], code[:40],
                       SenderRole.WARD if code else SenderRole.UPPER,
                       _b64_key(value.get("signing_key"), signing.KEY_BYTES, source, "khóa ký"),
                       _b64_key(value.get("box_key"), signing.KEY_BYTES, source, "khóa nhận"))


def _trusted_sender(claim: SenderClaim, keyring: Keyring, manifest: dict) -> Sender:
    sender = keyring.sender(claim.signing_public)
    who = f"'{claim.name}'" + (f" (mã {claim.code})" if claim.code else "")
    if keyring.own is not None and claim.signing_public == keyring.own.signing_public:
        raise _refuse(claim.source, "gói do chính văn phòng này tạo, không nhập vào chính tệp "
                                    "dữ liệu của mình")
    if sender is None:
        raise UnknownSenderError(
            f"Gói dữ liệu '{claim.source}' bị từ chối: được ký bằng khóa chưa đăng ký, tự xưng "
            f"là của {who}, vân tay {claim.fingerprint}. Hãy gọi điện cho người gửi, so từng "
            "nhóm số của vân tay rồi đăng ký khóa (Công cụ > Khóa và chữ ký); không nhập gì.",
            claim)
    if sender.box_public != claim.box_public:
        raise _refuse(claim.source, "khóa nhận ghi trong gói khác khóa đã đăng ký của người gửi")
    if manifest["kind"] == YEAR and (sender.role is not SenderRole.WARD or
                                     sender.code != manifest.get("organisation_code")):
        raise _refuse(claim.source, f"khóa của '{sender.name}' không được đăng ký để gửi dữ liệu "
                                    f"của đảng bộ mã '{manifest.get('organisation_code')}'")
    if manifest["kind"] == DECISIONS and sender.role is not SenderRole.UPPER:
        raise _refuse(claim.source, f"khóa của '{sender.name}' không được đăng ký là của cấp "
                                    "trên, không gửi quyết định được")
    return sender


def _check_members(archive: zipfile.ZipFile, by_name: dict, manifest: dict,
                   source: str) -> tuple[bytes, dict[str, EvidenceMember]]:
    """data.json's bytes and the evidence members, every one checked against the manifest."""
    listed = manifest["files"]
    present = {name for name in by_name if name not in (MANIFEST, SIGNATURE)}
    if set(listed) != present or DATA not in present:
        raise _refuse(source, "không phải gói dữ liệu của chương trình (nội dung tệp nén không "
                              "đúng)")
    declared_total = 0
    found: dict[str, EvidenceMember] = {}
    for name in sorted(present):
        info = by_name[name]
        entry = listed[name]
        if not isinstance(entry, dict) or not isinstance(entry.get("size"), int) \
                or not isinstance(entry.get("sha256"), str):
            raise _refuse(source, "phần mô tả gói không hợp lệ")
        if name == DATA:
            if info.file_size > MAX_DATA_BYTES:
                raise _refuse(source, f"tệp {DATA} quá lớn ({info.file_size // (1024 * 1024)} "
                                      f"MB; tối đa {MAX_DATA_BYTES // (1024 * 1024)} MB)")
            continue
        match = EVIDENCE_MEMBER.match(name)
        if match is None:
            raise _refuse(source, "không phải gói dữ liệu của chương trình (nội dung tệp nén "
                                  "không đúng)")
        if info.file_size > evidence.MAX_BYTES:
            raise _refuse(source, f"tệp đính kèm {name} quá lớn")
        declared_total += info.file_size
        if declared_total > MAX_EVIDENCE_TOTAL:
            raise _refuse(source, "các tệp đính kèm quá lớn")
        found[match.group(1)] = EvidenceMember(
            match.group(1), name, entry["size"],
            next(t for t, suffix in evidence.SUFFIXES.items() if suffix == "." + match.group(2)))
    data_bytes = _read_member(archive, by_name[DATA], MAX_DATA_BYTES, source)
    if hashlib.sha256(data_bytes).hexdigest() != listed[DATA]["sha256"] \
            or len(data_bytes) != listed[DATA]["size"]:
        raise _refuse(source, "mã kiểm tra (SHA-256) không khớp, gói đã bị hỏng hoặc bị sửa")
    for member in found.values():
        info = by_name[member.member]
        digest = hashlib.sha256()
        size = 0
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(1024 * 1024):
                    size += len(chunk)
                    if size > evidence.MAX_BYTES:
                        raise _refuse(source, f"tệp đính kèm {member.member} quá lớn")
                    digest.update(chunk)
        except zipfile.BadZipFile:
            raise _refuse(source, "tệp bị hỏng (không giải nén được)") from None
        if digest.hexdigest() != member.sha256 or digest.hexdigest() != \
                listed[member.member]["sha256"] or size != member.size:
            raise _refuse(source, "mã kiểm tra (SHA-256) của một tệp đính kèm không khớp, gói "
                                  "đã bị hỏng hoặc bị sửa")
    return data_bytes, found


def read_packet(path: str | os.PathLike, keyring: Keyring,
                now: dt.datetime | None = None) -> Packet:
    """Open and check a packet file against the senders ``keyring`` trusts; PacketError (one
    Vietnamese sentence) when it cannot be trusted. Nothing is written."""
    path = Path(path)
    source, opener = _load(path, keyring)
    try:
        with opener() as archive:
            manifest, manifest_bytes, by_name = _manifest(archive, source)
            claim = _claim(manifest, source)
            signature = _signature(archive, by_name, source)
            sender = _trusted_sender(claim, keyring, manifest)
            if not signing.verify(sender.signing_public, manifest_bytes, signature):
                raise _refuse(source, "chữ ký không hợp lệ: gói đã bị sửa sau khi ký")
            data_bytes, found = _check_members(archive, by_name, manifest, source)
    except zipfile.BadZipFile:
        raise _refuse(source, "tệp bị hỏng hoặc không phải gói dữ liệu (tệp nén hỏng)") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            zlib.error):
        raise _refuse(source, "tệp bị hỏng (không giải nén được)") from None
    if data_bytes.count(b"{") + data_bytes.count(b"[") > MAX_CONTAINERS:
        raise _refuse(source, f"tệp {DATA} quá lớn (quá nhiều mục)")
    data = _json(data_bytes, source, DATA)
    checker = _Checker(source)
    if manifest["kind"] == YEAR:
        checker.data(data)
    else:
        checker.decisions(data)
    checker.evidence(data, manifest["kind"], found)
    code = data["organisation"]["code"]
    year = manifest.get("year")
    if manifest.get("organisation_code") != code or not isinstance(year, int) \
            or isinstance(year, bool) or (manifest["kind"] == YEAR and not
                                          data["phase"]["first_year"] <= year
                                          <= data["phase"]["last_year"]) \
            or not 2000 <= year <= 2100:
        raise _refuse(source, "phần mô tả gói không khớp với dữ liệu")
    try:
        exported_at = dt.datetime.fromisoformat(str(manifest.get("exported_at")))
        if exported_at.tzinfo is not None:
            exported_at = exported_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):     # OverflowError: year 1 or 9999 moved to UTC
        raise _refuse(source, "thời điểm tạo gói không hợp lệ") from None
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    if exported_at > now + FUTURE_TOLERANCE:
        raise _refuse(source, f"thời điểm tạo gói ({exported_at:%d/%m/%Y %H:%M}) ở tương lai: "
                              "đồng hồ máy gửi sai hoặc gói đã bị sửa")
    return Packet(source, manifest["kind"], code, data["organisation"]["name"], year,
                  exported_at, hashlib.sha256(data_bytes).hexdigest(), data, sender, found,
                  opener)


def _json(content: bytes, source: str, name: str):
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refuse(source, f"{name} không đọc được") from None


class _Checker:
    """Checks the shape and values of data.json, cleaning texts (NFC) in place."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str):
        raise _refuse(self.source, f"dữ liệu không hợp lệ ({where})")

    def obj(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where)
        return value

    def rows(self, value, where: str) -> list:
        if not isinstance(value, list) or len(value) > MAX_ROWS:
            self.fail(where)
        return value

    def text(self, row: dict, key: str, where: str, max_length: int, required=False,
             multiline=False, nullable=False):
        value = row.get(key)
        if value is None and nullable:
            row[key] = None      # an absent key is an empty value
            return
        if not isinstance(value, str):
            self.fail(f"{where}: {key}")
        if multiline:
            value = "\n".join(clean(line) for line in value.split("\n")).strip("\n")
        else:
            value = clean(value)
        if len(value) > max_length or (required and not value):
            self.fail(f"{where}: {key}")
        row[key] = value

    def number(self, row: dict, key: str, where: str, integer=False, nullable=False,
               low: float = 0, high: float = 100_000):
        value = row.get(key)
        if value is None and nullable:
            row[key] = None      # an absent key is an empty value
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (integer and not isinstance(value, int)) or value != value \
                or not low <= value <= high:
            self.fail(f"{where}: {key}")

    def date(self, row: dict, key: str, where: str, nullable=True):
        value = row.get(key)
        if value is None and nullable:
            row[key] = None      # an absent key is an empty value
            return
        try:
            row[key] = dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{where}: {key}")

    def choice(self, row: dict, key: str, where: str, allowed, nullable=False):
        value = row.get(key)
        if value is None and nullable:
            row[key] = None      # an absent key is an empty value
            return
        if not isinstance(value, str) or value not in allowed:
            self.fail(f"{where}: {key}")

    def moment(self, row: dict, key: str, where: str):
        try:
            value = dt.datetime.fromisoformat(row.get(key))
        except (TypeError, ValueError):
            self.fail(f"{where}: {key}")
        row[key] = value.replace(tzinfo=None, microsecond=0)

    def decision_fields(self, row: dict, where: str) -> None:
        self.date(row, "proposed_on", where)
        self.date(row, "decision_date", where)
        self.text(row, "decision_number", where, 60)
        self.text(row, "issuer", where, 200)
        self.text(row, "register_number", where, 40)
        self.text(row, "notes", where, 20_000, multiline=True)
        for key, length in DECISION_PAPER_FIELDS.items():
            row.setdefault(key, "")
            self.text(row, key, where, length)

    def decisions(self, data) -> None:
        """A decision packet: the receiving ward, and decided awards of its cells."""
        data = self.obj(data, "gói")
        org = self.obj(data.get("organisation"), "đảng bộ")
        self.text(org, "code", "đảng bộ", 40, required=True)
        self.text(org, "name", "đảng bộ", 200, required=True)
        seen = set()
        for row in self.rows(data.get("decisions"), "quyết định"):
            self.obj(row, "quyết định")
            self.text(row, "cell", "quyết định", 40, nullable=True)
            self.choice(row, "kind", "quyết định", {k.value for k in AwardKind})
            if (row["cell"], row["kind"]) in seen:
                self.fail("quyết định trùng")
            seen.add((row["cell"], row["kind"]))
            self.decision_fields(row, "quyết định")
            if not row["decision_number"] or row["decision_date"] is None:
                self.fail("quyết định: thiếu số hoặc ngày")
        if not data["decisions"]:
            self.fail("gói không có quyết định nào")

    def evidence(self, data: dict, kind: str, found: dict[str, EvidenceMember]) -> None:
        """The evidence list: each entry refers to a record of the packet and to a member."""
        entries = self.rows(data.get("evidence"), "tệp đính kèm")
        if len(entries) > MAX_EVIDENCE_FILES * 10:
            self.fail("tệp đính kèm")
        if kind == YEAR:
            records = {("registration", row["cell"], None) for row in data["registrations"]}
            records |= {("evaluation", row["cell"], None) for row in data["evaluations"]}
            records |= {("proposal", row["cell"], row["kind"]) for row in data["awards"]}
            records |= {("decision", row["cell"], row["kind"]) for row in data["awards"]
                        if row["decision_number"] and row["decision_date"]}
        else:
            records = {("decision", row["cell"], row["kind"]) for row in data["decisions"]}
        used, seen = set(), set()
        for entry in entries:
            self.obj(entry, "tệp đính kèm")
            self.choice(entry, "target", "tệp đính kèm", {t.value for t in EvidenceTarget})
            self.text(entry, "cell", "tệp đính kèm", 40, nullable=True)
            self.choice(entry, "kind", "tệp đính kèm", {k.value for k in AwardKind},
                        nullable=True)
            if entry["target"] in ("registration", "evaluation") and entry.get("kind"):
                self.fail("tệp đính kèm: kind")
            key = (entry["target"], entry["cell"], entry.get("kind"))
            if key not in records:
                self.fail("tệp đính kèm không thuộc hồ sơ nào trong gói")
            self.text(entry, "file_name", "tệp đính kèm", evidence.MAX_NAME, required=True)
            self.text(entry, "note", "tệp đính kèm", 2000, multiline=True)
            self.moment(entry, "attached_at", "tệp đính kèm")
            member = found.get(entry.get("sha256")) if isinstance(entry.get("sha256"), str) \
                else None
            if member is None or entry.get("media_type") != member.media_type \
                    or entry.get("size") != member.size:
                self.fail("tệp đính kèm không khớp với tệp trong gói")
            if (key, member.sha256) in seen:
                self.fail("tệp đính kèm trùng")
            seen.add((key, member.sha256))
            used.add(member.sha256)
        if used != set(found):
            self.fail("gói có tệp đính kèm không thuộc hồ sơ nào")

    def data(self, data) -> None:
        data = self.obj(data, "gói")
        org = self.obj(data.get("organisation"), "đảng bộ")
        self.text(org, "code", "đảng bộ", 40, required=True)
        self.text(org, "name", "đảng bộ", 200, required=True)
        self.text(org, "upper_body", "đảng bộ", 200)
        self.text(org, "place_name", "đảng bộ", 100)
        phase = self.obj(data.get("phase"), "giai đoạn")
        self.text(phase, "title", "giai đoạn", 300, required=True)
        self.text(phase, "plan_reference", "giai đoạn", 200)
        self.number(phase, "first_year", "giai đoạn", integer=True, low=2000, high=2100)
        self.number(phase, "last_year", "giai đoạn", integer=True, low=phase["first_year"],
                    high=phase["first_year"] + 10)
        for key in ("overall_pass", "band_excellent", "band_good", "band_pass"):
            self.number(phase, key, "giai đoạn", high=1000)
        for key in ("org_cell_share", "excellent_share_cap"):
            self.number(phase, key, "giai đoạn", high=1)
        self.number(phase, "max_disciplined", "giai đoạn", integer=True)
        self.choice(phase, "min_classification", "giai đoạn",
                    {c.value for c in rules.Classification})
        years = set()
        for item in self.rows(phase.get("years"), "lịch năm"):
            self.obj(item, "lịch năm")
            self.number(item, "year", "lịch năm", integer=True, low=phase["first_year"],
                        high=phase["last_year"])
            if item["year"] in years:
                self.fail("lịch năm trùng")
            years.add(item["year"])
            for key in ("launch_date", "registration_deadline", "review_deadline"):
                self.date(item, key, "lịch năm")
        items = set()
        groups = set()
        for group in self.rows(phase.get("groups"), "bộ tiêu chí"):
            self.obj(group, "bộ tiêu chí")
            self.choice(group, "scope", "bộ tiêu chí", {s.value for s in Scope})
            self.number(group, "position", "bộ tiêu chí", integer=True, low=1, high=1000)
            if (group["scope"], group["position"]) in groups:
                self.fail("nhóm tiêu chí trùng")
            groups.add((group["scope"], group["position"]))
            self.text(group, "title", "bộ tiêu chí", 300, required=True)
            self.number(group, "pass_points", "bộ tiêu chí", high=1000)
            for item in self.rows(group.get("items"), "mục tiêu chí"):
                self.obj(item, "mục tiêu chí")
                self.number(item, "position", "mục tiêu chí", integer=True, low=1, high=1000)
                key = (group["scope"], group["position"], item["position"])
                if key in items:
                    self.fail("mục tiêu chí trùng")
                items.add(key)
                self.text(item, "text", "mục tiêu chí", 5000, required=True, multiline=True)
                self.number(item, "max_points", "mục tiêu chí", high=1000)
        if "rules" in data:
            data["rules"] = self.rules(data["rules"])
        settings = self.obj(data.get("settings"), "thiết lập")
        if len(settings) > 1000 or any(
                not isinstance(k, str) or len(k) > 100 or not isinstance(v, str)
                or len(v) > 10_000 for k, v in settings.items()):
            self.fail("thiết lập")
        cells = set()
        for cell in self.rows(data.get("cells"), "chi bộ"):
            self.obj(cell, "chi bộ")
            self.text(cell, "code", "chi bộ", 40, required=True)
            if cell["code"] in cells:
                self.fail(f"mã chi bộ trùng '{cell['code']}'")
            cells.add(cell["code"])
            self.text(cell, "name", "chi bộ", 200, required=True)
            self.choice(cell, "kind", "chi bộ", {k.value for k in CellKind})
            self.text(cell, "secretary", "chi bộ", 120)
            self.number(cell, "members_count", "chi bộ", integer=True)
            if not isinstance(cell.get("is_pilot"), bool):
                self.fail("chi bộ: is_pilot")
            self.date(cell, "started_on", "chi bộ")
            self.date(cell, "dissolved_on", "chi bộ")
        # Added by later versions of the program: absent from older packets.
        pairs = set()
        for link in self.rows(data.setdefault("links", []), "sáp nhập"):
            if not isinstance(link, list) or len(link) != 2 or link[0] == link[1] \
                    or any(not isinstance(code, str) or code not in cells for code in link):
                self.fail("sáp nhập")
            if tuple(link) in pairs:
                self.fail("sáp nhập trùng")
            pairs.add(tuple(link))
        dates = set()
        for version in self.rows(data.setdefault("identities", []), "tên gọi"):
            self.obj(version, "tên gọi")
            self.date(version, "valid_from", "tên gọi", nullable=False)
            if version["valid_from"] in dates:
                self.fail("tên gọi trùng ngày")
            dates.add(version["valid_from"])
            for key in IDENTITY_FIELDS:
                version.setdefault(key, "")
                self.text(version, key, "tên gọi", IDENTITY_LENGTHS[key],
                          required=key == "name")
        seen = set()
        for row in self.rows(data.get("registrations"), "đăng ký"):
            self.obj(row, "đăng ký")
            self.choice(row, "cell", "đăng ký", cells)
            if row["cell"] in seen:
                self.fail("đăng ký trùng")
            seen.add(row["cell"])
            self.text(row, "title", "đăng ký", 200)
            self.date(row, "received_on", "đăng ký", nullable=False)
            self.number(row, "members_count", "đăng ký", integer=True, nullable=True)
            commitments = row.get("commitments")
            if not isinstance(commitments, list) or len(commitments) != 4:
                self.fail("đăng ký: commitments")
            holder = {str(i): v for i, v in enumerate(commitments)}
            for i in range(4):
                self.text(holder, str(i), "đăng ký", 20_000, multiline=True)
            row["commitments"] = [holder[str(i)] for i in range(4)]
            self.text(row, "signer", "đăng ký", 120)
            self.choice(row, "source", "đăng ký", {s.value for s in RegistrationSource})
        seen = set()
        for row in self.rows(data.get("evaluations"), "phiếu chấm"):
            self.obj(row, "phiếu chấm")
            self.choice(row, "cell", "phiếu chấm", cells, nullable=True)
            if row["cell"] in seen:
                self.fail("phiếu chấm trùng")
            seen.add(row["cell"])
            self.text(row, "notes", "phiếu chấm", 20_000, multiline=True)
            self.number(row, "disciplined_members", "phiếu chấm", integer=True)
            self.choice(row, "classification", "phiếu chấm",
                        {c.value for c in rules.Classification}, nullable=True)
            row.setdefault("classification_reason", "")
            self.text(row, "classification_reason", "phiếu chấm", 2000, multiline=True)
            met = row.setdefault("conditions_met", [])
            if not isinstance(met, list) or len(met) > 100 or not all(
                    isinstance(key, str) and len(key) <= 40 for key in met):
                self.fail("phiếu chấm: conditions_met")
            scope = Scope.CELL.value if row["cell"] is not None else Scope.ORGANISATION.value
            scored = set()
            for score in self.rows(row.get("scores"), "điểm"):
                self.obj(score, "điểm")
                key = score.get("item")
                if not isinstance(key, list) or len(key) != 3 \
                        or not all(isinstance(part, (str, int)) for part in key) \
                        or tuple(key) not in items or key[0] != scope or tuple(key) in scored:
                    self.fail("điểm: mục tiêu chí")
                scored.add(tuple(key))
                self.number(score, "self_points", "điểm", nullable=True, high=1000)
                self.number(score, "committee_points", "điểm", nullable=True, high=1000)
        seen = set()
        for row in self.rows(data.get("awards"), "khen thưởng"):
            self.obj(row, "khen thưởng")
            self.choice(row, "cell", "khen thưởng", cells, nullable=True)
            self.choice(row, "kind", "khen thưởng", {k.value for k in AwardKind})
            if (row["cell"], row["kind"]) in seen:
                self.fail("khen thưởng trùng")
            seen.add((row["cell"], row["kind"]))
            self.decision_fields(row, "khen thưởng")
            for key in ("decided_points", "decided_members", "decided_streak"):
                row.setdefault(key, None)
                self.number(row, key, "khen thưởng", nullable=True, high=1000,
                            integer=key != "decided_points")
            row.setdefault("decided_classification", None)
            self.choice(row, "decided_classification", "khen thưởng",
                        {c.value for c in rules.Classification}, nullable=True)
            row.setdefault("decided_cells", None)
            self.text(row, "decided_cells", "khen thưởng", 20, nullable=True)
            row.setdefault("decided_verdict", None)
            self.choice(row, "decided_verdict", "khen thưởng",
                        {v.value for v in rules.VerdictState}, nullable=True)


    def rules(self, value) -> dict:
        """The year's rules, checked with the program's own rule checks."""
        value = self.obj(value, "quy định của năm")
        result = {}
        try:
            for key in rules.RULE_FIELD_KEYS:
                if key not in value:
                    self.fail(f"quy định của năm: {key}")
                result[key] = rulebook.field_value(key, value[key])
            conditions = value.get("excellent_conditions")
            if not isinstance(conditions, list) or not all(isinstance(item, dict)
                                                           for item in conditions):
                self.fail("quy định của năm: excellent_conditions")
            checked = rulebook.condition_values(conditions)
            sources = self.obj(value.get("sources"), "quy định của năm: sources")
            result["sources"] = {key: rulebook.source_value(source, key)
                                 for key, source in sources.items()
                                 if key in rules.RULE_FIELD_KEYS}
        except ValidationError as error:
            self.fail(f"quy định của năm: {error}")
        result["excellent_conditions"] = checked
        return result


def imported_packets(db: Database) -> list[tuple[str, str, int, dt.datetime, dt.datetime]]:
    """(ward code, ward name, year, made at, imported at) of every imported packet."""
    with db.session() as session:
        rows = session.execute(
            select(Organisation.code, Organisation.name, ImportedPacket.year,
                   ImportedPacket.exported_at, ImportedPacket.imported_at)
            .join(Organisation, Organisation.id == ImportedPacket.organisation_id)
            .order_by(ImportedPacket.year, Organisation.code))
        return [tuple(row) for row in rows]


def describe_outcomes(outcomes: Iterable[ImportOutcome]) -> list[str]:
    return [outcome.describe() for outcome in outcomes]
