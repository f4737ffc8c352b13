"""Files of evidence attached to a registration, an evaluation, a proposal or a decision.

The bytes live in the data file (``EvidenceBlob``, stored once however many records share
them), so backups, restore, ``check`` and packets carry them. Every file is checked by content
(``chibo4tot_desktop.evidence``) before anything is written; attaching and removing are one
transaction each, audited like every change. A decision's scan belongs to the decision: it is
attached to, and removed from, every award that decision covers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from chibo4tot_desktop import evidence as files
from chibo4tot_desktop.db.changes import EVIDENCE
from chibo4tot_desktop.db.models import (
    Award,
    Evaluation,
    EvidenceBlob,
    EvidenceFile,
    EvidenceTarget,
    Registration,
)
from chibo4tot_desktop.errors import NotFoundError, UserError, ValidationError
from chibo4tot_desktop.ops import checks
from chibo4tot_desktop.ops.base import Office

MAX_FILES_PER_RECORD = 50
NOTE_LENGTH = 2000


@dataclass(frozen=True)
class EvidenceInfo:
    """One attached file, without its bytes (for lists)."""

    id: int
    target: EvidenceTarget
    record_id: int
    year: int
    unit: str                 # the cell's name, or the organisation's
    cell_code: str            # "" for the organisation
    award_kind: str           # for proposals and decisions
    file_name: str
    media_type: str
    size: int
    sha256: str
    note: str
    attached_at: dt.datetime

    @property
    def type_name(self) -> str:
        return files.TYPE_NAMES.get(self.media_type, self.media_type)

    @property
    def target_label(self) -> str:
        return self.target.label


class DuplicateEvidence(ValidationError):
    """The record already has this very file."""


def target_of(value: str) -> EvidenceTarget:
    try:
        return EvidenceTarget(value)
    except ValueError:
        raise ValidationError(f"Loại hồ sơ '{value}' không hợp lệ.", "target") from None


def _record(session: Session, target: EvidenceTarget, record_id: int):
    model = {EvidenceTarget.REGISTRATION: Registration,
             EvidenceTarget.EVALUATION: Evaluation}.get(target, Award)
    row = session.get(model, record_id)   # the session sees this organisation's rows only
    if row is None:
        raise NotFoundError(f"Không tìm thấy {target.label.lower()} để đính kèm tệp.")
    return row


def _same_decision(session: Session, award: Award) -> list[Award]:
    """Every award of the organisation that ``award``'s decision covers (itself first)."""
    if not award.is_decided:
        raise ValidationError("Khen thưởng này chưa có quyết định; hãy ghi quyết định trước "
                              "khi đính kèm bản quyết định.", "target")
    others = session.scalars(select(Award).where(
        Award.id != award.id, Award.decision_number == award.decision_number,
        Award.decision_date == award.decision_date, Award.issuer == award.issuer))
    return [award, *others]


def _link_column(target: EvidenceTarget):
    return {EvidenceTarget.REGISTRATION: EvidenceFile.registration_id,
            EvidenceTarget.EVALUATION: EvidenceFile.evaluation_id}.get(
        target, EvidenceFile.award_id)


def store_blob(session: Session, checked: files.CheckedFile) -> EvidenceBlob:
    """The blob holding ``checked``'s bytes (an existing one with the same SHA-256 is reused)."""
    blob = session.scalar(select(EvidenceBlob).where(EvidenceBlob.sha256 == checked.sha256))
    if blob is None:
        blob = EvidenceBlob(sha256=checked.sha256, size=checked.size,
                            media_type=checked.media_type, content=checked.content)
        session.add(blob)
        session.flush()
    return blob


def link(session: Session, organisation_id: int, target: EvidenceTarget, record_id: int,
         blob: EvidenceBlob, file_name: str, note: str, when: dt.datetime) -> EvidenceFile:
    """Attach a stored blob to one record (refused when that record already has it)."""
    column = _link_column(target)
    query = select(EvidenceFile.id).where(column == record_id,
                                          EvidenceFile.target == target.value)
    existing = list(session.scalars(query.where(EvidenceFile.blob_id == blob.id)))
    if existing:
        raise DuplicateEvidence(f"Tệp '{file_name}' đã được đính kèm vào "
                              f"{target.label.lower()} này.", "file")
    if len(list(session.scalars(query))) >= MAX_FILES_PER_RECORD:
        raise ValidationError(f"Mỗi hồ sơ đính kèm tối đa {MAX_FILES_PER_RECORD} tệp.", "file")
    row = EvidenceFile(organisation_id=organisation_id, target=target.value, blob=blob,
                       file_name=file_name, note=note, attached_at=when,
                       **{column.key: record_id})
    session.add(row)
    return row


def attach_evidence(office: Office, target: str, record_id: int,
                    sources: Sequence[files.CheckedFile | str], note: str = "",
                    now: dt.datetime | None = None) -> list[EvidenceFile]:
    """Attach files (paths, or files already read with ``evidence.read_file``) to a record,
    all in one transaction; any file refused leaves everything as it was."""
    target = target_of(target)
    if not sources:
        raise ValidationError("Chưa chọn tệp nào để đính kèm.", "file")
    checked = [source if isinstance(source, files.CheckedFile) else files.read_file(source)
               for source in sources]
    if len({item.sha256 for item in checked}) != len(checked):
        raise ValidationError("Một tệp được chọn hai lần.", "file")
    note = checks.multiline(note, NOTE_LENGTH)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    rows = []
    with office.write(EVIDENCE) as session:
        record = _record(session, target, record_id)
        records = _same_decision(session, record) if target is EvidenceTarget.DECISION \
            else [record]
        for item in checked:
            blob = store_blob(session, item)
            for each in records:
                rows.append(link(session, office.require_org(), target, each.id, blob,
                                 item.name, note, now))
        session.flush()
    return rows


def remove_evidence(office: Office, evidence_id: int) -> int:
    """Remove an attached file (from every award of its decision, for a decision's scan);
    returns how many rows went. The bytes go with the last row that used them."""
    with office.write(EVIDENCE) as session:
        row = session.get(EvidenceFile, evidence_id)
        if row is None:
            raise NotFoundError("Không tìm thấy tệp đính kèm (có thể đã bị xóa).")
        doomed = [row]
        if row.target == EvidenceTarget.DECISION.value:
            award = session.get(Award, row.award_id)
            covered = [other.id for other in _same_decision(session, award)] \
                if award is not None and award.is_decided else []
            doomed += [other for other in session.scalars(select(EvidenceFile).where(
                EvidenceFile.id != row.id, EvidenceFile.blob_id == row.blob_id,
                EvidenceFile.target == row.target, EvidenceFile.award_id.in_(covered)))]
        for each in doomed:
            session.delete(each)
    return len(doomed)


# ---------------------------------------------------------------------------------- reads
def _infos(session: Session, rows, organisation_name: str) -> list[EvidenceInfo]:
    result = []
    for row in rows:
        target = EvidenceTarget(row.target)
        if row.registration_id is not None:
            record = session.get(Registration, row.registration_id)
            cell, year, kind = record.cell, record.year, ""
        elif row.evaluation_id is not None:
            record = session.get(Evaluation, row.evaluation_id)
            cell, year, kind = record.cell, record.year, ""
        else:
            record = session.get(Award, row.award_id)
            cell, year, kind = record.cell, record.year, record.kind
        result.append(EvidenceInfo(
            id=row.id, target=target, record_id=record.id, year=year,
            unit=cell.name if cell is not None else organisation_name,
            cell_code=cell.code if cell is not None else "", award_kind=kind,
            file_name=row.file_name, media_type=row.blob.media_type, size=row.blob.size,
            sha256=row.blob.sha256, note=row.note, attached_at=row.attached_at))
    return result


def _organisation_name(office: Office) -> str:
    from chibo4tot_desktop.ops import queries

    return queries.organisation(office).name


def evidence_for(office: Office, targets: Sequence[tuple[str, int]]) -> list[EvidenceInfo]:
    """The files attached to the given (target, record id) pairs, in the order attached."""
    conditions = [(EvidenceFile.target == target_of(target).value)
                  & (_link_column(target_of(target)) == record_id)
                  for target, record_id in targets]
    if not conditions:
        return []
    name = _organisation_name(office)
    with office.read() as session:
        rows = list(session.scalars(select(EvidenceFile).where(or_(*conditions))
                                    .options(selectinload(EvidenceFile.blob))
                                    .order_by(EvidenceFile.id)))
        return _infos(session, rows, name)


def evidence_of_year(office: Office, year: int) -> list[EvidenceInfo]:
    """Every file attached to the organisation's records of ``year``."""
    name = _organisation_name(office)
    with office.read() as session:
        registrations = select(Registration.id).where(Registration.year == year)
        evaluations = select(Evaluation.id).where(Evaluation.year == year)
        awards = select(Award.id).where(Award.year == year)
        rows = list(session.scalars(
            select(EvidenceFile).where(or_(EvidenceFile.registration_id.in_(registrations),
                                           EvidenceFile.evaluation_id.in_(evaluations),
                                           EvidenceFile.award_id.in_(awards)))
            .options(selectinload(EvidenceFile.blob)).order_by(EvidenceFile.id)))
        return _infos(session, rows, name)


def evidence_info(office: Office, evidence_id: int) -> EvidenceInfo:
    name = _organisation_name(office)
    with office.read() as session:
        row = session.get(EvidenceFile, evidence_id)
        if row is None:
            raise NotFoundError("Không tìm thấy tệp đính kèm (có thể đã bị xóa).")
        return _infos(session, [row], name)[0]


def evidence_content(office: Office, evidence_id: int) -> tuple[EvidenceInfo, bytes]:
    """An attached file and its bytes, checked against the SHA-256 stored with them."""
    name = _organisation_name(office)
    with office.read() as session:
        row = session.get(EvidenceFile, evidence_id)
        if row is None:
            raise NotFoundError("Không tìm thấy tệp đính kèm (có thể đã bị xóa).")
        info = _infos(session, [row], name)[0]
        content = session.scalar(select(EvidenceBlob.content)
                                 .where(EvidenceBlob.id == row.blob_id))
    if content is None or hashlib.sha256(content).hexdigest() != info.sha256:
        raise UserError(f"Tệp đính kèm '{info.file_name}' trong tệp dữ liệu bị hỏng (mã kiểm "
                        "tra không khớp); hãy khôi phục bản sao lưu hoặc đính kèm lại.")
    return info, content

