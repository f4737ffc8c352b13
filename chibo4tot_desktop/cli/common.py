"""Helpers shared by the command modules: opening the data file named on the command line."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path

from chibo4tot_desktop.connection import choose_target, display_url
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import Office, queries


def data_target(args: argparse.Namespace) -> str:
    """--database-url, --data, CHIBO4TOT_DATABASE_URL, the saved URL, or the default file."""
    return choose_target(getattr(args, "data", None), getattr(args, "database_url", None))


@contextlib.contextmanager
def open_office(args: argparse.Namespace, *, create: bool = False,
                readonly: bool = False) -> Iterator[Office]:
    """The office of the data file given with --data (the default file otherwise)."""
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
