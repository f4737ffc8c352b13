"""Helpers shared by the command modules: opening the data file named on the command line."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from chibo4tot_desktop.connection import choose_target, display_url
from chibo4tot_desktop.errors import UserError

if TYPE_CHECKING:   # the database code loads when a command opens a file, not for --help
    from chibo4tot_desktop.ops import Office


def data_target(args: argparse.Namespace) -> str:
    """--database-url, --data, CHIBO4TOT_DATABASE_URL, the saved URL, or the default file."""
    return choose_target(getattr(args, "data", None), getattr(args, "database_url", None))


@contextlib.contextmanager
def open_office(args: argparse.Namespace, *, create: bool = False,
                readonly: bool = False) -> Iterator[Office]:
    """The office of the data file given with --data (the default file otherwise)."""
    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.ops import Office

    target = data_target(args)
    db = open_database(target, create=create, readonly=readonly)
    try:
        office = Office(db)
        if not create and not office.has_organisation():
            name = display_url(target) if db.path is None else Path(target).name
            raise UserError(f"Tệp dữ liệu '{name}' chưa có đảng bộ nào "
                            "(hãy chạy lệnh demo hoặc mở chương trình để khai báo).")
        yield office
    finally:
        db.close()


def resolve_year(office: Office, year: int | None) -> int:
    """The year asked for, or this year when it belongs to a phase."""
    import datetime as dt

    from chibo4tot_desktop.ops import queries

    years = queries.years(office)
    if year is None:
        year = dt.date.today().year
        if year not in years:
            raise UserError("Hãy chọn năm bằng --year (năm nay không thuộc giai đoạn nào).")
    if year not in years:
        listed = ", ".join(str(y) for y in years) or "chưa có"
        raise UserError(f"Năm {year} không thuộc giai đoạn thi đua nào (các năm: {listed}).")
    return year



def output_path(value: str, suffix: str) -> Path:
    """The file a command will write: the right extension, not a folder, in a folder that
    exists; otherwise a Vietnamese UserError before any work is done."""
    path = Path(value)
    if path.suffix.lower() != suffix:
        raise UserError(f"Tên tệp '{value}' phải có đuôi {suffix}.")
    if path.is_dir():
        raise UserError(f"'{value}' là một thư mục, không phải tên tệp.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"Thư mục '{parent}' không có.")
    return path
