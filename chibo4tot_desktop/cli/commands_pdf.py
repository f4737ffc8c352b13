"""PDF subcommands: ``certificates``, ``form``, ``score-sheet``, ``proposal-list``."""

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
    add_force(certificates)
    certificates.set_defaults(func=cmd_certificates)

    form = subparsers.add_parser(
        "form", parents=[common], help="in bản đăng ký thi đua của một chi bộ ra tệp PDF",
        description="Tạo tệp PDF bản đăng ký thi đua của chi bộ (thể thức văn bản của Đảng).")
    form.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    form.add_argument("--cell", metavar="MÃ", required=True, help="mã chi bộ")
    form.add_argument("--blank", action="store_true",
                      help="in mẫu trống (dòng chấm) để chi bộ điền tay")
    form.add_argument("output", metavar="TỆP.pdf", help="tệp PDF sẽ tạo")
    add_force(form)
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
    add_force(proposal)
    proposal.set_defaults(func=cmd_proposal_list)

    guide = subparsers.add_parser(
        "guide", help="in Hướng dẫn sử dụng ra tệp PDF (để đóng thành sổ)",
        description="Tạo tệp PDF Hướng dẫn sử dụng chương trình: đủ các mục và hình minh họa "
                    "như trong cửa sổ (Trợ giúp ▸ Hướng dẫn sử dụng).")
    guide.add_argument("output", metavar="TỆP.pdf", help="tệp PDF sẽ tạo")
    guide.set_defaults(func=cmd_guide)


def _write(paper, output, force: bool) -> int:
    from chibo4tot_desktop.pdf.render import write_paper

    confirm_problems(paper.problems(), force)
    write_paper(paper, output)
    return len(paper.pages)


def cmd_certificates(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.pdf.certificates import year_certificates_paper

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        pages = _write(year_certificates_paper(office, year, args.cell), output, args.force)
    print(f"Đã tạo {output}: {pages} trang giấy khen, giấy chứng nhận năm {year}.")
    return 0


def cmd_form(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.pdf.forms import registration_form

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        pages = _write(registration_form(office, year, args.cell, args.blank), output,
                       args.force)
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
    from chibo4tot_desktop.pdf.forms import proposal_list

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    date = date_option(args.date)
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        pages = _write(proposal_list(office, year, date), output, args.force)
    print(f"Đã tạo {output}: danh sách đề nghị năm {year} ({pages} trang).")
    return 0


def cmd_guide(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.guide import sections
    from chibo4tot_desktop.pdf.guide import write_guide

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    write_guide(output)
    print(f"Đã tạo {output}: Hướng dẫn sử dụng, {len(sections())} mục.")
    return 0
