"""PDF subcommands: ``certificates``, ``form``, ``score-sheet``, ``proposal-list``."""

from __future__ import annotations

import argparse

from chibo4tot_desktop.cli.commands_core import _utf8_stdout
from chibo4tot_desktop.cli.common import open_office, output_path, resolve_year
from chibo4tot_desktop.errors import UserError


def register(subparsers, common: argparse.ArgumentParser) -> None:
    from chibo4tot_desktop.cli import int_year

    certificates = subparsers.add_parser(
        "certificates", parents=[common],
        help="in giấy khen, giấy chứng nhận của một năm ra tệp PDF",
        description="Tạo tệp PDF giấy khen, giấy chứng nhận “Chi bộ 4 tốt” (mỗi khen thưởng đã "
                    "có quyết định một trang A4 ngang) của năm đã chọn.")
    certificates.add_argument("--year", type=int_year, metavar="NĂM", required=True,
                              help="năm khen thưởng")
    certificates.add_argument("--cell", action="append", default=[], metavar="MÃ",
                              help="chỉ in cho chi bộ có mã này (dùng nhiều lần được)")
    certificates.add_argument("output", metavar="TỆP.pdf", help="tệp PDF sẽ tạo")
    certificates.set_defaults(func=cmd_certificates)

    form = subparsers.add_parser(
        "form", parents=[common], help="in bản đăng ký thi đua của một chi bộ ra tệp PDF",
        description="Tạo tệp PDF bản đăng ký thi đua của chi bộ (thể thức văn bản của Đảng).")
    form.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    form.add_argument("--cell", metavar="MÃ", required=True, help="mã chi bộ")
    form.add_argument("--blank", action="store_true",
                      help="in mẫu trống (dòng chấm) để chi bộ điền tay")
    form.add_argument("output", metavar="TỆP.pdf", help="tệp PDF sẽ tạo")
    form.set_defaults(func=cmd_form)

    sheet = subparsers.add_parser(
        "score-sheet", parents=[common], help="in phiếu chấm điểm của chi bộ ra tệp PDF",
        description="Tạo tệp PDF phiếu chấm điểm (cột chi bộ tự chấm và Đảng ủy chấm, chữ ký "
                    "của chi bộ và của Đảng ủy), mỗi chi bộ một phiếu; không nêu --cell thì in "
                    "cho mọi chi bộ của năm.")
    sheet.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    sheet.add_argument("--cell", action="append", default=[], metavar="MÃ",
                       help="mã chi bộ (dùng nhiều lần được)")
    sheet.add_argument("--blank", action="store_true",
                       help="để trống các cột điểm để chấm tay")
    sheet.add_argument("output", metavar="TỆP.pdf", help="tệp PDF sẽ tạo")
    sheet.set_defaults(func=cmd_score_sheet)

    proposal = subparsers.add_parser(
        "proposal-list", parents=[common],
        help="in danh sách đề nghị khen thưởng của một năm ra tệp PDF",
        description="Tạo tệp PDF danh sách đề nghị công nhận “Chi bộ 4 tốt”, “Đảng bộ cơ sở "
                    "4 tốt” và tặng Giấy khen của năm đã chọn.")
    proposal.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    proposal.add_argument("--date", metavar="NGÀY",
                          help="ngày ghi trên văn bản, dạng ngày/tháng/năm (mặc định: ngày đề "
                               "nghị muộn nhất)")
    proposal.add_argument("output", metavar="TỆP.pdf", help="tệp PDF sẽ tạo")
    proposal.set_defaults(func=cmd_proposal_list)


def cmd_certificates(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.pdf.certificates import write_certificates

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        pages = write_certificates(office, year, output, args.cell)
    print(f"Đã tạo {output}: {pages} trang giấy khen, giấy chứng nhận năm {year}.")
    return 0


def cmd_form(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.pdf.forms import write_registration_form

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        pages = write_registration_form(office, year, args.cell, output, args.blank)
    kind = "mẫu trống bản đăng ký" if args.blank else "bản đăng ký"
    print(f"Đã tạo {output}: {kind} thi đua năm {year} ({pages} trang).")
    return 0


def cmd_score_sheet(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.pdf.scoring_sheet import write_scoring_sheets

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        pages = write_scoring_sheets(office, year, args.cell, output, args.blank)
    print(f"Đã tạo {output}: phiếu chấm điểm năm {year} ({pages} trang).")
    return 0


def cmd_proposal_list(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.pdf.forms import write_proposal_list
    from chibo4tot_desktop.text import DateParseError, parse_date

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    date = None
    if args.date:
        try:
            date = parse_date(args.date)
        except DateParseError as error:
            raise UserError(f"Ngày --date: {error}.") from None
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        pages = write_proposal_list(office, year, output, date)
    print(f"Đã tạo {output}: danh sách đề nghị năm {year} ({pages} trang).")
    return 0
