"""Packets that prove their sender and whose content is checked like typed input; decisions
sent down to the ward; evidence travelling with the packets; sealed packets.

Every refusal also checks that nothing was written (the receiver's tables are unchanged)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import zipfile
import zlib

import pytest
from sqlalchemy import func, select

from chibo4tot_desktop import packets, signing
from chibo4tot_desktop.cli import main
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import (
    DecisionSource,
    Organisation,
    Score,
    TrustedSender,
)
from chibo4tot_desktop.demo import build_demo
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.awards import clear_decision, record_decision
from chibo4tot_desktop.ops.cells import dissolve_cell
from chibo4tot_desktop.ops.evidence import attach_evidence, evidence_content, evidence_of_year
from chibo4tot_desktop.ops.exchange import import_packets
from chibo4tot_desktop.ops.keys import own_fingerprint, own_keys, senders, trust_sender
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.verdicts import ScoreInput
from chibo4tot_desktop.packets import PacketError, UnknownSenderError, export_decisions, \
    export_packet
from chibo4tot_desktop.safety.check import table_checksum
from tests.builders import trust_keys, trust_office
from tests.evidence_files import jpeg_bytes, pdf_bytes, png_bytes

T0 = dt.datetime(2026, 1, 15, 8, 0, 0)   # after every record of the demo


@pytest.fixture(scope="module")
def ward_file(tmp_path_factory):
    """The demo ward with its key, built once; each test works on a copy."""
    path = tmp_path_factory.mktemp("ward") / "ward.sqlite3"
    database = open_database(path)
    office = Office(database)
    build_demo(office)
    own_keys(office)
    database.close()
    return path


@pytest.fixture
def ward(ward_file, tmp_path):
    path = tmp_path / "ward.sqlite3"
    shutil.copy(ward_file, path)
    database = open_database(path)
    yield Office(database)
    database.close()


@pytest.fixture
def city(tmp_path, ward):
    """The upper level's own SQLite file, which registered the ward's key."""
    database = open_database(tmp_path / "city.sqlite3")
    trust_office(database, ward)
    yield database
    database.close()


def _ward_in(db, code="TANGIANG") -> Office:
    with db.session() as session:
        return Office(db, session.scalar(select(Organisation.id).where(
            Organisation.code == code)))


def _count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _parts(path):
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        data = json.loads(archive.read("data.json"))
        contents = {name.split("/")[1].split(".")[0]: archive.read(name)
                    for name in archive.namelist() if name.startswith("evidence/")}
    return manifest, data, contents


def _remade(path, target, keys, change=None, exported_at=None, contents=None):
    """The packet's data changed by ``change`` and signed again with ``keys``: what a
    careless (or dishonest) holder of that key would send."""
    manifest, data, stored = _parts(path)
    if change is not None:
        change(data)
    made = exported_at or dt.datetime.fromisoformat(manifest["exported_at"])
    kind = manifest["kind"]
    content = packets.bytes_of(data, manifest["year"], made, keys=keys,
                               contents=contents or stored, kind=kind,
                               sender=(manifest["sender"]["code"], manifest["sender"]["name"]))
    target.write_bytes(content)
    return target


def _refused(db, paths, match, kind=PacketError):
    before = table_checksum(db.path)
    with pytest.raises(kind, match=match) as caught:
        import_packets(db, paths)
    assert "không nhập gì" in str(caught.value)
    assert table_checksum(db.path) == before
    return caught.value


# ---------------------------------------------------------------------- proving the sender
def test_unsigned_packet_is_refused(ward, city, tmp_path):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)
    unsigned = tmp_path / "unsigned.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(unsigned, "w") as archive:
        for name in source.namelist():
            if name != "signature.json":
                archive.writestr(name, source.read(name))
    _refused(city, [unsigned], "chưa được ký")
    # A packet of the first format (no signature at all) says why it is refused.
    manifest, data, _ = _parts(good)
    old = tmp_path / "old.zip"
    body = json.dumps(data).encode()
    with zipfile.ZipFile(old, "w") as archive:
        archive.writestr("manifest.json", json.dumps({
            **manifest, "format_version": 1, "files": {"data.json": {
                "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}}}))
        archive.writestr("data.json", body)
    _refused(city, [old], "chưa được ký .*phiên bản cũ")


def test_unknown_key_is_refused_then_registered_after_the_phone_call(ward, tmp_path):
    receiver = open_database(tmp_path / "city.sqlite3")
    try:
        packet = export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)
        error = _refused(receiver, [packet], "khóa chưa đăng ký", UnknownSenderError)
        fingerprint = own_fingerprint(ward)
        assert error.claim.fingerprint == fingerprint and fingerprint in str(error)
        assert error.claim.code == "TANGIANG"
        # A fingerprint misheard over the phone registers nothing.
        wrong = fingerprint[:-1] + ("1" if fingerprint[-1] != "1" else "2")
        with pytest.raises(ValidationError, match="không khớp"):
            trust_sender(Office(receiver), name=error.claim.name, code=error.claim.code,
                         role="ward", signing_public=error.claim.signing_public,
                         box_public=error.claim.box_public, typed_fingerprint=wrong)
        assert _count(receiver, TrustedSender) == 0
        trust_sender(Office(receiver), name=error.claim.name, code=error.claim.code,
                     role="ward", signing_public=error.claim.signing_public,
                     box_public=error.claim.box_public,
                     typed_fingerprint=fingerprint.replace(" ", "-"))
        assert [o.action for o in import_packets(receiver, [packet])] == ["new"]
    finally:
        receiver.close()


def test_forged_packets_are_refused(ward, city, tmp_path):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)

    def more_recognised(data):
        for row in data["evaluations"]:
            for score in row["scores"]:
                score["committee_points"] = score["self_points"]

    # Someone rewrites data.json and signs with a key of their own: an unknown key.
    forger = signing.new_keys()
    _refused(city, [_remade(good, tmp_path / "forged.zip", forger, more_recognised)],
             "khóa chưa đăng ký", UnknownSenderError)
    # Another ward's registered key cannot speak for Tân Giang.
    other = signing.new_keys()
    trust_keys(city, other, "HAPHUONG", "Đảng bộ phường Hà Phương")
    _refused(city, [_remade(good, tmp_path / "other.zip", other, more_recognised)],
             "không được đăng ký để gửi dữ liệu của đảng bộ mã 'TANGIANG'")
    # An upper level's key cannot send a ward's year either.
    upper = signing.new_keys()
    trust_keys(city, upper, "", "Tỉnh ủy", role="upper")
    _refused(city, [_remade(good, tmp_path / "upper.zip", upper, more_recognised)],
             "không được đăng ký để gửi dữ liệu")
    # The ward's own signature over a manifest changed afterwards: refused.
    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(altered, "w") as archive:
        for name in source.namelist():
            content = source.read(name)
            if name == "manifest.json":
                content = content.replace(b'"year": 2023', b'"year": 2024')
            archive.writestr(name, content)
    _refused(city, [altered], "chữ ký không hợp lệ")
    assert [o.action for o in import_packets(city, [good])] == ["new"]


def test_sealed_packet_opens_only_at_its_receiver(ward, city, tmp_path):
    from chibo4tot_desktop.ops.keys import senders as registered

    # The ward registers the upper level's key (from its public key file).
    key_file = tmp_path / "khoa-cap-tren.txt"
    assert main(["keys", "export", "--data", str(city.path), "--name", "Tỉnh ủy",
                 str(key_file)]) == 0
    upper_fingerprint = own_fingerprint(Office(city))
    assert main(["keys", "trust", "--data", str(ward.db.path), str(key_file),
                 "--fingerprint", upper_fingerprint]) == 0
    upper = registered(ward.db)[0]
    assert upper.role.value == "upper" and upper.name == "Tỉnh ủy"
    sealed = export_packet(ward, 2023, tmp_path / "sealed.zip", now=T0, seal_to=upper)
    content = sealed.read_bytes()
    assert content.startswith(signing.SEALED_MAGIC)
    assert b"TANGIANG" not in content and "Tân Giang".encode() not in content
    # A third office (here: the ward itself) cannot open it.
    other = open_database(tmp_path / "other.sqlite3")
    try:
        own_keys(Office(other))
        _refused(other, [sealed], "mã hóa cho đơn vị khác")
    finally:
        other.close()
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(content[:-40] + bytes(b ^ 0x55 for b in content[-40:]))
    _refused(city, [damaged], "không giải mã được")
    assert [o.action for o in import_packets(city, [sealed])] == ["new"]


# ------------------------------------------------- content checked like typed input
def test_scores_above_the_items_maximum_are_refused(ward, city, tmp_path):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)

    def thousand(data):
        for row in data["evaluations"]:
            for score in row["scores"]:
                score["committee_points"] = 1000

    bad = _remade(good, tmp_path / "bad.zip", own_keys(ward), thousand)
    _refused(city, [bad], "Điểm Đảng ủy chấm 1000 vượt điểm tối đa")


def test_a_packet_made_in_the_future_is_refused(ward, city, tmp_path):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)
    future = _remade(good, tmp_path / "2099.zip", own_keys(ward),
                     exported_at=dt.datetime(2099, 1, 1))
    _refused(city, [future], "ở tương lai")
    # The genuine packet that follows is still taken (the 2099 one left no mark).
    assert [o.action for o in import_packets(city, [good])] == ["new"]


def test_record_dates_after_the_packet_was_made_are_refused(ward, city, tmp_path):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)

    def late(data):
        data["registrations"][0]["received_on"] = "2026-06-01"

    _refused(city, [_remade(good, tmp_path / "late.zip", own_keys(ward), late)],
             "sau ngày tạo gói")


def test_a_years_packet_cannot_delete_other_years_scores(ward, city, tmp_path):
    """A 2025 packet whose catalogue lacks an item scored in 2023 and 2024 goes in as 2025's
    own catalogue version: the other years keep the version they were scored with, their
    scores, verdicts and results."""
    import_packets(city, [export_packet(ward, 2023, tmp_path / "2023.zip", now=T0),
                          export_packet(ward, 2024, tmp_path / "2024.zip", now=T0)])
    city_ward = _ward_in(city)
    scores = _count(city, Score)
    assert scores > 100
    from tests.test_packets import _summary

    before = (_summary(city_ward, 2023), _summary(city_ward, 2024))
    # After the demo's 2025 decisions (20/01/2026): a packet is never made before what it holds.
    packet_2025 = export_packet(ward, 2025, tmp_path / "2025.zip",
                                now=dt.datetime(2026, 2, 1, 8, 0, 0))
    removed_keys = []

    def without_items(data):
        for group in data["phase"]["groups"]:
            if group["scope"] == "cell":
                removed = group["items"].pop()
                group["items"][0]["max_points"] += removed["max_points"]   # still 100
                removed_keys.append(["cell", group["position"], removed["position"]])
        for evaluation in data["evaluations"]:
            evaluation["scores"] = [score for score in evaluation["scores"]
                                    if score["item"] not in removed_keys]

    changed = _remade(packet_2025, tmp_path / "changed.zip", own_keys(ward), without_items)
    assert [o.action for o in import_packets(city, [changed])] == ["new"]
    assert _count(city, Score) > scores                     # 2025's, none of the others lost
    assert (_summary(city_ward, 2023), _summary(city_ward, 2024)) == before
    phase = queries.phase_for_year(city_ward, 2023)
    items_of = {year: sum(len(group.items) for group in phase.catalogue(year, "cell"))
                for year in (2023, 2024, 2025)}
    assert items_of[2023] == items_of[2024] == items_of[2025] + len(removed_keys)


def test_a_years_packet_cannot_dissolve_a_cell_before_another_years_records(ward, city,
                                                                           tmp_path):
    """The ward's own program refuses this (cells.dissolve_cell); a packet that says it is
    refused as well."""
    import_packets(city, [export_packet(ward, 2024, tmp_path / "2024.zip", now=T0)])
    packet = export_packet(ward, 2023, tmp_path / "2023.zip", now=T0 + dt.timedelta(hours=1))

    def dissolved_early(data):
        for cell in data["cells"]:
            if cell["code"] == "TDP01":
                cell["dissolved_on"] = "2024-06-01"

    bad = _remade(packet, tmp_path / "bad.zip", own_keys(ward), dissolved_early)
    _refused(city, [bad], "TDP01 giải thể ngày 01/06/2024.*năm 2024")


def test_register_numbers_of_other_years_are_not_reused(ward, city, tmp_path):
    import_packets(city, [export_packet(ward, 2023, tmp_path / "2023.zip", now=T0)])
    used = next(a.register_number for a in queries.awards(ward, 2023) if a.register_number)
    packet = export_packet(ward, 2024, tmp_path / "2024.zip", now=T0)

    def reuse(data):
        awarded = {row["cell"] for row in data["awards"] if row["kind"] == "cell_recognition"}
        cell = next(row["cell"] for row in data["registrations"] if row["cell"] not in awarded)
        data["awards"].append({"cell": cell, "kind": "cell_recognition",
                               "proposed_on": "2024-12-10", "decision_number": "9-QĐ/TU",
                               "decision_date": "2024-12-28", "issuer": "Ban Thường vụ",
                               "register_number": used, "notes": ""})

    _refused(city, [_remade(packet, tmp_path / "bad.zip", own_keys(ward), reuse)],
             f"số sổ '{used}' đã dùng cho khen thưởng năm 2023")


def test_a_small_zip_of_a_huge_data_file_is_refused_before_it_is_read(ward, city, tmp_path,
                                                                      monkeypatch):
    """104 KB on disk, 99 MB of '{}' inside: refused from the zip's directory, without
    decompressing or parsing it."""
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)
    body = b"[" + b"{}," * (33 * 1024 * 1024) + b"{}]"
    manifest, _data, _ = _parts(good)
    manifest["files"]["data.json"] = {"sha256": hashlib.sha256(body).hexdigest(),
                                      "size": len(body)}
    manifest_bytes = json.dumps(manifest).encode()
    keys = own_keys(ward)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("signature.json", json.dumps({
            "algorithm": "Ed25519",
            "signature": packets._b64(signing.sign(keys.signing_private, manifest_bytes))}))
        archive.writestr("data.json", body)
    del body
    assert bomb.stat().st_size < 400_000
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr(packets.json, "loads", lambda text, *a, **k: parsed.append(len(text))
                        or real_loads(text, *a, **k))
    read = []
    monkeypatch.setattr(zlib, "decompressobj", lambda *a, **k: read.append(1) or
                        pytest.fail("decompressed"))
    _refused(city, [bomb], r"data.json quá lớn \(99 MB")
    assert parsed == [] and read == []


def test_a_data_file_of_countless_little_objects_is_refused_before_parsing(ward, city,
                                                                        tmp_path, monkeypatch):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)

    def padded(data):
        data["settings"] = {f"k{n}": "" for n in range(10)}
        data["cells"][0]["secretary"] = ""

    made = _remade(good, tmp_path / "many.zip", own_keys(ward), padded)
    manifest, data, contents = _parts(made)
    body = json.dumps(data).encode()[:-1] + b', "x": [' + b"{}," * 300_000 + b"{}]}"
    manifest["files"]["data.json"] = {"sha256": hashlib.sha256(body).hexdigest(),
                                      "size": len(body)}
    manifest_bytes = json.dumps(manifest).encode()
    keys = own_keys(ward)
    many = tmp_path / "many2.zip"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("signature.json", json.dumps({
            "algorithm": "Ed25519",
            "signature": packets._b64(signing.sign(keys.signing_private, manifest_bytes))}))
        archive.writestr("data.json", body)
    parsed = []
    real_loads = json.loads
    monkeypatch.setattr(packets.json, "loads", lambda text, *a, **k: parsed.append(len(text))
                        or real_loads(text, *a, **k))
    _refused(city, [many], "quá nhiều mục")
    assert all(size < 100_000 for size in parsed)     # the manifest and signature only


# ----------------------------------------------------------------- evidence in packets
def test_evidence_travels_with_the_packet(ward, city, tmp_path):
    cell = queries.cell_by_code(ward, "TDP06")
    registration = queries.registration(ward, cell.id, 2023)
    evaluation = queries.evaluation(ward, cell.id, 2023)
    award = next(a for a in queries.awards(ward, 2023) if a.cell_id == cell.id)
    (tmp_path / "dk.pdf").write_bytes(pdf_bytes("Bản đăng ký đã ký"))
    (tmp_path / "bb.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "qd.png").write_bytes(png_bytes())
    attach_evidence(ward, "registration", registration.id, [tmp_path / "dk.pdf"], "bản quét")
    attach_evidence(ward, "evaluation", evaluation.id, [tmp_path / "bb.jpg"])
    attach_evidence(ward, "decision", award.id, [tmp_path / "qd.png"])
    packet = export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)
    import_packets(city, [packet])
    city_ward = _ward_in(city)
    sent = sorted((i.target.value, i.cell_code, i.file_name, i.sha256, i.note)
                  for i in evidence_of_year(ward, 2023))
    received = evidence_of_year(city_ward, 2023)
    assert sorted((i.target.value, i.cell_code, i.file_name, i.sha256, i.note)
                  for i in received) == sent
    pdf = next(i for i in received if i.file_name == "dk.pdf")
    assert evidence_content(city_ward, pdf.id)[1] == (tmp_path / "dk.pdf").read_bytes()


def test_hostile_evidence_in_a_packet_is_refused(ward, city, tmp_path):
    cell = queries.cell_by_code(ward, "TDP06")
    registration = queries.registration(ward, cell.id, 2023)
    (tmp_path / "dk.pdf").write_bytes(pdf_bytes("Bản đăng ký"))
    attach_evidence(ward, "registration", registration.id, [tmp_path / "dk.pdf"])
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)
    manifest, data, contents = _parts(good)
    sha = next(iter(contents))
    # The bytes swapped after signing: the checksum catches it.
    swapped = tmp_path / "swapped.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(swapped, "w") as archive:
        for name in source.namelist():
            content = source.read(name)
            archive.writestr(name, content[:-100] if name.startswith("evidence/") else content)
    _refused(city, [swapped], "tệp đính kèm không khớp")
    # A careless sender's truncated PDF, signed: refused by the same content check as a file
    # attached by hand.
    truncated = contents[sha][:-300]
    new_sha = hashlib.sha256(truncated).hexdigest()

    def point_to_truncated(value):
        value["evidence"][0]["sha256"] = new_sha
        value["evidence"][0]["size"] = len(truncated)

    bad = _remade(good, tmp_path / "bad.zip", own_keys(ward), point_to_truncated,
                  contents={new_sha: truncated})
    _refused(city, [bad], "cắt cụt")


# ------------------------------------------------------------------ decisions sent down
def _decide_at_city(city, code="TDP06", number="125-QĐ/TU", register="88/2023"):
    city_ward = _ward_in(city)
    cell = queries.cell_by_code(city_ward, code)
    award = next(a for a in queries.awards(city_ward, 2023) if a.cell_id == cell.id)
    clear = award.is_decided
    if clear:
        clear_decision(city_ward, award.id)
    record_decision(city_ward, [award.id], decision_number=number,
                    decision_date=dt.date(2024, 1, 20), issuer="Ban Thường vụ Tỉnh ủy",
                    first_register_number=register)
    return city_ward, award


def test_a_newer_ward_packet_keeps_the_decision_made_above(ward, city, tmp_path):
    import_packets(city, [export_packet(ward, 2023, tmp_path / "old.zip", now=T0)])
    city_ward, award = _decide_at_city(city)
    (tmp_path / "qd.pdf").write_bytes(pdf_bytes("Quyết định 125"))
    attach_evidence(city_ward, "decision", award.id, [tmp_path / "qd.pdf"])
    # The ward changes a score, clears its own copy of the decision, sends again.
    cell = queries.cell_by_code(ward, "TDP06")
    evaluation = queries.evaluation(ward, cell.id, 2023)
    save_evaluation(ward, cell.id, 2023, scores={evaluation.scores[0].item_id:
                                                 ScoreInput(0, 0)},
                    notes=evaluation.notes, disciplined_members=evaluation.disciplined_members,
                    expected_version=evaluation.version,
                    confirm="Sửa điểm chấm nhầm")       # 2023 is a decided year
    ward_award = next(a for a in queries.awards(ward, 2023) if a.cell_id == cell.id)
    clear_decision(ward, ward_award.id)
    newer = export_packet(ward, 2023, tmp_path / "new.zip", now=T0 + dt.timedelta(days=1))
    outcome = import_packets(city, [newer])[0]
    assert outcome.action == "updated" and "Giữ nguyên 1 quyết định" in outcome.describe()
    kept = next(a for a in queries.awards(city_ward, 2023) if a.id == award.id)
    assert (kept.decision_number, kept.register_number, kept.decision_source) == (
        "125-QĐ/TU", "88/2023", DecisionSource.TYPED.value)
    assert [i.file_name for i in evidence_of_year(city_ward, 2023)
            if i.target.value == "decision"] == ["qd.pdf"]
    # The ward's score change did come in.
    city_cell = queries.cell_by_code(city_ward, "TDP06")
    assert queries.evaluation(city_ward, city_cell.id, 2023).scores[0].committee_points == 0


def test_decisions_go_down_to_the_ward(ward, city, tmp_path):
    import_packets(city, [export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)])
    city_ward, _award = _decide_at_city(city)
    (tmp_path / "qd.pdf").write_bytes(pdf_bytes("Quyết định 125"))
    attach_evidence(city_ward, "decision", _award.id, [tmp_path / "qd.pdf"])
    down = export_decisions(city_ward, 2023, tmp_path / "qd.zip",
                            now=T0 + dt.timedelta(days=1))
    # The ward has not registered the upper level's key yet.
    error = _refused(ward.db, [down], "khóa chưa đăng ký", UnknownSenderError)
    assert error.claim.role.value == "upper"
    # Registered as a ward's key, it may not send decisions.
    trust_keys(ward.db, own_keys(Office(city)), "X", "Tỉnh ủy", role="ward")
    _refused(ward.db, [down], "không được đăng ký là của cấp trên")
    from chibo4tot_desktop.ops.keys import forget_sender

    forget_sender(ward, senders(ward.db)[0].id)
    trust_office(ward.db, Office(city), role="upper")
    outcome = import_packets(ward.db, [down])[0]
    assert outcome.action == "decisions" and outcome.cells == 1
    cell = queries.cell_by_code(ward, "TDP06")
    award = next(a for a in queries.awards(ward, 2023) if a.cell_id == cell.id)
    assert (award.decision_number, award.decision_date, award.issuer, award.register_number,
            award.decision_source) == ("125-QĐ/TU", dt.date(2024, 1, 20),
                                       "Ban Thường vụ Tỉnh ủy", "88/2023", "upper")
    scans = [i for i in evidence_of_year(ward, 2023) if i.target.value == "decision"]
    assert [i.file_name for i in scans] == ["qd.pdf"]
    assert evidence_content(ward, scans[0].id)[1] == (tmp_path / "qd.pdf").read_bytes()
    # The ward cannot edit or clear a decision made above.
    with pytest.raises(ValidationError, match="do cấp trên gửi xuống"):
        clear_decision(ward, award.id)
    with pytest.raises(ValidationError, match="do cấp trên gửi xuống"):
        record_decision(ward, [award.id], decision_number="1", decision_date=dt.date(2024, 2, 1),
                        issuer="x")
    # The same packet again changes nothing; an older one does not replace a newer one.
    again = import_packets(ward.db, [down])[0]
    assert again.cells == 0 and "đúng gói này" in again.describe()
    _decide_at_city(city, number="126-QĐ/TU", register="89/2023")
    newer = export_decisions(city_ward, 2023, tmp_path / "qd2.zip",
                             now=T0 + dt.timedelta(days=3))
    assert import_packets(ward.db, [newer])[0].cells == 1
    older = import_packets(ward.db, [down])[0]
    assert older.cells == 0 and "bản mới hơn" in older.describe()
    award = next(a for a in queries.awards(ward, 2023) if a.cell_id == cell.id)
    assert award.decision_number == "126-QĐ/TU"
    # The upper level's own packet does not go back into its own file.
    _refused(city, [newer], "chính văn phòng này")


def test_a_decision_clashing_with_the_wards_register_is_refused(ward, city, tmp_path):
    import_packets(city, [export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)])
    # After sending, the ward typed a decision with register number 55/2023 for TDP01.
    cell = queries.cell_by_code(ward, "TDP01")
    mine = next(a for a in queries.awards(ward, 2023) if a.cell_id == cell.id)
    clear_decision(ward, mine.id)
    record_decision(ward, [mine.id], decision_number="7-QĐ/TU", decision_date=dt.date(2024, 1, 9),
                    issuer="Ban Thường vụ Tỉnh ủy", first_register_number="55/2023")
    city_ward, _award = _decide_at_city(city, register="55/2023")
    down = export_decisions(city_ward, 2023, tmp_path / "qd.zip",
                            now=T0 + dt.timedelta(days=1))
    trust_office(ward.db, Office(city), role="upper")
    _refused(ward.db, [down], "số sổ '55/2023' đã dùng")


def test_decision_packet_command_line(ward, city, tmp_path, capsys):
    import_packets(city, [export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)])
    city_ward, _award = _decide_at_city(city)
    # The upper level records a second decision from the command line, on the ward (--org).
    at_city = ["--data", str(city.path), "--org", "TANGIANG", "--year", "2023", "--kind",
               "cell", "--cell", "TDP01"]
    assert main(["awards", "clear", *at_city]) == 0
    assert main(["awards", "decide", *at_city, "--number", "126-QĐ/TU", "--date",
                 "21/01/2024", "--issuer", "Ban Thường vụ Tỉnh ủy", "--register", "90/2023"]) == 0
    capsys.readouterr()
    out = tmp_path / "qd.zip"
    assert main(["packet", "decisions", "--data", str(city.path), "--org", "TANGIANG",
                 "--year", "2023", str(out)]) == 0
    assert "gói quyết định" in capsys.readouterr().out
    assert main(["packet", "decisions", "--data", str(city.path), "--org", "KHONGCO",
                 "--year", "2023", str(out)]) == 2
    assert "không có đảng bộ mã 'KHONGCO'" in capsys.readouterr().err
    assert main(["packet", "import", "--data", str(ward.db.path), str(out)]) == 2
    err = capsys.readouterr().err
    fingerprint = own_fingerprint(Office(city))
    assert fingerprint in err
    assert main(["keys", "trust", "--data", str(ward.db.path), str(out), "--fingerprint",
                 "12345"]) == 2
    assert "không khớp" in capsys.readouterr().err
    assert main(["keys", "trust", "--data", str(ward.db.path), str(out), "--fingerprint",
                 fingerprint]) == 0
    assert "Cấp trên gửi xuống" in capsys.readouterr().out
    assert main(["packet", "import", "--data", str(ward.db.path), str(out)]) == 0
    assert "đã ghi 2 quyết định của cấp trên" in capsys.readouterr().out
    decided = {a.cell.code: a.decision_number for a in queries.awards(ward, 2023)
               if a.decision_source == "upper"}
    assert decided == {"TDP06": "125-QĐ/TU", "TDP01": "126-QĐ/TU"}
    assert main(["keys", "list", "--data", str(ward.db.path)]) == 0
    listed = capsys.readouterr().out
    assert own_fingerprint(ward) in listed and fingerprint in listed


def test_the_audit_log_never_holds_a_private_key(ward):
    from chibo4tot_desktop.db.models import AuditEntry, OfficeKey

    with ward.db.session() as session:
        key = session.scalar(select(OfficeKey))
        texts = [f"{row.old_value}{row.new_value}" for row in session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "office_keys"))]
    assert texts and all("bí mật" in text for text in texts)
    for secret in (key.signing_private, key.box_private):
        assert all(secret.hex() not in text and packets._b64(secret) not in text
                   for text in texts)
