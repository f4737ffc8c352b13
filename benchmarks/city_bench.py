"""Time the city's work: 30 ward packets of 40 cells each imported, then the consolidated
proposal list (Excel) and all certificates (PDF), on SQLite and on PostgreSQL.

    PYTHONPATH=. python benchmarks/city_bench.py [--wards 30] [--cells 40]
        [--pg-url postgresql+psycopg://...]        # or CHIBO4TOT_TEST_DATABASE_URL
    bash scripts/with_postgres.sh .venv/bin/python benchmarks/city_bench.py

One real ward of ``--cells`` cells is built through ``Office`` (registrations, full scoring,
proposals and decisions for the cells that qualify) and exported; the other wards' packets are
that packet under another code and name with the committee scores shuffled, so every ward has
different results. Printed, per database: import of all packets (one command, one
transaction), re-import of the same packets (all "identical"), the consolidated query, the
Excel list and the certificates PDF. PostgreSQL gets a fresh schema, dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chibo4tot_desktop import packets, signing  # noqa: E402
from chibo4tot_desktop.ops import exchange  # noqa: E402
from chibo4tot_desktop.city import consolidated_proposals, results_by_ward  # noqa: E402
from chibo4tot_desktop.city_export import (  # noqa: E402
    write_city_certificates,
    write_proposals_xlsx,
)
from chibo4tot_desktop.db.engine import open_database  # noqa: E402
from chibo4tot_desktop.db.models import AwardKind, Scope  # noqa: E402
from chibo4tot_desktop.ops import Office  # noqa: E402
from chibo4tot_desktop.ops.awards import propose, record_decision  # noqa: E402
from chibo4tot_desktop.ops.cells import add_cell  # noqa: E402
from chibo4tot_desktop.ops.keys import trust_sender  # noqa: E402
from chibo4tot_desktop.ops.registrations import save_registration  # noqa: E402
from chibo4tot_desktop.ops.scoring import save_evaluation  # noqa: E402
from chibo4tot_desktop.ops.setup import create_organisation, create_phase  # noqa: E402
from chibo4tot_desktop.ops.verdicts import ScoreInput  # noqa: E402
from chibo4tot_desktop.files import write_bytes  # noqa: E402
from chibo4tot_desktop.reports import year_overview  # noqa: E402

YEAR = 2023


def build_ward(path: Path, cells: int) -> Office:
    office = Office(open_database(path))
    create_organisation(office, "W00", "Đảng bộ phường Mẫu", "Thành ủy Hà Tĩnh", "Mẫu")
    phase = create_phase(office, "Giai đoạn 2023 - 2025", 2023, 2025, "Kế hoạch số 98-KH/Th.U")
    items = [item for group in phase.groups if group.scope == Scope.CELL.value
             for item in group.items]
    rng = random.Random(8)
    for number in range(1, cells + 1):
        cell = add_cell(office, f"TDP{number:02d}", f"Chi bộ Tổ dân phố {number}",
                               members_count=rng.randint(15, 60))
        save_registration(office, cell.id, YEAR, received_on=dt.date(YEAR, 3, rng.randint(1, 14)),
                                 commitment_1="Hoàn thành chỉ tiêu.", signer="Bí thư")
        share = rng.uniform(0.7, 0.97)
        save_evaluation(office, cell.id, YEAR, scores={
            item.id: ScoreInput(round(item.max_points * min(1, share + 0.03) * 2) / 2,
                                round(item.max_points * share * 2) / 2) for item in items})
    result_of = {state.cell.id: state for state in year_overview(office, YEAR).cells}
    register = 1
    for cell_id, state in result_of.items():
        if state.qualifies:
            award = propose(office, cell_id, YEAR, AwardKind.CELL_RECOGNITION.value,
                                   proposed_on=dt.date(YEAR, 12, 12))
            record_decision(office, [award.id], decision_number="1250-QĐ/Th.U",
                                   decision_date=dt.date(YEAR, 12, 28),
                                   issuer="Ban Thường vụ Thành ủy", first_register_number=str(register))
            register += 1
    return office


def make_packets(template: Path, folder: Path, wards: int) -> tuple[list[Path], list]:
    """The wards' packets, each signed with the ward's own key; returns (paths, [(code, name,
    keys)]) for the city to register."""
    with zipfile.ZipFile(template) as archive:
        base = json.loads(archive.read("data.json"))
    rng = random.Random(30)
    made = dt.datetime(2024, 1, 5, 8, 0)
    paths, senders = [], []
    for number in range(1, wards + 1):
        data = json.loads(json.dumps(base))
        data["organisation"]["code"] = f"W{number:02d}"
        data["organisation"]["name"] = f"Đảng bộ phường Số {number}"
        data["organisation"]["place_name"] = f"Phường {number}"
        maxima = {(g["scope"], g["position"], i["position"]): i["max_points"]
                  for g in data["phase"]["groups"] for i in g["items"]}
        for evaluation in data["evaluations"]:
            for score in evaluation["scores"]:
                top = maxima[tuple(score["item"])]
                score["committee_points"] = round(top * rng.uniform(0.65, 1.0) * 2) / 2
        keys = signing.new_keys()
        senders.append((data["organisation"]["code"], data["organisation"]["name"], keys))
        content = packets.bytes_of(data, YEAR, made + dt.timedelta(minutes=number), keys=keys)
        paths.append(write_bytes(folder / f"W{number:02d}-{YEAR}.zip", content))
    return paths, senders


def trust_all(db, senders) -> None:
    """The city registers every ward's key (as after the phone calls)."""
    office = Office(db)
    for code, name, keys in senders:
        trust_sender(office, name=name, code=code, role="ward", signing_public=keys.signing_public,
                     box_public=keys.box_public,
                     typed_fingerprint=signing.fingerprint(keys.signing_public, keys.box_public))


def timed(label: str, action):
    start = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:8.3f} s")
    return value


def check_only(db, paths) -> None:
    """What an import checks before writing: signature, checksums, shape, typed-input rules."""
    from chibo4tot_desktop.ops.keys import keyring
    from chibo4tot_desktop.ops.packet_rules import content_problems

    ring = keyring(db)
    for path in paths:
        packet = packets.read_packet(path, ring)
        assert not content_problems(packet.data, packet.year, packet.exported_at)


def run(target: str, label: str, paths: list[Path], out: Path, senders) -> None:
    print(f"{label}:")
    db = open_database(target)
    try:
        trust_all(db, senders)
        timed(f"check {len(paths)} packets (signature, checksums, rules)",
              lambda: check_only(db, paths))
        outcomes = timed(f"import {len(paths)} packets (one transaction)",
                         lambda: exchange.import_packets(db, paths))
        assert all(o.action == "new" for o in outcomes)
        again = timed("re-import the same packets (identical)",
                      lambda: exchange.import_packets(db, paths))
        assert all(o.action == "identical" for o in again)
        rows = timed("consolidated proposals query", lambda: consolidated_proposals(db, YEAR))
        results = timed("results by ward", lambda: results_by_ward(db, YEAR))
        count = timed("consolidated list to Excel (query + write)",
                      lambda: write_proposals_xlsx(db, YEAR, out / f"{label}.xlsx"))
        pages = timed("all certificates to PDF (query + write)",
                      lambda: write_city_certificates(db, YEAR, out / f"{label}.pdf"))
        cells = sum(r.cells for r in results)
        print(f"  -> {len(results)} wards, {cells} cells, {len(rows)} proposals "
              f"({count} rows in Excel), {pages} certificate pages")
    finally:
        db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=30)
    parser.add_argument("--cells", type=int, default=40)
    parser.add_argument("--pg-url", default=os.environ.get("CHIBO4TOT_TEST_DATABASE_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        start = time.perf_counter()
        ward = build_ward(folder / "ward.sqlite3", args.cells)
        template = packets.export_packet(ward, YEAR, folder / "template.zip")
        ward.db.close()
        paths, senders = make_packets(template, folder, args.wards)
        size = sum(p.stat().st_size for p in paths) / len(paths) / 1024
        print(f"{args.wards} packets of {args.cells} cells made in "
              f"{time.perf_counter() - start:.1f} s (average {size:.0f} KiB each)")
        run(str(folder / "city.sqlite3"), "SQLite", paths, folder, senders)
        if not args.pg_url:
            print("PostgreSQL: skipped (give --pg-url or CHIBO4TOT_TEST_DATABASE_URL)")
            return 0
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        schema = "bench_" + uuid.uuid4().hex[:12]
        admin = create_engine(args.pg_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = make_url(args.pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
            run(url.render_as_string(hide_password=False), "PostgreSQL", paths, folder, senders)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
