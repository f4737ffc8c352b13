"""The light queries the window asks at every start (the years, whether there is a phase, the
year bar's heading) say what the full phases with their catalogues say, for each organisation
of a file alone."""

from __future__ import annotations

from chibo4tot_desktop.ops import Office, queries


def test_the_light_start_queries_agree_with_the_full_phases(demo_office):
    predecessor, = queries.predecessors(demo_office)
    offices = [demo_office, Office(demo_office.db, predecessor.id)]
    seen = []
    for office in offices:
        phases = queries.phases(office)
        assert queries.has_phase(office) == bool(phases)
        years = queries.years(office)
        assert years == [item.year for phase in phases for item in phase.years]
        for year in years:
            phase = queries.phase_for_year(office, year)
            assert queries.phase_heading(office, year) == (phase.title, phase.is_final(year))
        seen.append(years)
    assert seen[0] and seen[0] != seen[1]     # each organisation its own years


def test_an_organisation_without_a_phase_and_a_file_without_one(db):
    from chibo4tot_desktop.ops.setup import create_organisation

    empty = Office(db)
    assert not queries.has_phase(empty) and queries.years(empty) == []
    create_organisation(empty, "TG", "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh", "Tân Giang")
    declared = Office(db)
    assert declared.has_organisation()
    assert not queries.has_phase(declared) and queries.years(declared) == []
