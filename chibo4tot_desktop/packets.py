"""Exchange packets between a ward and the city: one file holding a ward's year.

A packet is a zip with two members:

- ``data.json``: the organisation, the phase (yearly dates, criteria catalogue), the rules
  of the year (``rules``; the phase also repeats that year's thresholds, as packets of older
  programs had them), the organisation's settings, its cells, and the year's registrations,
  evaluations with their scores, and proposals/awards. Criteria items are referred to by (scope, group position, item
  position), cells by their code, so the data does not depend on row ids.
- ``manifest.json``: format name and version, the ward's code and name, the year, when the
  packet was made (UTC), and the SHA-256 and size of ``data.json``.

``export_packet`` writes it through the program's one file writer (``files.atomic_write``).
``read_packet`` checks a packet; ``ops.exchange.import_packets`` reads packets into the city's
database: every packet is checked first (zip intact, only the two expected members, sizes
within limits, checksum, well-formed data); if any is refused nothing is written. Each ward is
its own Organisation (matched by its code). A newer packet of a ward's
year replaces that year's registrations, evaluations and awards; an identical or older one is
reported and changes nothing. The checksum detects damage and careless edits; it is not a
signature against someone who rewrites both files on purpose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from chibo4tot_desktop import __version__, rules
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import (
    AwardKind,
    CellKind,
    ImportedPacket,
    Organisation,
    RegistrationSource,
    Scope,
)
from chibo4tot_desktop.errors import UserError, ValidationError
from chibo4tot_desktop.ops import Office, queries, rulebook
from chibo4tot_desktop.files import write_bytes
from chibo4tot_desktop.ops.verdicts import confirmed_conditions
from chibo4tot_desktop.text import clean

FORMAT = "chibo4tot-desktop/packet"
FORMAT_VERSION = 1
MANIFEST, DATA = "manifest.json", "data.json"
MAX_PACKET_BYTES = 50 * 1024 * 1024      # the zip file itself
MAX_MANIFEST_BYTES = 64 * 1024
MAX_DATA_BYTES = 100 * 1024 * 1024       # data.json once uncompressed
MAX_ROWS = 100_000                       # cells, registrations, ... per list


class PacketError(UserError):
    """A packet refused: damaged, altered, not a packet, or holding bad data."""


@dataclass(frozen=True)
class Packet:
    """A packet read and checked (nothing written yet)."""

    source: str
    organisation_code: str
    organisation_name: str
    year: int
    exported_at: dt.datetime
    sha256: str
    data: dict


@dataclass(frozen=True)
class ImportOutcome:
    source: str
    organisation_code: str
    organisation_name: str
    year: int
    action: str          # "new", "updated", "identical", "older"
    cells: int

    @property
    def changed(self) -> bool:
        return self.action in ("new", "updated")

    def describe(self) -> str:
        who = f"{self.organisation_name} ({self.organisation_code}) năm {self.year}"
        return {
            "new": f"{self.source}: đã nhập {who}, {self.cells} chi bộ.",
            "updated": f"{self.source}: đã cập nhật {who} theo gói mới hơn, {self.cells} chi bộ.",
            "identical": f"{self.source}: {who} đã được nhập đúng gói này; không thay đổi gì.",
            "older": f"{self.source}: gói của {who} cũ hơn gói đã nhập; không thay đổi gì.",
        }[self.action]


# ------------------------------------------------------------------------------ export
def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def packet_data(office: Office, year: int) -> dict:
    """The ward's year as plain JSON-able data."""
    organisation = queries.organisation(office)
    phase = queries.phase_for_year(office, year)
    item_keys = {item.id: (group.scope, group.position, item.position)
                 for group in phase.groups for item in group.items}
    cells = queries.cells(office, include_dissolved=True)
    code_of = {cell.id: cell.code for cell in cells}
    registrations = queries.registrations(office, year)
    evaluations = queries.evaluations(office, year)
    awards = queries.awards(office, year)
    year_rules = queries.year_rules(office, year)
    thresholds = {key: getattr(year_rules, rule) for key, rule in THRESHOLD_FIELDS.items()}
    thresholds["min_classification"] = year_rules.min_classification.value
    return {
        "organisation": {
            "code": organisation.code, "name": organisation.name,
            "upper_body": organisation.upper_body, "place_name": organisation.place_name,
        },
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
                       for group in phase.groups],
        },
        "rules": rules_data(year_rules),
        "settings": queries.settings(office),
        "cells": [{"code": cell.code, "name": cell.name, "kind": cell.kind,
                   "secretary": cell.secretary, "members_count": cell.members_count,
                   "is_pilot": cell.is_pilot, "dissolved_on": _date(cell.dissolved_on)}
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
        } for row in awards],
    }


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


def packet_bytes(office: Office, year: int, now: dt.datetime | None = None) -> bytes:
    """The packet file's content."""
    return bytes_of(packet_data(office, year), year, now)


def _default(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def bytes_of(data: dict, year: int, now: dt.datetime | None = None) -> bytes:
    """A packet holding ``data`` (as ``packet_data`` makes it) for ``year``."""
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1,
                      default=_default).encode("utf-8")
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "program_version": __version__,
        "organisation_code": data["organisation"]["code"],
        "organisation_name": data["organisation"]["name"],
        "year": year, "exported_at": now.isoformat(timespec="microseconds"),
        "files": {DATA: {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        archive.writestr(DATA, body)
    return buffer.getvalue()


def export_packet(office: Office, year: int, target: str | os.PathLike,
                  now: dt.datetime | None = None) -> Path:
    """Write the ward's year to ``target`` (through the one file writer)."""
    return write_bytes(target, packet_bytes(office, year, now))


# ------------------------------------------------------------------------------ reading
def _refuse(source: str, why: str) -> PacketError:
    return PacketError(f"Gói dữ liệu '{source}' bị từ chối: {why}; không nhập gì.")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int,
                 source: str) -> bytes:
    if info.file_size > limit:
        raise _refuse(source, f"tệp {info.filename} quá lớn")
    with archive.open(info) as handle:
        content = handle.read(limit + 1)   # never trust the size written in the header
    if len(content) > limit:
        raise _refuse(source, f"tệp {info.filename} quá lớn")
    return content


def read_packet(path: str | os.PathLike) -> Packet:
    """Open and check a packet file; PacketError (Vietnamese) when it cannot be trusted."""
    path = Path(path)
    source = path.name
    try:
        size = path.stat().st_size
    except OSError:
        raise PacketError(f"Không tìm thấy tệp '{path}'.") from None
    if size > MAX_PACKET_BYTES:
        raise _refuse(source, "tệp quá lớn")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            if sorted(names) != sorted([MANIFEST, DATA]):
                raise _refuse(source, "không phải gói dữ liệu của chương trình (nội dung tệp "
                                      "nén không đúng)")
            by_name = {info.filename: info for info in infos}
            if any(info.flag_bits & 0x1 for info in infos):
                raise _refuse(source, "tệp nén có mật khẩu")
            manifest_bytes = _read_member(archive, by_name[MANIFEST], MAX_MANIFEST_BYTES, source)
            data_bytes = _read_member(archive, by_name[DATA], MAX_DATA_BYTES, source)
    except zipfile.BadZipFile:
        raise _refuse(source, "tệp bị hỏng hoặc không phải gói dữ liệu (tệp nén hỏng)") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            zlib.error):
        raise _refuse(source, "tệp bị hỏng (không giải nén được)") from None
    manifest = _json(manifest_bytes, source, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _refuse(source, "không phải gói dữ liệu của chương trình")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise _refuse(source, "gói do phiên bản khác của chương trình tạo "
                              f"(định dạng {manifest.get('format_version')!r})")
    expected = manifest.get("files", {}).get(DATA, {}) if isinstance(
        manifest.get("files"), dict) else {}
    digest = hashlib.sha256(data_bytes).hexdigest()
    if not isinstance(expected, dict) or expected.get("sha256") != digest \
            or expected.get("size") != len(data_bytes):
        raise _refuse(source, "mã kiểm tra (SHA-256) không khớp, gói đã bị hỏng hoặc bị sửa")
    data = _json(data_bytes, source, DATA)
    checker = _Checker(source)
    checker.data(data)
    code = data["organisation"]["code"]
    year = manifest.get("year")
    if manifest.get("organisation_code") != code or not isinstance(year, int) \
            or not data["phase"]["first_year"] <= year <= data["phase"]["last_year"]:
        raise _refuse(source, "phần mô tả gói không khớp với dữ liệu")
    try:
        exported_at = dt.datetime.fromisoformat(str(manifest.get("exported_at")))
    except ValueError:
        raise _refuse(source, "thời điểm tạo gói không hợp lệ") from None
    if exported_at.tzinfo is not None:
        exported_at = exported_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return Packet(source, code, data["organisation"]["name"], year, exported_at, digest, data)


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
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (integer and not isinstance(value, int)) or value != value \
                or not low <= value <= high:
            self.fail(f"{where}: {key}")

    def date(self, row: dict, key: str, where: str, nullable=True):
        value = row.get(key)
        if value is None and nullable:
            return
        try:
            row[key] = dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{where}: {key}")

    def choice(self, row: dict, key: str, where: str, allowed, nullable=False):
        value = row.get(key)
        if value is None and nullable:
            return
        if value not in allowed:
            self.fail(f"{where}: {key}")

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
            self.date(cell, "dissolved_on", "chi bộ")
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
                if not isinstance(key, list) or len(key) != 3 or tuple(key) not in items \
                        or key[0] != scope or tuple(key) in scored:
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
            self.date(row, "proposed_on", "khen thưởng")
            self.date(row, "decision_date", "khen thưởng")
            self.text(row, "decision_number", "khen thưởng", 60)
            self.text(row, "issuer", "khen thưởng", 200)
            self.text(row, "register_number", "khen thưởng", 40)
            self.text(row, "notes", "khen thưởng", 20_000, multiline=True)


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
