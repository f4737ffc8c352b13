"""``Office``: one organisation's unit of work on an open database.

It owns what every operation needs and nothing else: the database, the organisation, a
session that sees only that organisation's rows (``read``), and a transaction with the same
filter whose ``Change`` reaches the listeners after the commit (``write``). The operations
themselves are functions in the area modules (``ops.cells``, ``ops.awards``...).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import Organisation
from chibo4tot_desktop.errors import UserError


class Office:
    """The office of one organisation (``organisation_id``) in ``db``."""

    def __init__(self, db: Database, organisation_id: int | None = None):
        self.db = db
        if organisation_id is None:
            # The organisation that goes on (a ward merged into it lives in its file too).
            with db.session() as session:
                organisation_id = session.scalar(
                    select(Organisation.id).order_by(Organisation.merged_into_id.is_not(None),
                                                     Organisation.id).limit(1))
        self.organisation_id = organisation_id

    def has_organisation(self) -> bool:
        return self.organisation_id is not None

    def require_org(self) -> int:
        if self.organisation_id is None:
            raise UserError("Tệp dữ liệu chưa có đảng bộ nào; hãy khai báo đảng bộ trước.")
        return self.organisation_id

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading this organisation's rows."""
        with self.db.session(self.organisation_id) as session:
            yield session

    @contextlib.contextmanager
    def write(self, *topics: str) -> Iterator[Session]:
        """One transaction over this organisation's rows: all of it is committed or none."""
        with self.db.transaction(*topics, organisation_id=self.organisation_id) as session:
            yield session
