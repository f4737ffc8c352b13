"""Excel subcommands: ``template``, ``import``, ``export``."""

from __future__ import annotations

import argparse

from chibo4tot_desktop.cli.commands_core import _utf8_stdout
from chibo4tot_desktop.cli.common import add_force, confirm_problems, date_option, open_office, resolve_year


def register(subparsers, common: argparse.ArgumentParser) -> None:
    from chibo4tot_desktop.cli import int_year
    from chibo4tot_desktop.excel.kinds import KINDS

    template = subparsers.add_parser(
        "template", parents=[common], help="lập mẫu đăng ký thi đua (Excel) gửi các chi bộ",
        description="Lập tệp Excel mẫu bản đăng ký thi đua: một chi bộ (--cell) hoặc tất cả "
                    "chi bộ (mỗi chi bộ một trang).")
    template.add_argument("--year", type=int_year, metavar="NĂM", help="năm (mặc định: năm nay)")
    template.add_argument("--cell", metavar="MÃ", help="mã chi bộ (bỏ trống: tất cả chi bộ)")
    template.add_argument("output", metavar="TỆP.xlsx", help="tệp Excel sẽ tạo")
    template.set_defaults(func=cmd_template)

    importer = subparsers.add_parser(
        "import", parents=[common], help="nhập bản đăng ký thi đua từ tệp Excel",
        description="Đọc các tệp Excel (mẫu của chương trình hoặc danh sách tổng hợp), kiểm "
                    "tra từng dòng, in kế hoạch nhập và mọi lỗi. Có lỗi thì không nhập gì, "
                    "trừ khi dùng --only-good.")
    importer.add_argument("files", nargs="+", metavar="TỆP.xlsx", help="các tệp cần nhập")
    importer.add_argument("--year", type=int_year, metavar="NĂM", help="năm (mặc định: năm nay)")
    importer.add_argument("--dry-run", action="store_true",
                          help="chỉ kiểm tra và in kế hoạch, không ghi gì")
    importer.add_argument("--only-good", action="store_true",
                          help="nhập các dòng đúng, bỏ qua các dòng lỗi")
    importer.set_defaults(func=cmd_import)

    self_template = subparsers.add_parser(
        "self-template", parents=[common], help="lập mẫu phiếu tự chấm điểm (Excel) gửi các chi bộ",
        description="Lập tệp Excel phiếu tự chấm điểm của năm: mỗi chi bộ một trang có bộ tiêu "
                    "chí của năm, điểm tối đa từng mục và ô nhập điểm có kiểm tra.")
    self_template.add_argument("--year", type=int_year, metavar="NĂM",
                               help="năm (mặc định: năm nay)")
    self_template.add_argument("--cell", metavar="MÃ", help="mã chi bộ (bỏ trống: tất cả)")
    self_template.add_argument("output", metavar="TỆP.xlsx", help="tệp Excel sẽ tạo")
    self_template.set_defaults(func=cmd_self_template)

    self_import = subparsers.add_parser(
        "self-import", parents=[common], help="nhập điểm chi bộ tự chấm từ các phiếu đã điền",
        description="Đọc các phiếu tự chấm (mẫu của chương trình), kiểm tra từng điểm, in kế "
                    "hoạch nhập và mọi lỗi (tệp, trang, dòng, cột). Có lỗi thì không nhập gì, "
                    "trừ khi dùng --only-good. Chỉ ghi cột “Chi bộ tự chấm”.")
    self_import.add_argument("files", nargs="+", metavar="TỆP.xlsx", help="các tệp cần nhập")
    self_import.add_argument("--year", type=int_year, metavar="NĂM",
                             help="năm (mặc định: năm nay)")
    self_import.add_argument("--dry-run", action="store_true",
                             help="chỉ kiểm tra và in kế hoạch, không ghi gì")
    self_import.add_argument("--only-good", action="store_true",
                             help="nhập các phiếu đúng, bỏ qua các phiếu có lỗi")
    self_import.set_defaults(func=cmd_self_import)

    export = subparsers.add_parser(
        "export", parents=[common], help="xuất danh sách ra Excel",
        description="Xuất danh sách ra tệp Excel: "
                    + "; ".join(f"{key} = {label}" for key, label in KINDS.items()) + ".")
    export.add_argument("kind", choices=list(KINDS), metavar="LOẠI",
                        help="loại danh sách: " + ", ".join(KINDS))
    export.add_argument("--year", type=int_year, metavar="NĂM", help="năm (mặc định: năm nay)")
    export.add_argument("--date", metavar="NGÀY",
                        help="ngày ghi trên danh sách, dạng ngày/tháng/năm (mặc định: ngày của "
                             "chính danh sách: ngày đề nghị, ngày quyết định, hạn sơ kết...)")
    export.add_argument("output", metavar="TỆP.xlsx", help="tệp Excel sẽ tạo")
    add_force(export)
    export.set_defaults(func=cmd_export)


def cmd_template(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.excel.template import write_template

    _utf8_stdout()
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        path = write_template(office, year, args.output, args.cell)
    print(f"Đã lập mẫu đăng ký năm {year}: {path}")
    return 0


def cmd_self_template(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.excel.selfassess import write_self_template

    _utf8_stdout()
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        path = write_self_template(office, year, args.output, args.cell)
    print(f"Đã lập mẫu phiếu tự chấm năm {year}: {path}")
    return 0


def cmd_self_import(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.excel.selfassess import apply_self_plan, build_self_plan

    return _run_import(args, build_self_plan, apply_self_plan)


def cmd_import(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.excel.importer import apply_plan, build_plan

    return _run_import(args, build_plan, apply_plan)


def _run_import(args: argparse.Namespace, build_plan, apply_plan) -> int:
    """The plan printed; written only without problems, or the good rows with --only-good."""
    import sys

    _utf8_stdout()
    with open_office(args, write=not args.dry_run) as office:
        year = resolve_year(office, args.year)
        plan = build_plan(office, year, args.files)
        print("\n".join(plan.report_lines(limit=None)))
        if args.dry_run:
            print("Chạy thử (--dry-run): chưa ghi gì.")
            return 2 if plan.problems else 0
        if plan.problems and not args.only_good:
            print(f"Lỗi: có {len(plan.problems)} lỗi; chưa nhập gì. Sửa tệp rồi nhập lại, hoặc "
                  "dùng --only-good để nhập các dòng đúng.", file=sys.stderr)
            return 2
        if plan.problems and not plan.has_changes and not plan.rows:
            print("Lỗi: không có dòng đúng nào để nhập; chưa ghi gì.", file=sys.stderr)
            return 2
        outcome = apply_plan(office, plan, only_good=args.only_good)
    print(outcome.message())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.excel.exports import KINDS, export, warnings

    _utf8_stdout()
    date = date_option(args.date)
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        confirm_problems(warnings(office, args.kind, year), args.force)
        path = export(office, args.kind, year, args.output, date)
    print(f"Đã xuất {KINDS[args.kind].lower()} năm {year}: {path}")
    return 0
