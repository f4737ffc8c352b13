"""Files of evidence attached to records: ``evidence`` (list, add, export, remove)."""

from __future__ import annotations

import argparse
from pathlib import Path

from chibo4tot_desktop.cli.commands_core import _utf8_stdout
from chibo4tot_desktop.cli.common import open_office, resolve_year
from chibo4tot_desktop.errors import UserError

TARGETS = {"registration": "bản đăng ký", "evaluation": "phiếu chấm điểm",
           "proposal": "đề nghị khen thưởng", "decision": "quyết định khen thưởng"}
KINDS = {"cell": "cell_recognition", "org": "org_recognition", "merit": "merit"}


def register(subparsers, common: argparse.ArgumentParser) -> None:
    from chibo4tot_desktop.cli import ArgumentParser, int_year

    evidence = subparsers.add_parser(
        "evidence", parents=[common], help="tệp minh chứng (PDF, JPEG, PNG) đính kèm hồ sơ",
        description="Tệp minh chứng (bản đăng ký đã ký, báo cáo tự chấm, biên bản, bản quét "
                    "quyết định) đính kèm vào bản đăng ký, phiếu chấm, đề nghị hoặc quyết định; "
                    "lưu ngay trong tệp dữ liệu. Không có VIỆC thì in các tệp đã đính kèm của "
                    "năm.")
    evidence.add_argument("--year", type=int_year, metavar="NĂM", help="năm (mặc định: năm nay)")
    evidence.add_argument("--cell", metavar="MÃ", help="chỉ tệp của chi bộ này")
    evidence.set_defaults(func=cmd_evidence_list)
    actions = evidence.add_subparsers(dest="evidence_command", metavar="VIỆC",
                                      parser_class=ArgumentParser)
    add = actions.add_parser(
        "add", parents=[common], help="đính kèm tệp vào một hồ sơ",
        description="Đính kèm tệp (PDF, JPEG, PNG; tối đa 20 MB mỗi tệp, kiểm tra theo nội "
                    "dung) vào hồ sơ của chi bộ (--cell) hoặc của đảng bộ (--organisation). "
                    "Bản quét quyết định được đính vào mọi khen thưởng của quyết định đó.")
    add.add_argument("files", nargs="+", metavar="TỆP", help="các tệp cần đính kèm")
    add.add_argument("--year", type=int_year, required=True, metavar="NĂM", help="năm")
    unit = add.add_mutually_exclusive_group(required=True)
    unit.add_argument("--cell", metavar="MÃ", help="mã chi bộ")
    unit.add_argument("--organisation", action="store_true", help="hồ sơ của đảng bộ")
    add.add_argument("--for", dest="target", choices=list(TARGETS), required=True,
                     metavar="HỒ_SƠ", help="registration (bản đăng ký), evaluation (phiếu "
                                           "chấm), proposal (đề nghị), decision (quyết định)")
    add.add_argument("--kind", choices=list(KINDS), metavar="LOẠI",
                     help="với đề nghị, quyết định: cell, merit hoặc org (mặc định: cell cho "
                          "chi bộ, org cho đảng bộ)")
    add.add_argument("--note", default="", metavar="GHI_CHÚ", help="ghi chú cho tệp")
    add.set_defaults(func=cmd_evidence_add)
    export = actions.add_parser("export", parents=[common], help="lưu một tệp đính kèm ra ngoài")
    export.add_argument("id", type=int, metavar="SỐ", help="số của tệp (lệnh 'evidence' in ra)")
    export.add_argument("output", metavar="RA", help="tệp sẽ tạo, hoặc thư mục")
    export.set_defaults(func=cmd_evidence_export)
    remove = actions.add_parser("remove", parents=[common], help="bỏ một tệp đính kèm")
    remove.add_argument("id", type=int, metavar="SỐ", help="số của tệp")
    remove.set_defaults(func=cmd_evidence_remove)


def record_id(office, year: int, target: str, cell_code: str | None, kind: str | None) -> int:
    """The id of the record a file is attached to, found by year, unit and kind."""
    from chibo4tot_desktop.ops import queries

    cell = queries.cell_by_code(office, cell_code) if cell_code else None
    unit = cell.name if cell else "Đảng bộ"
    if target == "registration":
        if cell is None:
            raise UserError("Bản đăng ký là của chi bộ; hãy nêu --cell MÃ.")
        registration = queries.registration(office, cell.id, year)
        if registration is None:
            raise UserError(f"{unit} chưa có bản đăng ký năm {year}.")
        return registration.id
    if target == "evaluation":
        evaluation = queries.evaluation(office, cell.id if cell else None, year)
        if evaluation is None:
            raise UserError(f"{unit} chưa có phiếu chấm điểm năm {year}.")
        return evaluation.id
    kind = KINDS[kind or ("cell" if cell else "org")]
    for award in queries.awards(office, year):
        if award.kind == kind and award.cell_id == (cell.id if cell else None):
            return award.id
    raise UserError(f"{unit} không có đề nghị loại này năm {year}.")


def cmd_evidence_add(args) -> int:
    from chibo4tot_desktop.ops.evidence import attach_evidence

    _utf8_stdout()
    with open_office(args, write=True) as office:
        year = resolve_year(office, args.year)
        target = record_id(office, year, args.target, args.cell, args.kind)
        rows = attach_evidence(office, args.target, target, args.files, args.note)
    names = sorted({row.file_name for row in rows})
    print(f"Đã đính kèm {len(names)} tệp vào {TARGETS[args.target]}"
          + (f" ({len(rows)} khen thưởng của quyết định)" if args.target == "decision" else "")
          + ": " + ", ".join(names))
    return 0


def cmd_evidence_list(args) -> int:
    from chibo4tot_desktop.evidence import format_size
    from chibo4tot_desktop.ops.evidence import evidence_of_year
    from chibo4tot_desktop.text import format_date

    _utf8_stdout()
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        rows = evidence_of_year(office, year)
    if args.cell:
        rows = [row for row in rows if row.cell_code.casefold() == args.cell.casefold()]
    print(f"Tệp minh chứng năm {year}")
    for row in rows:
        print(f"{row.id:>5}  {row.target_label:<16} {row.unit[:32]:<32} {row.file_name[:40]:<40} "
              f"{row.type_name:<9} {format_size(row.size):>9}  "
              f"{format_date(row.attached_at.date())}"
              + (f"  ({row.note})" if row.note else ""))
    print(f"Tổng số: {len(rows)} tệp")
    return 0


def cmd_evidence_export(args) -> int:
    from chibo4tot_desktop.evidence import stored_name
    from chibo4tot_desktop.files import write_bytes
    from chibo4tot_desktop.ops.evidence import evidence_content

    _utf8_stdout()
    with open_office(args) as office:
        info, content = evidence_content(office, args.id)
    target = Path(args.output)
    if target.is_dir():
        target = target / stored_name(info.file_name, info.media_type)
    elif not (target.parent if str(target.parent) else Path(".")).is_dir():
        raise UserError(f"Thư mục '{target.parent}' không có.")
    if target.exists():
        raise UserError(f"Tệp '{target}' đã có; hãy chọn tên khác (không ghi đè).")
    write_bytes(target, content)
    print(f"Đã lưu {info.file_name} ra {target}.")
    return 0


def cmd_evidence_remove(args) -> int:
    from chibo4tot_desktop.ops.evidence import evidence_info, remove_evidence

    _utf8_stdout()
    with open_office(args, write=True) as office:
        info = evidence_info(office, args.id)
        count = remove_evidence(office, args.id)
    print(f"Đã bỏ tệp {info.file_name} khỏi {info.target_label.lower()}"
          + (f" ({count} khen thưởng)" if count > 1 else "") + ".")
    return 0
