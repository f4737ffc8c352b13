"""What the program printed from a data file: figures, papers' texts, Excel values (JSON)."""
import datetime as dt, json, subprocess, sys, tempfile
from pathlib import Path
from openpyxl import load_workbook
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.ops import Office
from chibo4tot_desktop.reports import year_overview
from chibo4tot_desktop.pdf.certificates import write_certificates
from chibo4tot_desktop.pdf.forms import write_registration_form, write_proposal_list
from chibo4tot_desktop.excel.exports import export

TODAY = dt.date(2025, 1, 5)

def figures(office, year):
    ov = year_overview(office, year, today=TODAY)
    cells = {}
    for s in ov.cells:
        r = s.result
        cells[s.cell.code] = {
            "name": s.cell.name, "registered": s.registered, "days_late": s.days_late,
            "evaluated": s.evaluated,
            "committee": r.committee_totals.total, "self": r.self_totals.total,
            "complete": r.committee_totals.complete,
            "classification": r.classification.value if r.classification else None,
            "verdict": r.verdict.label, "reasons": [x.text for x in r.verdict.reasons],
            "streak": s.consecutive_years,
            "awards": sorted([a.kind, a.decision_number] for a in s.awards)}
    org = ov.organisation_result
    return {"counts": ov.counts, "cells": cells, "org_verdict": org.verdict.label,
            "org_reasons": [x.text for x in org.verdict.reasons],
            "org_total": org.committee_totals.total}

def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout

def sheet_values(path):
    wb = load_workbook(path)
    return {ws.title: [[c for c in row] for row in ws.iter_rows(min_row=4, values_only=True)]
            for ws in wb.worksheets}

def capture(path, years=(2023, 2024)):
    db = open_database(path)
    office = Office(db)
    out = {"figures": {}, "papers": {}, "excel": {}}
    tmp = Path(tempfile.mkdtemp())
    try:
        for year in years:
            out["figures"][str(year)] = figures(office, year)
            write_proposal_list(office, year, tmp / f"p{year}.pdf")
            out["papers"][f"proposals-{year}"] = pdf_text(tmp / f"p{year}.pdf")
            for kind in ("cells", "registrations", "scores", "results", "proposals", "awards",
                         "summary"):
                export(office, kind, year, tmp / f"{kind}{year}.xlsx")
                out["excel"][f"{kind}-{year}"] = sheet_values(tmp / f"{kind}{year}.xlsx")
        write_certificates(office, 2023, tmp / "c.pdf")
        out["papers"]["certificates-2023"] = pdf_text(tmp / "c.pdf")
        for year, code in ((2023, "TDP05"), (2023, "TDP06"), (2024, "TDP06")):
            if year not in years:
                continue
            write_registration_form(office, year, code, tmp / "f.pdf")
            out["papers"][f"form-{year}-{code}"] = pdf_text(tmp / "f.pdf")
    finally:
        db.close()
    return out

if __name__ == "__main__":
    data = capture(sys.argv[1], tuple(int(y) for y in sys.argv[3:]) or (2023, 2024))
    Path(sys.argv[2]).write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str),
                                 encoding="utf-8")
