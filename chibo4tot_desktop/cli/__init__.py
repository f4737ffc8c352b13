"""The command line: ``chibo4tot-desktop [--data FILE]`` opens the window; subcommands do the
rest without Qt. Bad input exits with code 2 and one line of Vietnamese on stderr.

Each ``commands_*`` module adds its subcommands with ``register(subparsers, common)``; add a
new module to COMMAND_MODULES.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from chibo4tot_desktop import __version__
from chibo4tot_desktop.errors import UserError

COMMAND_MODULES = [
    "chibo4tot_desktop.cli.commands_core",
    "chibo4tot_desktop.cli.commands_records",
    "chibo4tot_desktop.cli.commands_settings",
    "chibo4tot_desktop.cli.commands_packet",
    "chibo4tot_desktop.cli.commands_pdf",
    "chibo4tot_desktop.cli.commands_excel",
    "chibo4tot_desktop.cli.commands_word",
    "chibo4tot_desktop.cli.commands_safety",
    "chibo4tot_desktop.cli.commands_keys",
    "chibo4tot_desktop.cli.commands_evidence",
]

_MESSAGES = {
    "usage: ": "Cách dùng: ",
    "options": "tùy chọn",
    "positional arguments": "tham số",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "show program's version number and exit": "hiện phiên bản chương trình rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "lựa chọn %(value)r không hợp lệ (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(value)r không hợp lệ",
    "expected one argument": "cần một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s":
        "tùy chọn %(option)s không rõ, có thể là %(matches)s",
    "not allowed with argument %s": "không dùng được cùng %s",
}


def _translate(message: str) -> str:
    return _MESSAGES.get(message, message)


argparse._ = _translate  # argparse looks its messages up through this name at call time


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D401 - argparse API
        """One Vietnamese line on stderr, exit code 2."""
        self.exit(2, f"Lỗi: {message}. Xem '{self.prog} --help'.\n")


def int_year(value: str) -> int:
    try:
        year = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"năm '{value}' không hợp lệ") from None
    if not 2000 <= year <= 2100:
        raise argparse.ArgumentTypeError(f"năm '{value}' không hợp lệ")
    return year


DATABASE_URL_HELP = ("cơ sở dữ liệu dùng chung trên máy chủ PostgreSQL, ví dụ "
                     "postgresql+psycopg://tên:mật-khẩu@máy-chủ/tên-csdl (thay cho --data)")


WINDOW_OPTIONS = ("--data", "--database-url")


def _window_parser() -> ArgumentParser:
    """The program's own options: those that open the window."""
    parser = ArgumentParser(
        prog="chibo4tot-desktop",
        description="Quản lý phong trào thi đua “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt”. "
                    "Không có lệnh con thì mở cửa sổ chương trình.")
    parser.add_argument("--data", metavar="TỆP", default=None,
                        help="tệp dữ liệu (mặc định: trong thư mục dữ liệu của người dùng)")
    parser.add_argument("--database-url", metavar="URL", default=None, help=DATABASE_URL_HELP)
    return parser


def opens_the_window(argv: Sequence[str]) -> bool:
    """Only the window's options, each written out in full with its value (``--data F``,
    ``--data=F``): the window opens, and the ten modules of subcommands need not be loaded
    (a tenth of a second before the window shows). Anything else goes through the whole
    parser."""
    words = list(argv)
    while words:
        name, equals, _value = words.pop(0).partition("=")
        if name not in WINDOW_OPTIONS:
            return False
        if not equals:
            if not words or words[0].startswith("-"):
                return False
            words.pop(0)
    return True


def build_parser() -> ArgumentParser:
    common = ArgumentParser(add_help=False)
    common.add_argument("--data", metavar="TỆP", default=argparse.SUPPRESS,
                        help="tệp dữ liệu (mặc định: trong thư mục dữ liệu của người dùng)")
    common.add_argument("--database-url", metavar="URL", default=argparse.SUPPRESS,
                        help=DATABASE_URL_HELP)
    common.add_argument("--org", "--org-code", dest="org", metavar="MÃ", default=argparse.SUPPRESS,
                        help="làm việc với đảng bộ có mã này trong tệp (đảng bộ cũ đã hợp nhất "
                             "vào, hoặc một phường trong dữ liệu của cấp trên); mặc định: đảng bộ "
                             "hiện hành")
    parser = _window_parser()
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="tự kiểm tra chương trình (cơ sở dữ liệu, Excel, PDF, Word, defusedxml, "
                             "Qt) trong một thư mục tạm rồi thoát; mã thoát 0 là đạt")
    subparsers = parser.add_subparsers(dest="command", metavar="LỆNH",
                                       parser_class=ArgumentParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    window = opens_the_window(argv)
    args = (_window_parser() if window else build_parser()).parse_args(argv)
    try:
        if not window and args.self_test:
            from chibo4tot_desktop.selftest import run_self_test

            return run_self_test()
        if window or args.command is None:
            from chibo4tot_desktop.ui.app import run

            from chibo4tot_desktop.cli.common import data_target

            return run(data_target(args))
        return args.func(args) or 0
    except UserError as error:
        from chibo4tot_desktop.guide import with_help

        print(f"Lỗi: {with_help(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. "| head"): stop quietly.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
