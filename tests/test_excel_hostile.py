"""Every Excel file the program makes, from a ward whose every typed field looks like a formula.

Each file is opened twice: as a zip of XML (no formula element, no hyperlink anywhere) and with
openpyxl (the texts read back exactly as stored, and the formula-like ones marked "typed as
text" so that editing the cell in Excel keeps them text).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest

from chibo4tot_desktop.city_export import city_body, city_place, write_proposals_xlsx
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.excel.exports import export
from chibo4tot_desktop.excel.kinds import KINDS
from chibo4tot_desktop.excel.template import write_template
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.awards import propose, record_decision
from chibo4tot_desktop.ops.cells import update_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import save_catalogue, update_organisation, update_phase
from chibo4tot_desktop.reports import year_overview
from tests.builders import full_scores

YEAR = 2026   # the demo's open year: scored and decided here
HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@x", '=HYPERLINK("http://x","BẤM")', "\t=1+1"]
# The office cleans leading white space off names and notes; the settings keep it.
TYPED = HOSTILE[:5]


def _hostile(index: int, offset: int = 0) -> str:
    """A formula-looking text, different for each index (names and codes must be unique)."""
    text = TYPED[(index + offset) % len(TYPED)]
    return text if index < len(TYPED) else f"{text}{index}"


@pytest.fixture
def hostile(demo_office):
    """The demo ward with every typed field of the year made formula-looking, through the
    office's own operations: the identity in force, the year's catalogue, the cells, the
    registrations, the scoring sheets, the proposals and decisions."""
    office = demo_office
    update_organisation(office, name=HOSTILE[4], upper_body=HOSTILE[0], place_name=HOSTILE[3],
                        upper_party_body="\t+SUM(A1)", proposal_signer_title=HOSTILE[2],
                        proposal_signer_name=HOSTILE[3])
    phase = queries.phase_for_year(office, YEAR)
    update_phase(office, phase.id, title=HOSTILE[2], plan_reference=HOSTILE[1])
    groups = phase.catalogue(YEAR, Scope.CELL)
    save_catalogue(office, phase.id, Scope.CELL, [
        {"position": group.position, "title": _hostile(number, 1),
         "pass_points": group.pass_points,
         "items": [{"id": item.id, "text": f"{_hostile(index, 2)} ({group.position})",
                    "max_points": item.max_points} for index, item in enumerate(group.items)]}
        for number, group in enumerate(groups)], from_year=YEAR)
    for index, cell in enumerate(queries.cells(office)):
        update_cell(office, cell.id, code=_hostile(index), name=_hostile(index, 1),
                    secretary=_hostile(index, 2))
    for index, registration in enumerate(queries.registrations(office, YEAR)):
        save_registration(
            office, registration.cell_id, YEAR, received_on=registration.received_on,
            title=_hostile(index % 3, 3), members_count=registration.members_count,
            signer=_hostile(index, 4), commitment_1=f"{HOSTILE[0]}\n{HOSTILE[1]}",
            commitment_2=HOSTILE[2], commitment_3=HOSTILE[3], commitment_4=HOSTILE[4])
        save_evaluation(office, registration.cell_id, YEAR,
                        scores=full_scores(office, YEAR), notes=HOSTILE[1])
    for index, state in enumerate(s for s in year_overview(office, YEAR).cells if s.qualifies):
        again = propose(office, state.cell.id, YEAR, "cell_recognition",
                        dt.date(YEAR, 12, 15), notes=_hostile(index, 3))
        record_decision(office, [again.id], decision_number=_hostile(index, 4),
                        decision_date=dt.date(YEAR + 1, 1, 15), issuer=_hostile(index, 1),
                        first_register_number=_hostile(index))
    return office


def _stored(office) -> dict[str, set[str]]:
    """What each file must show, cell for cell, as the office stored it."""
    organisation = queries.identity_on(office, None)
    cells = queries.cells(office)
    in_year = queries.cells_in_year(office, YEAR)
    registrations = queries.registrations(office, YEAR)
    awards = queries.awards(office, YEAR)
    phase = queries.phase_for_year(office, YEAR)
    header = {organisation.party_header_body.upper(), organisation.committee_name.upper()}
    units = {award.cell.name if award.cell else organisation.name for award in awards}
    registered = {registration.cell_id for registration in registrations}
    return {
        "cells": header | {value for cell in in_year
                           for value in (cell.code, cell.name, cell.secretary)},
        "registrations": header | {value for registration in registrations for value in (
            registration.cell.code, registration.cell.name, registration.title,
            registration.signer, registration.commitment_1, registration.commitment_2,
            registration.commitment_3, registration.commitment_4)},
        "scores": header | {cell.name for cell in cells if cell.id in registered}
        | {item.text for group in phase.catalogue(YEAR, Scope.CELL) for item in group.items},
        "results": header | {value for cell in in_year for value in (cell.code, cell.name)},
        "proposals": header | units | {award.notes for award in awards},
        "awards": header | units | {value for award in awards for value in (
            award.register_number, award.decision_number, award.issuer, award.notes)},
        "summary": header | {phase.title},
        "template": {organisation.name, organisation.name.upper()}
        | {value for cell in in_year
           for value in (cell.code, cell.name, cell.name.upper(), cell.secretary)}
        | {registration.title for registration in registrations},
        "city": {organisation.upper_body.upper(), organisation.name}
        | {award.cell.code for award in awards if award.cell}
        | units | {award.register_number for award in awards},
    }


def _write(office, kind: str, folder):
    """Write the file ``kind`` (an export kind, "template" or "city") the program's way."""
    target = folder / f"{kind}.xlsx"
    if kind == "template":
        return write_template(office, YEAR, target)
    if kind == "city":
        write_proposals_xlsx(office.db, YEAR, target)
        return target
    return export(office, kind, YEAR, target)


FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
HYPERLINK = re.compile(rb"<(?:\w+:)?hyperlinks?[\s>/]|relationships/hyperlink", re.IGNORECASE)


def _looks_like_formula(text: str) -> bool:
    return text[:1] in ("=", "+", "-", "@", "\t", "\r") or text.lstrip()[:1] in "=+-@"


WHAT_IS_MADE = [*KINDS, "template", "city"]


def _problems(path, kind: str, expected: set[str], place: str) -> list[str]:
    """What is wrong with one file: formulas, links, texts not shown exactly, unmarked text."""
    problems = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                data = archive.read(name)
                if FORMULA.search(data):
                    problems.append(f"{kind}: formula in {name}")
                if HYPERLINK.search(data):
                    problems.append(f"{kind}: hyperlink in {name}")
    book = openpyxl.load_workbook(path)
    shown = set()
    for sheet in book.worksheets:
        if sheet._hyperlinks:
            problems.append(f"{kind}: hyperlink in sheet {sheet.title}")
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                shown.add(cell.value)
                where = f"{kind}: {sheet.title}!{cell.coordinate} {cell.value!r}"
                if cell.data_type != "s":
                    problems.append(f"{where} is not text")
                elif _looks_like_formula(cell.value) and not cell.quotePrefix:
                    problems.append(f"{where} not marked as typed text")
    missing = expected - shown
    if missing:
        problems.append(f"{kind}: not shown exactly: {sorted(missing)}")
    if not any(value.startswith(f"{place}, ") for value in shown) and kind != "template":
        problems.append(f"{kind}: no place-date line starting with {place!r}")
    return problems


def test_no_formula_and_no_link_in_any_excel_file(hostile, tmp_path):
    stored = _stored(hostile)
    assert all(_looks_like_formula(value) for values in stored.values() for value in values), \
        "the set-up must make every listed field formula-looking"
    organisation = queries.identity_on(hostile, None)
    problems = []
    for kind in WHAT_IS_MADE:
        path = _write(hostile, kind, tmp_path)
        place = (city_place(city_body(hostile.db)) if kind == "city"
                 else organisation.place_name)
        problems += _problems(path, kind, stored[kind], place)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text", [*HOSTILE, " =1+1", "\u00a0@x", "\n-1", "＝1+1", "  +SUM(A1)"])
def test_the_guard_keeps_any_formula_looking_text_as_typed(tmp_path, text):
    """Through save_workbook (what every ordinary workbook of the program goes through)."""
    from openpyxl import Workbook

    from chibo4tot_desktop.excel.common import needs_text_guard, save_workbook

    book = Workbook()
    book.active["A1"] = text
    book.active["A2"] = "Chi bộ Tổ dân phố 6 - khu 2"
    path = save_workbook(book, tmp_path / "a.xlsx")
    assert needs_text_guard(text)
    with zipfile.ZipFile(path) as archive:
        assert not FORMULA.search(archive.read("xl/worksheets/sheet1.xml"))
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == text
    assert sheet["A1"].data_type == "s" and sheet["A1"].quotePrefix
    assert sheet["A2"].value == "Chi bộ Tổ dân phố 6 - khu 2" and not sheet["A2"].quotePrefix
