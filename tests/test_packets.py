"""Exchange packets: a ward's year exported by one program, imported into the city's database
(the `db` fixture: SQLite, or PostgreSQL with CHIBO4TOT_TEST_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile

import pytest
from sqlalchemy import func, select

from chibo4tot_desktop import packets, signing
from chibo4tot_desktop.cli import main
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import AuditEntry, Cell, Evaluation, Organisation
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.awards import clear_decision, withdraw
from chibo4tot_desktop.ops.registrations import delete_registration
from chibo4tot_desktop.ops.cells import add_cell, update_cell
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.verdicts import ScoreInput
from chibo4tot_desktop.ops.exchange import import_packets
from chibo4tot_desktop.ops.keys import own_keys
from chibo4tot_desktop.packets import PacketError, export_packet
from chibo4tot_desktop.files import write_bytes
from chibo4tot_desktop.reports import year_overview
from tests.builders import trust_keys, trust_office
from tests.datafiles import copy_data_file

# After the demo's decisions (12/01/2024): a packet is never made before what it holds.
T0 = dt.datetime(2024, 2, 1, 8, 0, 0)


@pytest.fixture
def ward(tmp_path, db, demo_template):
    """The demo ward, in its own SQLite file (another program's database), whose key the city
    (the `db` fixture) registered."""
    copy_data_file(demo_template, tmp_path / "ward.sqlite3")
    database = open_database(tmp_path / "ward.sqlite3")
    office = Office(database)
    trust_office(db, office)
    yield office
    database.close()


def _counts(db, table) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def _ward_office(db, code) -> Office:
    with db.session() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.code == code))
    return Office(db, org_id)


def _summary(office, year):
    overview = year_overview(office, year, today=dt.date(2024, 1, 5))
    return (overview.counts, [
        (s.cell.code, s.cell.name, s.registration.received_on if s.registration else None,
         s.result.committee_totals.total, s.result.self_totals.total,
         s.result.verdict.label, s.result.classification,
         sorted((a.kind, a.decision_number, a.register_number) for a in s.awards))
        for s in overview.cells], overview.organisation_result.verdict.label)


def test_packet_round_trip_gives_the_same_year(ward, db, tmp_path):
    path = export_packet(ward, 2023, tmp_path / "tg-2023.zip", now=T0)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["data.json", "manifest.json", "signature.json"]
        manifest = json.loads(archive.read("manifest.json"))
        body = archive.read("data.json")
    assert manifest["organisation_code"] == "TANGIANG" and manifest["year"] == 2023
    assert manifest["files"]["data.json"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert not list(tmp_path.glob(".*tmp*"))     # the temporary file was renamed

    outcomes = import_packets(db, [path])
    assert [(o.action, o.organisation_code, o.cells) for o in outcomes] == [
        ("new", "TANGIANG", len(queries.cells(ward)))]
    city_ward = _ward_office(db, "TANGIANG")
    assert _summary(city_ward, 2023) == _summary(ward, 2023)
    # Registrations keep their commitments; settings (certificate wording) come along.
    assert [r.commitments() for r in queries.registrations(city_ward, 2023)] == \
        [r.commitments() for r in queries.registrations(ward, 2023)]
    assert queries.identity_on(city_ward, dt.date(2024, 1, 12)).certificate_signer_name == \
        "Nguyễn Văn Thành"
    # The other year was not in the packet.
    assert queries.registrations(city_ward, 2024) == []


def test_identical_packet_changes_nothing(ward, db, tmp_path):
    path = export_packet(ward, 2023, tmp_path / "a.zip", now=T0)
    import_packets(db, [path])
    audit_rows = _counts(db, AuditEntry)
    again = import_packets(db, [path])
    assert [o.action for o in again] == ["identical"]
    assert "không thay đổi gì" in again[0].describe()
    assert _counts(db, AuditEntry) == audit_rows


def test_newer_packet_updates_and_older_is_refused(ward, db, tmp_path):
    old = export_packet(ward, 2023, tmp_path / "old.zip", now=T0)
    import_packets(db, [old])
    # The ward changes its year (decided: with a reason): a score, a withdrawn proposal's
    # decision, a new cell.
    cell = queries.cell_by_code(ward, "TDP06")
    evaluation = queries.evaluation(ward, cell.id, 2023)
    first = evaluation.scores[0]
    save_evaluation(ward, cell.id, 2023, scores={first.item_id: ScoreInput(0, 0)},
                         notes=evaluation.notes,
                         disciplined_members=evaluation.disciplined_members,
                         expected_version=evaluation.version,
                         confirm="Sửa theo biên bản phúc tra")
    award = next(a for a in queries.awards(ward, 2023) if a.cell_id == cell.id)
    clear_decision(ward, award.id)
    withdraw(ward, award.id)
    add_cell(ward, "TDP16", "Chi bộ Tổ dân phố 16", members_count=20,
             started_on=dt.date(2026, 11, 1))
    new = export_packet(ward, 2023, tmp_path / "new.zip", now=T0 + dt.timedelta(days=2))

    outcomes = import_packets(db, [new])
    assert [o.action for o in outcomes] == ["updated"]
    city_ward = _ward_office(db, "TANGIANG")
    assert _summary(city_ward, 2023) == _summary(ward, 2023)
    assert queries.cell_by_code(city_ward, "TDP16").name == "Chi bộ Tổ dân phố 16"
    city_cell = queries.cell_by_code(city_ward, "TDP06")
    assert award.kind not in [a.kind for a in queries.awards(city_ward, 2023)
                              if a.cell_id == city_cell.id]

    before = _summary(city_ward, 2023)
    outcomes = import_packets(db, [old])
    assert [o.action for o in outcomes] == ["older"]
    assert "cũ hơn" in outcomes[0].describe()
    assert _summary(city_ward, 2023) == before


def test_a_replaced_year_audits_every_row_it_deletes(ward, db, tmp_path):
    """A newer packet replaces the year's rows; each one removed has its audit row."""
    import_packets(db, [export_packet(ward, 2023, tmp_path / "old.zip", now=T0)])
    city_ward = _ward_office(db, "TANGIANG")
    gone = queries.registration(city_ward, queries.cell_by_code(city_ward, "TDP06").id, 2023)
    count_before = len(queries.registrations(city_ward, 2023))
    delete_registration(ward, queries.registration(
        ward, queries.cell_by_code(ward, "TDP06").id, 2023).id,
        confirm="Bản đăng ký nhập nhầm")
    import_packets(db, [export_packet(ward, 2023, tmp_path / "new.zip",
                                      now=T0 + dt.timedelta(days=1))])
    assert len(queries.registrations(city_ward, 2023)) == count_before - 1
    with db.session() as session:
        deleted = set(session.scalars(select(AuditEntry.row_id).where(
            AuditEntry.table_name == "registrations", AuditEntry.action == "delete")))
    assert gone.id in deleted


_OTHER_KEYS: dict[str, signing.KeyMaterial] = {}


def _open(path):
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        data = json.loads(archive.read("data.json"))
        contents = {name.split("/")[1].split(".")[0]: archive.read(name)
                    for name in archive.namelist() if name.startswith("evidence/")}
    return manifest, data, contents


def _retitle(path, target, code, name, city=None):
    """Another ward's packet: the same content under another code and name, signed with that
    ward's own key (registered at ``city`` when given)."""
    manifest, data, contents = _open(path)
    data["organisation"]["code"] = code
    data["organisation"]["name"] = name
    for version in data.get("identities", []):
        version["name"] = name
    keys = _OTHER_KEYS.setdefault(code, signing.new_keys())
    if city is not None and not any(s.code == code for s in packet_senders(city)):
        trust_keys(city, keys, code, name)
    content = packets.bytes_of(data, manifest["year"],
                               dt.datetime.fromisoformat(manifest["exported_at"]), keys=keys,
                               contents=contents)
    return write_bytes(target, content)


def packet_senders(db):
    from chibo4tot_desktop.ops.keys import senders

    return senders(db)


def test_wards_are_kept_apart(ward, db, tmp_path):
    first = export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)
    second = _retitle(first, tmp_path / "hp.zip", "HAPHUONG", "Đảng bộ phường Hà Phương", db)
    outcomes = import_packets(db, [first, second])
    assert sorted(o.action for o in outcomes) == ["new", "new"]
    with db.session() as session:
        orgs = session.execute(select(Organisation.code, func.count(Cell.id))
                               .join(Cell, Cell.organisation_id == Organisation.id)
                               .group_by(Organisation.code).order_by(Organisation.code)).all()
    assert orgs == [("HAPHUONG", len(queries.cells(ward))), ("TANGIANG", len(queries.cells(ward)))]
    # Updating one ward leaves the other alone.
    cell = queries.cell_by_code(ward, "TDP01")
    update_cell(ward, cell.id, name="Chi bộ Tổ dân phố 1 (mới)")
    newer = _retitle(export_packet(ward, 2023, tmp_path / "tg2.zip",
                                   now=T0 + dt.timedelta(hours=1)),
                     tmp_path / "hp2.zip", "HAPHUONG", "Đảng bộ phường Hà Phương", db)
    assert [o.action for o in import_packets(db, [newer])] == ["updated"]
    assert queries.cell_by_code(_ward_office(db, "HAPHUONG"), "TDP01").name.endswith("(mới)")
    assert queries.cell_by_code(_ward_office(db, "TANGIANG"), "TDP01").name == "Chi bộ Tổ dân phố 1"


def _rewrite(path, target, keys, *, manifest=None, data=None, extra=None, resign=True,
             keep_checksum=False):
    """``path`` changed: its data (re-checksummed unless ``keep_checksum``), its manifest, an
    extra member; signed again with ``keys`` (a careless sender) unless ``resign`` is False
    (someone else altering it after it was signed)."""
    with zipfile.ZipFile(path) as archive:
        manifest_bytes = archive.read("manifest.json")
        signature = archive.read("signature.json")
        body = archive.read("data.json")
        others = {name: archive.read(name) for name in archive.namelist()
                  if name.startswith("evidence/")}
    manifest_value = json.loads(manifest_bytes)
    if data is not None:
        value = json.loads(body)
        data(value)
        body = json.dumps(value, ensure_ascii=False).encode()
        if not keep_checksum:
            manifest_value["files"]["data.json"] = {
                "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
    if manifest is not None:
        manifest(manifest_value)
    if data is not None or manifest is not None:
        manifest_bytes = json.dumps(manifest_value, ensure_ascii=False).encode()
    if resign:
        signature = json.dumps({"algorithm": "Ed25519", "signature": packets._b64(
            signing.sign(keys.signing_private, manifest_bytes))}).encode()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("signature.json", signature)
        archive.writestr("data.json", body)
        for name, content in {**others, **(extra or {})}.items():
            archive.writestr(name, content)
    return target


def _set_members(value):
    value["cells"][0]["members_count"] = 99


def _negative(value):
    value["cells"][0]["members_count"] = -3


def _unknown_cell(value):
    value["registrations"][0]["cell"] = "KHONGCO"


def _score_over_item(value):
    value["evaluations"][0]["scores"][0]["item"] = ["cell", 99, 1]


def _unhashable_cell(value):
    value["registrations"][0]["cell"] = ["TDP01"]


BAD_PACKETS = [
    ("altered", dict(data=_set_members, keep_checksum=True), "SHA-256"),
    ("altered after signing", dict(data=_set_members, resign=False), "chữ ký không hợp lệ"),
    ("negative", dict(data=_negative), "không hợp lệ"),
    ("unknown cell", dict(data=_unknown_cell), "không hợp lệ"),
    ("unhashable cell", dict(data=_unhashable_cell), "không hợp lệ"),
    ("unknown item", dict(data=_score_over_item), "không hợp lệ"),
    ("extra member", dict(extra={"../../evil.sh": "rm -rf /"}), "nội dung tệp nén không đúng"),
    ("wrong format", dict(manifest=lambda m: m.update(format="khac")), "không phải gói"),
    ("future format", dict(manifest=lambda m: m.update(format_version=7)), "phiên bản khác"),
    ("other year", dict(manifest=lambda m: m.update(year=2031)), "không khớp"),
]


@pytest.mark.parametrize("label, change, message", BAD_PACKETS, ids=[b[0] for b in BAD_PACKETS])
def test_bad_packets_are_refused_and_nothing_is_written(ward, db, tmp_path, label, change,
                                                        message):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)
    bad = _rewrite(good, tmp_path / "bad.zip", own_keys(ward), **change)
    with pytest.raises(PacketError, match=message) as caught:
        import_packets(db, [good, bad])    # the good one is not imported either
    assert "không nhập gì" in str(caught.value)
    assert _counts(db, Organisation) == 0 and _counts(db, Evaluation) == 0


def test_damaged_file_is_refused(ward, db, tmp_path):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)
    content = bytearray(good.read_bytes())
    for offset in range(200, 400):       # inside data.json's compressed bytes
        content[offset] ^= 0x5A
    damaged = tmp_path / "hong.zip"
    damaged.write_bytes(bytes(content))
    with pytest.raises(PacketError, match="hỏng"):
        import_packets(db, [damaged])
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(good.read_bytes()[:500])
    with pytest.raises(PacketError, match="hỏng"):
        import_packets(db, [truncated])
    not_zip = tmp_path / "text.zip"
    not_zip.write_text("xin chào", encoding="utf-8")
    with pytest.raises(PacketError, match="hỏng"):
        import_packets(db, [not_zip])
    with pytest.raises(PacketError, match="Không tìm thấy"):
        import_packets(db, [tmp_path / "khong-co.zip"])
    assert _counts(db, Organisation) == 0


def test_packet_never_overwrites_a_ward_typed_in_here(ward, tmp_path, office):
    """Importing a ward's (old) packet into its own file must not replace its data; nor may
    a packet replace a ward typed directly into the city's database."""
    old = export_packet(ward, 2023, tmp_path / "old.zip", now=T0)
    cell = queries.cell_by_code(ward, "TDP01")
    update_cell(ward, cell.id, name="Chi bộ Tổ dân phố 1 (đổi tên)")
    before = _summary(ward, 2023)
    with pytest.raises(PacketError, match="chính văn phòng này"):
        import_packets(ward.db, [old])
    assert _summary(ward, 2023) == before
    # `office` typed "TG" into the city's database; a packet claiming to be TG is refused.
    typed = _retitle(old, tmp_path / "tg.zip", "TG", "Đảng bộ phường Tân Giang", office.db)
    with pytest.raises(PacketError, match="nhập trực tiếp"):
        import_packets(office.db, [typed])


def test_oversized_members_are_refused(ward, db, tmp_path, monkeypatch):
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)
    monkeypatch.setattr(packets, "MAX_DATA_BYTES", 1000)
    with pytest.raises(PacketError, match="quá lớn"):
        import_packets(db, [good])
    monkeypatch.setattr(packets, "MAX_PACKET_BYTES", 100)
    with pytest.raises(PacketError, match="quá lớn"):
        import_packets(db, [good])


def test_zip_bombs_are_not_inflated(ward, db, tmp_path, monkeypatch):
    """A member that inflates beyond the limit is refused from the zip's directory, before it
    is decompressed; when its header lies about its size, reading stops at the declared size
    and the CRC fails."""
    monkeypatch.setattr(packets, "MAX_DATA_BYTES", 10_000)
    good = export_packet(ward, 2023, tmp_path / "good.zip", now=T0)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w",
                                                          zipfile.ZIP_DEFLATED) as archive:
        for name in ("manifest.json", "signature.json"):
            archive.writestr(name, source.read(name))
        archive.writestr("data.json", b"0" * 5_000_000)
    assert path.stat().st_size < 20_000
    with pytest.raises(PacketError, match="quá lớn"):
        import_packets(db, [path])
    content = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (start := content.find(signature, start)) >= 0:
            name_length = int.from_bytes(content[start + (28 if signature == b"PK\x01\x02"
                                                          else 26):][:2], "little")
            name = content[start + (46 if signature == b"PK\x01\x02" else 30):][:name_length]
            if name == b"data.json":
                content[start + offset:start + offset + 4] = (100).to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(content))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("data.json").file_size == 100
    with pytest.raises(PacketError, match="hỏng"):
        import_packets(db, [path])
    assert _counts(db, Organisation) == 0


def _trusting(target, ward):
    """The city at ``target`` registers the ward's key."""
    city = open_database(target)
    try:
        trust_office(city, ward)
    finally:
        city.close()


def test_cli_export_import_and_city(ward, tmp_path, capsys):
    ward_file = ward.db.target
    packet = tmp_path / "tg.zip"
    assert main(["packet", "export", "--data", ward_file, "--year", "2023", str(packet)]) == 0
    city = tmp_path / "city.sqlite3"
    assert main(["--data", str(city), "packet", "import", str(packet)]) == 2
    assert "khóa chưa đăng ký" in capsys.readouterr().err
    _trusting(city, ward)
    assert main(["--data", str(city), "packet", "import", str(packet)]) == 0
    out = capsys.readouterr().out
    assert "đã nhập Đảng bộ phường Tân Giang (TANGIANG) năm 2023" in out
    assert main(["packet", "import", "--data", str(city), str(packet)]) == 0
    assert "không thay đổi gì" in capsys.readouterr().out
    assert main(["packet", "list", "--data", str(city)]) == 0
    assert "TANGIANG" in capsys.readouterr().out
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04rac")
    assert main(["packet", "import", "--data", str(city), str(bad)]) == 2
    assert "bị từ chối" in capsys.readouterr().err
    assert main(["packet", "export", "--data", ward_file, "--year", "2023",
                 str(tmp_path / "x.txt")]) == 2
    assert "đuôi .zip" in capsys.readouterr().err
    assert main(["packet", "export", "--data", ward_file, "--year", "2031",
                 str(tmp_path / "x.zip")]) == 2
    assert "không thuộc giai đoạn" in capsys.readouterr().err


def test_cli_database_url_option(ward, tmp_path, capsys, monkeypatch):
    packet = export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)
    city_url = "sqlite:///" + (tmp_path / "city-url.sqlite3").as_posix()
    _trusting(city_url, ward)
    assert main(["--database-url", city_url, "packet", "import", str(packet)]) == 0
    assert main(["city", "results", "--database-url", city_url, "--year", "2023"]) == 0
    assert "Đảng bộ phường Tân Giang" in capsys.readouterr().out
    assert main(["--database-url", "mysql://x/y", "status"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
    assert main(["--database-url", city_url, "--data", "a.sqlite3", "status"]) == 2
    assert "--data cùng với --database-url" in capsys.readouterr().err
    assert main(["--database-url", "postgresql+psycopg://u@127.0.0.1:1/x", "status"]) == 2
    assert "Không kết nối được" in capsys.readouterr().err
    # The environment variable is used when neither option is given.
    monkeypatch.setenv("CHIBO4TOT_DATABASE_URL", city_url)
    assert main(["city", "results", "--year", "2023"]) == 0
    assert "TANGIANG" in capsys.readouterr().out
