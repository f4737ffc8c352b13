"""Word subcommand: ``draft`` (a .docx draft of a document the office writes around its
lists: submission, decision, reports, reminder letter)."""

from __future__ import annotations

import argparse

from chibo4tot_desktop.cli.commands_core import _utf8_stdout
from chibo4tot_desktop.cli.common import (
    add_force,
    confirm_problems,
    date_option,
    open_office,
    output_path,
    resolve_year,
)


def register(subparsers, common: argparse.ArgumentParser) -> None:
    from chibo4tot_desktop.cli import int_year
    from chibo4tot_desktop.word.kinds import KINDS

    draft = subparsers.add_parser(
        "draft", parents=[common], help="lập dự thảo văn bản (Word .docx) từ dữ liệu",
        description="Lập dự thảo văn bản theo thể thức của Đảng (Hướng dẫn 36-HD/VPTW) để sửa "
                    "và ký trong Word hoặc LibreOffice: "
                    + "; ".join(f"{key} = {label}" for key, label in KINDS.items()) + ".")
    draft.add_argument("kind", choices=list(KINDS), metavar="LOẠI",
                       help="loại văn bản: " + ", ".join(KINDS))
    draft.add_argument("--year", type=int_year, metavar="NĂM", help="năm (mặc định: năm nay)")
    draft.add_argument("--date", metavar="NGÀY",
                       help="ngày ghi trên văn bản, dạng ngày/tháng/năm (mặc định: ngày đề nghị "
                            "với tờ trình, ngày sơ kết với báo cáo, hôm nay với công văn, để "
                            "trống với dự thảo quyết định)")
    draft.add_argument("output", metavar="TỆP.docx", help="tệp Word sẽ tạo")
    add_force(draft)
    draft.set_defaults(func=cmd_draft)


def cmd_draft(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.word.drafts import draft
    _utf8_stdout()
    output = output_path(args.output, ".docx")
    date = date_option(args.date)
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        drafted = draft(office, args.kind, year, date)
        confirm_problems(drafted.warnings, args.force)
        drafted.save(output)
    print(f"Đã tạo {output}: {drafted.title[:1].lower() + drafted.title[1:]}.")
    return 0
