"""Evidence bytes are stored once (``EvidenceBlob``) and shared by the records they are attached
to. When the last evidence row of a blob goes - removed by hand, or with its registration,
evaluation or award - the blob is deleted in the same transaction, through the session (so the
audit log records it), whatever operation deleted the row.
"""

from __future__ import annotations

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from chibo4tot_desktop.db.models import EvidenceBlob, EvidenceFile

CANDIDATES = "evidence_blob_candidates"


def _after_flush(session: Session, _context) -> None:
    gone = {obj.blob_id for obj in session.deleted if isinstance(obj, EvidenceFile)}
    if gone:
        session.info.setdefault(CANDIDATES, set()).update(gone)


def _before_commit(session: Session) -> None:
    session.flush()      # the commit's own flush comes after this hook: run it first
    candidates = session.info.pop(CANDIDATES, None)
    if not candidates:
        return
    for blob_id in sorted(candidates):
        used = session.scalar(select(func.count()).select_from(EvidenceFile)
                              .where(EvidenceFile.blob_id == blob_id))
        if used:
            continue
        blob = session.get(EvidenceBlob, blob_id)
        if blob is not None:
            session.delete(blob)
    session.flush()


def _after_rollback(session: Session) -> None:
    session.info.pop(CANDIDATES, None)


def install(factory: sessionmaker) -> None:
    if getattr(factory, "_blobs_installed", False):
        return
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_soft_rollback", lambda session, _previous: _after_rollback(
        session))
    factory._blobs_installed = True
