"""The kinds of records (cell kinds, catalogue scopes, award kinds, where a registration came
from) with their Vietnamese labels. No storage code: the command line builds its help from
these without loading the database layer; ``db.models`` re-exports them.
"""

from __future__ import annotations

from enum import StrEnum


class CellKind(StrEnum):
    RESIDENTIAL = "residential"
    AGENCY = "agency"
    SCHOOL = "school"
    ENTERPRISE = "enterprise"
    POLICE = "police"
    MILITARY = "military"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CELL_KIND_LABELS[self]


CELL_KIND_LABELS = {
    CellKind.RESIDENTIAL: "Tổ dân phố",
    CellKind.AGENCY: "Cơ quan",
    CellKind.SCHOOL: "Trường học",
    CellKind.ENTERPRISE: "Doanh nghiệp",
    CellKind.POLICE: "Công an",
    CellKind.MILITARY: "Quân sự",
    CellKind.OTHER: "Khác",
}


class Scope(StrEnum):
    """Whose catalogue a criteria group belongs to."""

    CELL = "cell"
    ORGANISATION = "organisation"


class AwardKind(StrEnum):
    CELL_RECOGNITION = "cell_recognition"
    ORG_RECOGNITION = "org_recognition"
    MERIT = "merit"

    @property
    def label(self) -> str:
        return AWARD_KIND_LABELS[self]


AWARD_KIND_LABELS = {
    AwardKind.CELL_RECOGNITION: "Công nhận “Chi bộ 4 tốt”",
    AwardKind.ORG_RECOGNITION: "Công nhận “Đảng bộ cơ sở 4 tốt”",
    AwardKind.MERIT: "Giấy khen",
}


class RegistrationSource(StrEnum):
    TYPED = "typed"
    FILE = "file"
