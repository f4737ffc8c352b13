"""Build the data file of the program as it was before dated history (schema 0002_i8).

Run with the program at commit 521dcdf: python make_file_before_dated_history.py OUT; then
VACUUM it and gzip it. capture_file_figures.py (same commit) wrote the .expected.json.gz.
"""
import datetime as dt, json, subprocess, sys, shutil
from pathlib import Path
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.demo import build_demo
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import dissolve_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.awards import propose_many
from chibo4tot_desktop.ops.setup import set_settings
from chibo4tot_desktop.reports import year_overview, status_text

out = Path(sys.argv[1])
if out.exists(): out.unlink()
db = open_database(out)
office = Office(db)
build_demo(office)
tdp05 = queries.cell_by_code(office, "TDP05")
reg = queries.registration(office, tdp05.id, 2023)
save_registration(office, tdp05.id, 2023, received_on=reg.received_on, members_count=None,
                  signer=reg.signer, commitment_1=reg.commitment_1)
dissolve_cell(office, queries.cell_by_code(office, "CA").id, dt.date(2024, 12, 20))
set_settings(office, {"proposal.signer_title": "Bí thư", "proposal.signer_name": "Trần Văn Quang",
                      "award.issuer": "Ban Thường vụ Thành ủy Hà Tĩnh"})
ov = year_overview(office, 2024, today=dt.date(2025, 1, 5))
propose_many(office, 2024, "cell_recognition", [s.cell.id for s in ov.cells if s.qualifies],
             proposed_on=dt.date(2024, 12, 15))
db.close()
