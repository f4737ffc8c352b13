"""What one unit of work changed: the topics the screens follow, and the rows by table.

``Database.transaction`` collects the rows from the audit hook (every insert, update and
delete the flushes saw, deletes included) and hands a ``Change`` to its listeners after the
commit. ``Change`` is a frozenset of topics, so a listener that only asks "does this touch
cells?" reads it as before; ``rows`` says exactly which records moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CELLS, REGISTRATIONS, EVALUATIONS, AWARDS, SETTINGS, PACKETS, EVIDENCE, KEYS = (
    "cells", "registrations", "evaluations", "awards", "settings", "packets", "evidence", "keys")

# The topic a table's rows belong to; a change to any of them notifies that topic even when
# the operation did not name it.
TABLE_TOPICS = {
    "cells": CELLS,
    "cell_links": CELLS,
    "registrations": REGISTRATIONS,
    "evaluations": EVALUATIONS,
    "scores": EVALUATIONS,
    "awards": AWARDS,
    "organisations": SETTINGS,
    "organisation_identities": SETTINGS,
    "phases": SETTINGS,
    "phase_years": SETTINGS,
    "criteria_groups": SETTINGS,
    "criteria_items": SETTINGS,
    "catalogue_versions": SETTINGS,
    "settings": SETTINGS,
    "imported_packets": PACKETS,
    "evidence_files": EVIDENCE,
    "evidence_blobs": EVIDENCE,
    "office_keys": KEYS,
    "trusted_senders": KEYS,
}


class Change(frozenset):
    """Topics (a frozenset of str) plus ``rows``: table name -> ids inserted, updated or
    deleted in the unit of work."""

    rows: Mapping[str, frozenset[int]]

    def __new__(cls, topics: Iterable[str] = (),
                rows: Mapping[str, Iterable[int]] | None = None) -> Change:
        rows = {table: frozenset(ids) for table, ids in (rows or {}).items()}
        topics = set(topics) | {TABLE_TOPICS[t] for t in rows if t in TABLE_TOPICS}
        change = super().__new__(cls, topics)
        change.rows = rows
        return change

    def ids(self, table: str) -> frozenset[int]:
        return self.rows.get(table, frozenset())

    def __repr__(self) -> str:
        return f"Change({sorted(self)}, {dict(self.rows)})"
