"""Helpers shared by the command modules: opening the data file named on the command line.

Every command says what it does with the file: ``open_office(args, write=True)`` (or
``open_data``) takes the writer lock and runs the start checks, as the window does; a
command that only reads opens the file read-only, after the same checks, without the lock.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from chibo4tot_desktop.connection import choose_target, display_url
from chibo4tot_desktop.errors import DataFileError, UserError

if TYPE_CHECKING:   # the database code loads when a command opens a file, not for --help
    from chibo4tot_desktop.db.engine import Database
    from chibo4tot_desktop.ops import Office


def data_target(args: argparse.Namespace) -> str:
    """--database-url, --data, CHIBO4TOT_DATABASE_URL, the saved URL, or the default file."""
    return choose_target(getattr(args, "data", None), getattr(args, "database_url", None))


def locked_for_command(error) -> DataFileError:
    """The window's message naming who holds the file, and what to do on the command line."""
    return DataFileError(f"{error} Lệnh này cần ghi vào tệp nên chưa làm gì; hãy đóng "
                         "chương trình đang mở tệp rồi chạy lại lệnh.")


def open_target(target: str, *, write: bool, create: bool = False) -> Database:
    """Open ``target`` for a command: for writing (lock, start checks) or for reading."""
    from chibo4tot_desktop.safety.opening import (
        DataFileLockedError,
        open_for_reading,
        open_for_writing,
    )

    if not write:
        return open_for_reading(target)
    try:
        db = open_for_writing(target, create=create)
    except DataFileLockedError as error:
        raise locked_for_command(error) from None
    for warning in db.warnings:
        print(f"Cảnh báo: {warning}", file=sys.stderr)
    return db


@contextlib.contextmanager
def open_data(args: argparse.Namespace, *, write: bool = False,
              create: bool = False) -> Iterator[Database]:
    """The data file given with --data (the default file otherwise), closed afterwards.
    ``write``: the command changes it; ``create``: a new file may be made."""
    db = open_target(data_target(args), write=write, create=create)
    try:
        yield db
    finally:
        db.close()


@contextlib.contextmanager
def open_office(args: argparse.Namespace, *, write: bool = False,
                create: bool = False) -> Iterator[Office]:
    """The office of the data file given with --data (the default file otherwise).
    ``write``: the command changes data (see ``open_data``)."""
    from chibo4tot_desktop.ops import Office

    target = data_target(args)
    db = open_target(target, write=write, create=create)
    try:
        office = Office(db, organisation_by_code(db, args.org) if getattr(args, "org", None)
                        else None)
        if not create and not office.has_organisation():
            name = display_url(target) if db.path is None else Path(target).name
            raise UserError(f"Tệp dữ liệu '{name}' chưa có đảng bộ nào "
                            "(hãy chạy lệnh demo hoặc mở chương trình để khai báo).")
        yield office
    finally:
        db.close()


def organisation_by_code(db, code: str) -> int:
    """The id of the organisation with ``code`` (--org): a predecessor ward merged into this
    one, or a ward in an upper level's database."""
    from chibo4tot_desktop.ops.organisations import organisation_by_code as by_code

    return by_code(db, code).id


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


def date_argument(value: str):
    """An argparse ``type`` for a date typed as ngày/tháng/năm (argparse reports the error)."""
    from chibo4tot_desktop.text import DateParseError, parse_date

    try:
        return parse_date(value)
    except DateParseError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def date_option(value: str | None):
    """The date of a command's ``--date`` (None when not given); a Vietnamese UserError for
    one that cannot be read."""
    from chibo4tot_desktop.text import DateParseError, parse_date

    if not value:
        return None
    try:
        return parse_date(value)
    except DateParseError as error:
        raise UserError(f"Ngày --date: {error}.") from None


def confirm_problems(problems: list[str], force: bool) -> None:
    """Before a paper is written: print each problem on stderr ("Cảnh báo: ..."); without
    ``force`` stop there (UserError, nothing written)."""
    import sys

    if not problems:
        return
    for problem in problems:
        print(f"Cảnh báo: {problem}", file=sys.stderr)
    if not force:
        raise UserError(f"Chưa tạo tệp: có {len(problems)} điều cần xem lại (ở trên). Hãy sửa, "
                        "hoặc thêm --force để vẫn tạo tệp.")


def add_force(parser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="vẫn tạo tệp khi có cảnh báo (thiếu người ký, chữ ra ngoài trang...)")
