"""Core subcommands: ``demo``, ``status``, ``ranking``, and the cells list (``cells`` in
commands_records)."""

from __future__ import annotations

import argparse
import sys

from chibo4tot_desktop.cli.common import data_target, open_office, open_target, resolve_year


def register(subparsers, common: argparse.ArgumentParser) -> None:
    demo = subparsers.add_parser(
        "demo", parents=[common], help="tạo dữ liệu mẫu của Đảng bộ phường Tân Giang",
        description="Tạo dữ liệu mẫu (Đảng bộ phường Tân Giang từ 2023, hợp nhất thành Đảng bộ "
                    "phường Thành Sen từ 01/07/2025; giai đoạn 2023 - 2025 và 2026 - 2030) trong "
                    "một tệp mới. Không ghi đè tệp đã có dữ liệu.")
    demo.add_argument("--open", action="store_true",
                      help="mở cửa sổ chương trình sau đó (tệp đã có dữ liệu thì mở luôn)")
    demo.set_defaults(func=cmd_demo)

    from chibo4tot_desktop.cli import int_year

    status = subparsers.add_parser("status", parents=[common],
                                   help="in tình hình thi đua của một năm")
    status.add_argument("--year", type=int_year, metavar="NĂM", help="năm (mặc định: năm nay)")
    status.set_defaults(func=cmd_status)

    ranking = subparsers.add_parser(
        "ranking", parents=[common], help="xếp hạng chi bộ xếp loại HTXSNV so với tỷ lệ tối đa",
        description="In bảng xếp hạng các chi bộ xếp loại (hoặc được đề xuất) HTXSNV theo tổng "
                    "điểm Đảng ủy chấm, cách xếp khi bằng điểm, số được HTXSNV tối đa theo "
                    "quy định của năm và các chi bộ dẫn đầu (xét tặng Giấy khen).")
    ranking.add_argument("--year", type=int_year, metavar="NĂM", help="năm (mặc định: năm nay)")
    ranking.set_defaults(func=cmd_ranking)


def _utf8_stdout() -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure and (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(encoding="utf-8", errors="replace")


def cmd_demo(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.demo import build_demo
    from chibo4tot_desktop.ops import Office, queries

    target = data_target(args)
    db = open_target(target, write=True, create=True)
    try:
        office = Office(db)
        if args.open and not queries.is_empty(office):
            print(f"Tệp {target} đã có dữ liệu; mở tệp như hiện có.", file=sys.stderr)
        else:
            build_demo(office)
            from chibo4tot_desktop.connection import display_url

            print(f"Đã tạo dữ liệu mẫu: {display_url(target) if db.path is None else target}")
    finally:
        db.close()
    if args.open:
        from chibo4tot_desktop.ui.app import run

        return run(target)
    return 0


def cmd_cells(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.db.models import CellKind
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.text import format_date

    _utf8_stdout()
    with open_office(args) as office:
        cells = queries.cells(office, include_dissolved=not args.active)
        organisation = queries.organisation(office)
        names = {cell.id: cell.code for cell in queries.cells(office)}
        merged_into: dict[int, list[str]] = {}
        for link in queries.links(office):
            merged_into.setdefault(link.predecessor_id, []).append(names[link.successor_id])
    print(organisation.name)
    header = f"{'Mã':<8} {'Tên chi bộ':<36} {'Loại':<13} {'Bí thư':<22} {'ĐV':>4}  Ghi chú"
    print(header)
    print("-" * len(header))
    for cell in cells:
        notes = []
        if cell.is_pilot:
            notes.append("chi bộ điểm")
        if cell.started_on:
            notes.append(f"thành lập {format_date(cell.started_on)}")
        if cell.dissolved_on and cell.id in merged_into:
            notes.append(f"sáp nhập vào {', '.join(merged_into[cell.id])} "
                         f"{format_date(cell.dissolved_on)}")
        elif cell.dissolved_on:
            notes.append(f"giải thể {format_date(cell.dissolved_on)}")
        print(f"{cell.code:<8} {cell.name[:36]:<36} {CellKind(cell.kind).label:<13} "
              f"{cell.secretary[:22]:<22} {cell.members_count:>4}  {', '.join(notes)}")
    print(f"Tổng số: {len(cells)} chi bộ")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.reports import status_text, year_overview

    _utf8_stdout()
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        print(status_text(year_overview(office, year)))
    return 0


def cmd_ranking(args: argparse.Namespace) -> int:
    from chibo4tot_desktop.reports import ranking_text, year_overview

    _utf8_stdout()
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        print(ranking_text(year_overview(office, year)))
    return 0
