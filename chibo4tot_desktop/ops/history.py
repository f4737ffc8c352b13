"""Decided years are closed: a change that would move what a year's decisions rest on (a
decided unit's total, classification, verdict, members or consecutive years, or the unit
leaving the year) is refused, or made only when confirmed with a written reason, which the
audit log keeps beside the changes themselves.

The operations that can touch a past year wrap their work in ``keeping_decided_years``: the
decided years are read before the change and again after it (in the same transaction, by a
fresh reading session on the same connection), and compared.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session

from chibo4tot_desktop.db.audit import current_user
from chibo4tot_desktop.db.models import AuditEntry, AwardKind
from chibo4tot_desktop.errors import DecidedYearError, UserError, ValidationError
from chibo4tot_desktop.ops import checks, queries
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.reports import overview_in

MAX_LISTED = 6
REASON_LENGTH = 500


def confirmation(value: str | None) -> str | None:
    """The written reason of a confirmation (None: no confirmation given)."""
    if value is None:
        return None
    reason = checks.optional(value, "lý do", "confirm", REASON_LENGTH)
    if len(reason) < 5:
        raise ValidationError("Hãy ghi rõ lý do thay đổi kết quả năm đã có quyết định "
                              "(ít nhất 5 ký tự).", "confirm")
    return reason


def _decided_facts(office: Office, session: Session, years: Iterable[int] | None) -> dict:
    reader = office.db.session_on(session.connection(), office.organisation_id)
    try:
        closed = queries.decided_years_in(reader)
        if years is not None:
            closed &= set(years)
        facts = {}
        for year in sorted(closed):
            try:
                overview = overview_in(reader, year)
            except UserError:       # the year left every phase: nothing to compare there
                facts[year] = None
                continue
            facts[year] = (overview.decided_facts(),
                           {(a.kind, a.cell_id): a.cell.name if a.cell else "Đảng bộ"
                            for a in overview.awards})
        return facts
    finally:
        reader.close()


def _differences(before: dict, after: dict) -> list[tuple[int, str]]:
    found = []
    for year, data in before.items():
        if data is None:
            continue
        facts, names = data
        now_facts = after.get(year)[0] if after.get(year) else {}
        for key, kept in facts.items():
            now = now_facts.get(key, "gone")
            if now == kept:
                continue
            who = f"{names.get(key, '')} ({AwardKind(key[0]).label})"
            was = kept.describe() if kept else "không thuộc năm"
            if now == "gone":
                will = "mất quyết định"
            elif now is None:
                will = "không còn thuộc năm này"
            else:
                will = now.describe()
            found.append((year, f"{who}: {was} → {will}"))
    return found


@contextlib.contextmanager
def keeping_decided_years(office: Office, session: Session, confirm: str | None,
                          years: Iterable[int] | None = None,
                          hint: str = "") -> Iterator[None]:
    """Run the body; if it moved a decided year (of ``years``, or any), refuse with
    ``DecidedYearError`` (the caller's transaction rolls back) unless ``confirm`` holds a
    written reason: then the change stands and the audit log records the reason. ``hint``
    ends the refusal (how to make the change without moving the year)."""
    reason = confirmation(confirm)
    years = None if years is None else set(years)
    if years is not None and not years:
        yield                       # nothing a decision rests on can move
        return
    session.flush()
    before = _decided_facts(office, session, years)
    yield
    if not before:
        return
    session.flush()
    after = _decided_facts(office, session, before.keys())
    changes = _differences(before, after)
    if not changes:
        return
    closed = sorted({year for year, _ in changes})
    listed = "; ".join(text for _, text in changes[:MAX_LISTED])
    if len(changes) > MAX_LISTED:
        listed += f"; và {len(changes) - MAX_LISTED} thay đổi khác"
    if reason is None:
        raise DecidedYearError(
            f"Năm {', '.join(map(str, closed))} đã có quyết định khen thưởng; thay đổi này làm "
            f"đổi kết quả đã quyết định ({listed}). Chưa lưu gì. {hint + ' ' if hint else ''}"
            "Nếu vẫn cần thay đổi, hãy xác nhận và ghi lý do.", closed)
    session.add(AuditEntry(
        at=dt.datetime.now().replace(microsecond=0), user=current_user(), action="confirm",
        table_name="awards", row_id=None,
        summary=f"Thay đổi kết quả năm đã quyết định {', '.join(map(str, closed))}: "
                f"{reason}"[:300],
        field="", old_value=None, new_value=listed))
