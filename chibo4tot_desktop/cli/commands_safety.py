"""Data safety subcommands: ``backup``, ``restore``, ``check``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chibo4tot_desktop.cli.common import data_target, locked_for_command
from chibo4tot_desktop.errors import UserError


def register(subparsers, common: argparse.ArgumentParser) -> None:
    backup = subparsers.add_parser(
        "backup", parents=[common], help="sao lưu tệp dữ liệu",
        description="Sao lưu tệp dữ liệu (an toàn cả khi chương trình đang mở tệp). Không ghi "
                    "RA thì bản sao lưu nằm trong thư mục backups cạnh tệp dữ liệu.")
    backup.add_argument("out", nargs="?", metavar="RA",
                        help="tệp (hoặc thư mục) sẽ chứa bản sao lưu")
    backup.add_argument("--list", action="store_true",
                        help="chỉ liệt kê các bản sao lưu đã có (ngày giờ, dung lượng)")
    backup.add_argument("--second", action="store_true",
                        help="sao lưu vào thư mục sao lưu thứ hai (ổ USB) đã chọn")
    backup.add_argument("--second-folder", metavar="THƯ_MỤC",
                        help="chọn thư mục sao lưu thứ hai (trên ổ USB hoặc ổ đĩa khác; được "
                             "dùng khi yêu cầu và khi đóng chương trình nếu có mặt); chuỗi "
                             "rỗng để bỏ")
    backup.set_defaults(func=cmd_backup)

    restore = subparsers.add_parser(
        "restore", parents=[common], help="khôi phục tệp dữ liệu từ một bản sao lưu",
        description="Thay tệp dữ liệu bằng một bản sao lưu. Bản sao lưu được kiểm tra trước; "
                    "tệp hiện tại được sao lưu lại trước khi bị thay.")
    restore.add_argument("backup", metavar="BẢN_SAO_LƯU", help="tệp sao lưu cần khôi phục")
    restore.set_defaults(func=cmd_restore)

    check = subparsers.add_parser(
        "check", parents=[common], help="kiểm tra (và sửa lỗi an toàn) tệp dữ liệu",
        description="Kiểm tra vật lý (integrity_check) rồi kiểm tra logic dữ liệu. Chỉ sửa "
                    "những lỗi sửa được an toàn, sau khi đã sao lưu. Mã thoát 0: không còn "
                    "lỗi; 1: còn lỗi cần người kiểm tra hoặc tệp bị hỏng.")
    check.add_argument("--no-repair", action="store_true", help="chỉ kiểm tra, không sửa gì")
    check.set_defaults(func=cmd_check)


def _utf8_stdout() -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure and (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(encoding="utf-8", errors="replace")


def _existing_data(args) -> Path:
    path = Path(data_target(args))
    if "://" in str(path):
        raise UserError("Lệnh này chỉ dùng cho tệp dữ liệu trên máy.")
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp dữ liệu '{path}'.")
    if path.stat().st_size == 0:
        from chibo4tot_desktop.safety.opening import empty_file_error

        raise empty_file_error(path)
    return path


def cmd_backup(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.safety.backup import (
        MANUAL,
        backup_name,
        format_size,
        list_backups,
        make_backup,
    )
    from chibo4tot_desktop.text import format_date

    from chibo4tot_desktop.safety.backup import backup_to_second, second_folder

    _utf8_stdout()
    data = _existing_data(args)
    if args.second_folder is not None:
        from chibo4tot_desktop.cli.common import open_office
        from chibo4tot_desktop.ops.setup import set_second_backup_folder

        with open_office(args, write=True) as office:
            value = set_second_backup_folder(office, args.second_folder)
        print(f"Thư mục sao lưu thứ hai: {value}." if value else
              "Đã bỏ thư mục sao lưu thứ hai.")
        return 0
    if args.list:
        second = second_folder(data)
        backups = list_backups(data) + (list_backups(data, second) if second and
                                         second.is_dir() else [])
        if not backups:
            print("Chưa có bản sao lưu nào.")
        for info in backups:
            print(f"{format_date(info.taken_at.date())} {info.taken_at:%H:%M:%S}  "
                  f"{format_size(info.size):>10}  {info.reason_label:<24} {info.path}")
        if second is not None and not second.is_dir():
            print(f"Thư mục sao lưu thứ hai {second} hiện không có (ổ USB chưa cắm).")
        return 0
    if args.second:
        info = backup_to_second(data)
        print(f"Đã sao lưu vào thư mục thứ hai: {info.path} ({format_size(info.size)})")
        return 0
    target = None
    if args.out:
        target = Path(args.out)
        if target.is_dir():
            import datetime as dt

            target = target / backup_name(data, dt.datetime.now(), MANUAL)
        if target.exists():
            raise UserError(f"Tệp '{target}' đã có; hãy chọn tên khác (không ghi đè).")
        if target.resolve() == data.resolve():
            raise UserError("Bản sao lưu không được trùng với tệp dữ liệu.")
    info = make_backup(data, MANUAL, target=target)
    print(f"Đã sao lưu: {info.path} ({format_size(info.size)})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.safety.lock import DataFileLockedError
    from chibo4tot_desktop.safety.restore import restore_backup

    _utf8_stdout()
    data = Path(data_target(args))
    if "://" in str(data):
        raise UserError("Lệnh này chỉ dùng cho tệp dữ liệu trên máy.")
    backup = Path(args.backup)
    if not backup.is_file():
        raise UserError(f"Không tìm thấy bản sao lưu '{backup}'.")
    if data.exists() and backup.resolve() == data.resolve():
        raise UserError("Bản sao lưu chính là tệp dữ liệu; không có gì để khôi phục.")
    try:
        result = restore_backup(backup, data)   # takes the writer lock
    except DataFileLockedError as error:
        raise locked_for_command(error) from None
    print(f"Đã khôi phục tệp dữ liệu {data} từ bản sao lưu {backup}.")
    if result.previous_saved_to:
        print(f"Tệp trước khi khôi phục được giữ tại: {result.previous_saved_to}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.errors import DataFileError
    from chibo4tot_desktop.safety.check import run_check
    from chibo4tot_desktop.safety.lock import DataFileLockedError, WriterLock

    _utf8_stdout()
    data = _existing_data(args)
    repair = not args.no_repair
    lock = WriterLock(data)
    note = None
    if repair:
        try:
            lock.acquire()
        except DataFileLockedError as error:
            repair = False
            note = (f"Tệp đang được {error.holder.describe()} mở nên chỉ kiểm tra, không sửa. "
                    "Hãy đóng chương trình rồi chạy lại để sửa.")
        except DataFileError as error:   # a read-only folder or lock file
            repair = False
            note = f"Chỉ kiểm tra, không sửa: {error}"
    try:
        report = run_check(data, repair_safe=repair)
    finally:
        lock.release()
    for line in report.lines():
        print(line)
    if note:
        print(note)
    return 1 if report.damaged or report.remaining else 0
