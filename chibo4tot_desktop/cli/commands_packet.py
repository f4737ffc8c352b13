"""Exchange packets between ward and city: ``packet export``, ``packet import``,
``packet list``; the city's commands: ``city results``, ``city proposals``,
``city certificates``."""

from __future__ import annotations

import argparse

from chibo4tot_desktop.cli.commands_core import _utf8_stdout
from chibo4tot_desktop.cli.common import (
    date_option,
    open_data,
    open_office,
    output_path,
    resolve_year,
)
from chibo4tot_desktop.errors import UserError


def register(subparsers, common: argparse.ArgumentParser) -> None:
    from chibo4tot_desktop.cli import ArgumentParser, int_year

    packet = subparsers.add_parser(
        "packet", parents=[common], help="gói dữ liệu gửi giữa phường và thành phố",
        description="Xuất dữ liệu một năm của đảng bộ phường thành một gói (tệp .zip có chữ "
                    "ký của văn phòng và mã kiểm tra SHA-256 của từng tệp), nhập các gói của "
                    "các phường vào cơ sở dữ liệu của cấp trên, hoặc nhập gói quyết định cấp "
                    "trên gửi xuống. Chỉ nhận gói ký bằng khóa đã đăng ký (lệnh 'keys').")
    actions = packet.add_subparsers(dest="packet_command", metavar="VIỆC", required=True,
                                    parser_class=ArgumentParser)
    export = actions.add_parser("export", parents=[common],
                                help="xuất gói dữ liệu của một năm (có chữ ký của văn phòng)")
    export.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    export.add_argument("--seal-to", metavar="MÃ_HOẶC_SỐ",
                        help="mã hóa gói cho bên nhận đã đăng ký khóa (xem 'keys list'): chỉ "
                             "tệp dữ liệu của bên đó mở được")
    export.add_argument("output", metavar="TỆP.zip", help="tệp gói sẽ tạo")
    export.set_defaults(func=cmd_export)
    decisions = actions.add_parser(
        "decisions", parents=[common], help="cấp trên: lập gói quyết định gửi xuống một phường",
        description="Gói các quyết định khen thưởng cấp trên đã ghi cho đảng bộ --org trong năm "
                    "(số, ngày, cơ quan ban hành, số sổ, bản quét), có chữ ký của văn phòng cấp "
                    "trên; phường nhập bằng 'packet import'.")
    decisions.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    decisions.add_argument("--seal-to", metavar="MÃ_HOẶC_SỐ",
                           help="mã hóa gói cho phường nhận (khóa đã đăng ký)")
    decisions.add_argument("output", metavar="TỆP.zip", help="tệp gói sẽ tạo")
    decisions.set_defaults(func=cmd_decisions)
    imp = actions.add_parser("import", parents=[common],
                             help="nhập gói dữ liệu của các phường, hoặc gói quyết định của cấp "
                                  "trên (tất cả hoặc không gì)")
    imp.add_argument("files", metavar="TỆP", nargs="+", help="các tệp gói")
    imp.set_defaults(func=cmd_import)
    listing = actions.add_parser("list", parents=[common], help="in các gói đã nhập")
    listing.set_defaults(func=cmd_list)

    city = subparsers.add_parser(
        "city", parents=[common], help="tổng hợp của thành phố từ các gói đã nhập",
        description="Kết quả theo từng đảng bộ, danh sách tổng hợp đề nghị khen thưởng (Excel) "
                    "và in giấy khen của tất cả các đảng bộ cùng lúc (PDF).")
    city_actions = city.add_subparsers(dest="city_command", metavar="VIỆC", required=True,
                                       parser_class=ArgumentParser)
    results = city_actions.add_parser("results", parents=[common],
                                      help="in kết quả và tỷ lệ “Chi bộ 4 tốt” theo đảng bộ")
    results.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    results.set_defaults(func=cmd_city_results)
    proposals = city_actions.add_parser(
        "proposals", parents=[common], help="xuất danh sách tổng hợp đề nghị ra tệp Excel")
    proposals.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    proposals.add_argument("--issuer", metavar="TÊN",
                           help="cơ quan ban hành ở đầu trang (mặc định: cấp trên của các "
                                "đảng bộ, ví dụ Thành ủy Hà Tĩnh)")
    proposals.add_argument("--place", metavar="ĐỊA DANH", help="địa danh ở dòng ngày tháng")
    proposals.add_argument("--date", metavar="NGÀY", help="ngày ghi trên văn bản (ngày/tháng/năm; "
                                                          "mặc định: hôm nay)")
    proposals.add_argument("output", metavar="TỆP.xlsx", help="tệp Excel sẽ tạo")
    proposals.set_defaults(func=cmd_city_proposals)
    certificates = city_actions.add_parser(
        "certificates", parents=[common],
        help="in giấy khen, giấy chứng nhận của tất cả các đảng bộ ra một tệp PDF")
    certificates.add_argument("--year", type=int_year, metavar="NĂM", required=True, help="năm")
    certificates.add_argument("output", metavar="TỆP.pdf", help="tệp PDF sẽ tạo")
    certificates.set_defaults(func=cmd_city_certificates)


def _seal_to(office, value):
    from chibo4tot_desktop.ops.keys import sender_by_code_or_id

    return sender_by_code_or_id(office.db, value) if value else None


def cmd_export(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.packets import export_packet

    _utf8_stdout()
    output = output_path(args.output, ".zip")
    with open_office(args, write=True) as office:   # own keys made on first use
        year = resolve_year(office, args.year)
        receiver = _seal_to(office, args.seal_to)
        export_packet(office, year, output, seal_to=receiver)
        name = queries.organisation(office).name
    sealed = f", mã hóa cho {receiver.name}" if receiver else ""
    print(f"Đã tạo gói dữ liệu {output}: {name}, năm {year}{sealed}.")
    return 0


def cmd_decisions(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.packets import export_decisions

    _utf8_stdout()
    output = output_path(args.output, ".zip")
    with open_office(args, write=True) as office:   # own keys made on first use
        year = resolve_year(office, args.year)
        receiver = _seal_to(office, args.seal_to)
        export_decisions(office, year, output, seal_to=receiver)
        name = queries.organisation(office).name
    sealed = f", mã hóa cho {receiver.name}" if receiver else ""
    print(f"Đã tạo gói quyết định {output} gửi {name}, năm {year}{sealed}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.ops.exchange import import_packets

    import sys

    from chibo4tot_desktop.packets import UnknownSenderError

    _utf8_stdout()
    with open_data(args, write=True, create=True) as db:   # the city starts empty
        try:
            outcomes = import_packets(db, args.files)
        except UnknownSenderError as error:
            print(f"Lỗi: {error}", file=sys.stderr)
            print(f"Sau khi so vân tay qua điện thoại: chibo4tot-desktop keys trust "
                  f"'{error.claim.source}' --fingerprint \"VÂN TAY\" (rồi nhập lại).",
                  file=sys.stderr)
            return 2
    for outcome in outcomes:
        print(outcome.describe())
    changed = sum(1 for outcome in outcomes if outcome.changed)
    print(f"Xong: {changed} gói đã nhập hoặc cập nhật, {len(outcomes) - changed} gói không "
          "thay đổi gì.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.packets import imported_packets
    from chibo4tot_desktop.text import format_date

    _utf8_stdout()
    with open_data(args) as db:
        rows = imported_packets(db)
    if not rows:
        print("Chưa nhập gói dữ liệu nào.")
    for code, name, year, made, imported in rows:
        print(f"{year}  {code:<10} {name:<40} tạo {format_date(made.date())} "
              f"{made:%H:%M} (UTC), nhập {format_date(imported.date())} {imported:%H:%M}")
    return 0


def cmd_city_results(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.city import results_by_ward

    _utf8_stdout()
    with open_data(args) as db:
        results = results_by_ward(db, args.year)
    if not results:
        raise UserError(f"Chưa có đảng bộ nào có dữ liệu năm {args.year}.")
    header = (f"{'Mã':<10} {'Đảng bộ':<36} {'Chi bộ':>6} {'Đăng ký':>7} {'Đã chấm':>7} "
              f"{'Đạt 4 tốt':>9} {'Tỷ lệ':>7} {'Đề nghị':>7} {'Công nhận':>9}  Đảng bộ 4 tốt")
    print(f"Kết quả thi đua năm {args.year} theo đảng bộ")
    print(header)
    print("-" * len(header))
    for row in results:
        print(f"{row.ward_code:<10} {row.ward_name[:36]:<36} {row.cells:>6} {row.registered:>7} "
              f"{row.scored:>7} {row.qualifying:>9} {row.share_text:>7} {row.proposed:>7} "
              f"{row.recognised:>9}  {row.organisation_verdict}")
    return 0


def cmd_city_proposals(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.city_export import write_proposals_xlsx

    _utf8_stdout()
    output = output_path(args.output, ".xlsx")
    date = date_option(args.date)
    with open_data(args) as db:
        count = write_proposals_xlsx(db, args.year, output, args.issuer, args.place, date)
    print(f"Đã tạo {output}: {count} đề nghị năm {args.year}.")
    return 0


def cmd_city_certificates(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.city_export import write_city_certificates

    _utf8_stdout()
    output = output_path(args.output, ".pdf")
    with open_data(args) as db:
        pages = write_city_certificates(db, args.year, output)
    print(f"Đã tạo {output}: {pages} trang giấy khen, giấy chứng nhận năm {args.year}.")
    return 0
