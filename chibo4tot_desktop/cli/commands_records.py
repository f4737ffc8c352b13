"""The office's records from the command line, each action the window has, through the same
operation: ``cells``, ``registrations``, ``scores``, ``awards``.

Every command that writes calls one function of ``ops`` and prints what it did; bad input is
one Vietnamese line and exit code 2 (``cli.main``).
"""

from __future__ import annotations

import argparse

from chibo4tot_desktop.cli.common import date_argument, open_office, resolve_year
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.text import format_date

KIND_NAMES = {"cell": "cell_recognition", "org": "org_recognition", "merit": "merit"}



def _subparsers(parser: argparse.ArgumentParser):
    from chibo4tot_desktop.cli import ArgumentParser

    return parser.add_subparsers(dest="action", metavar="VIỆC", parser_class=ArgumentParser)


def register(subparsers, common: argparse.ArgumentParser) -> None:
    from chibo4tot_desktop.cli import int_year
    from chibo4tot_desktop.cli.commands_core import cmd_cells
    from chibo4tot_desktop.kinds import CellKind

    kinds = ", ".join(f"{kind.value} ({kind.label})" for kind in CellKind)

    # ------------------------------------------------------------------------------ cells
    cells = subparsers.add_parser(
        "cells", parents=[common], help="danh sách chi bộ; thêm, sửa, giải thể, xóa chi bộ",
        description="Không có VIỆC thì in danh sách chi bộ.")
    cells.add_argument("--active", action="store_true", help="chỉ các chi bộ đang hoạt động")
    cells.set_defaults(func=cmd_cells)
    actions = _subparsers(cells)
    add = actions.add_parser("add", parents=[common], help="thêm chi bộ")
    add.add_argument("--code", required=True, metavar="MÃ", help="mã chi bộ, ví dụ TDP13")
    add.add_argument("--name", required=True, metavar="TÊN", help="tên chi bộ")
    _cell_fields(add, kinds)
    add.set_defaults(func=cmd_cell_add)
    edit = actions.add_parser("edit", parents=[common], help="sửa thông tin chi bộ")
    edit.add_argument("cell", metavar="MÃ", help="mã chi bộ cần sửa")
    edit.add_argument("--code", metavar="MÃ_MỚI", help="mã mới")
    edit.add_argument("--name", metavar="TÊN", help="tên mới")
    _cell_fields(edit, kinds)
    edit.set_defaults(func=cmd_cell_edit)
    dissolve = actions.add_parser("dissolve", parents=[common], help="giải thể chi bộ")
    dissolve.add_argument("cell", metavar="MÃ", help="mã chi bộ")
    dissolve.add_argument("--date", type=date_argument, required=True, metavar="NGÀY",
                          help="ngày giải thể (ngày/tháng/năm)")
    _confirm(dissolve)
    dissolve.set_defaults(func=cmd_cell_dissolve)
    merge = actions.add_parser(
        "merge", parents=[common], help="sáp nhập chi bộ (hoặc chia tách) vào chi bộ khác",
        description="Các chi bộ MÃ kết thúc hoạt động ngày --date, sáp nhập vào các chi bộ "
                    "--into (đã có) và/hoặc một chi bộ mới (--new-code, --new-name), thành "
                    "lập ngày đó. Chi bộ nhận sáp nhập giữ hồ sơ của chi bộ cũ; số năm liên "
                    "tục đạt tính nối qua sáp nhập (thiết lập cells.streak_through_merge).")
    merge.add_argument("cells", nargs="+", metavar="MÃ", help="mã các chi bộ sáp nhập")
    merge.add_argument("--date", type=date_argument, required=True, metavar="NGÀY",
                       help="ngày sáp nhập (ngày/tháng/năm)")
    merge.add_argument("--into", action="append", default=[], metavar="MÃ",
                       help="chi bộ nhận sáp nhập (dùng nhiều lần khi chia tách)")
    merge.add_argument("--new-code", metavar="MÃ", help="mã chi bộ mới thành lập")
    merge.add_argument("--new-name", metavar="TÊN", help="tên chi bộ mới")
    merge.add_argument("--new-kind", metavar="LOẠI", help="loại chi bộ mới")
    merge.add_argument("--new-secretary", metavar="HỌ_TÊN", help="bí thư chi bộ mới")
    merge.add_argument("--new-members", metavar="SỐ", help="số đảng viên chi bộ mới")
    _confirm(merge)
    merge.set_defaults(func=cmd_cell_merge)
    history = actions.add_parser(
        "history", parents=[common], help="hồ sơ các năm của chi bộ (kể cả chi bộ đã sáp nhập "
                                          "vào nó)")
    history.add_argument("cell", metavar="MÃ", help="mã chi bộ")
    history.set_defaults(func=cmd_cell_history)
    reactivate = actions.add_parser("reactivate", parents=[common],
                                    help="cho chi bộ đã giải thể (sáp nhập) hoạt động lại")
    reactivate.add_argument("cell", metavar="MÃ", help="mã chi bộ")
    _confirm(reactivate)
    reactivate.set_defaults(func=cmd_cell_reactivate)
    delete = actions.add_parser("delete", parents=[common],
                                help="xóa chi bộ chưa có hồ sơ thi đua nào")
    delete.add_argument("cell", metavar="MÃ", help="mã chi bộ")
    delete.set_defaults(func=cmd_cell_delete)

    # ---------------------------------------------------------------------- registrations
    registrations = subparsers.add_parser(
        "registrations", parents=[common], help="đăng ký thi đua: xem, nhập, sửa, xóa",
        description="Không có VIỆC thì in danh sách đăng ký của năm.")
    registrations.add_argument("--year", type=int_year, metavar="NĂM",
                               help="năm (mặc định: năm nay)")
    registrations.set_defaults(func=cmd_registrations_list)
    actions = _subparsers(registrations)
    set_ = actions.add_parser(
        "set", parents=[common], help="nhập bản đăng ký của một chi bộ (hoặc sửa bản đã có)",
        description="Nhập bản đăng ký thi đua của chi bộ; nếu chi bộ đã có bản đăng ký năm đó "
                    "thì chỉ các trường được nêu thay đổi.")
    set_.add_argument("--year", type=int_year, required=True, metavar="NĂM", help="năm")
    set_.add_argument("--cell", required=True, metavar="MÃ", help="mã chi bộ")
    set_.add_argument("--received", type=date_argument, metavar="NGÀY",
                      help="ngày nhận bản đăng ký (bắt buộc khi nhập mới)")
    set_.add_argument("--title", metavar="DANH_HIỆU", help="danh hiệu đăng ký")
    set_.add_argument("--members", metavar="SỐ", help="số đảng viên")
    for group in range(1, 5):
        set_.add_argument(f"--commitment-{group}", metavar="NỘI_DUNG",
                          help=f"chỉ tiêu, cam kết nhóm {group}")
    set_.add_argument("--signer", metavar="HỌ_TÊN", help="người ký (bí thư)")
    _confirm(set_)
    set_.set_defaults(func=cmd_registration_set)
    delete = actions.add_parser("delete", parents=[common], help="xóa bản đăng ký")
    delete.add_argument("--year", type=int_year, required=True, metavar="NĂM", help="năm")
    delete.add_argument("--cell", required=True, metavar="MÃ", help="mã chi bộ")
    _confirm(delete)
    delete.set_defaults(func=cmd_registration_delete)

    # ----------------------------------------------------------------------------- scores
    scores = subparsers.add_parser(
        "scores", parents=[common], help="phiếu chấm điểm: xem, chấm từng mục, ghi chú, xếp loại",
        description="Không có VIỆC thì in phiếu chấm điểm của chi bộ (--cell) hoặc của đảng "
                    "bộ (--organisation).")
    _unit_arguments(scores, int_year, required=False)
    scores.set_defaults(func=cmd_scores_show)
    actions = _subparsers(scores)
    set_ = actions.add_parser(
        "set", parents=[common], help="chấm điểm từng mục và ghi phần còn lại của phiếu",
        description="Chấm điểm: mỗi MỤC=TỰ_CHẤM/ĐẢNG_ỦY_CHẤM, ví dụ 1.1=5,5/5 (bỏ trống một "
                    "bên để giữ nguyên: 1.2=/4; dấu - để xóa điểm: 1.3=-/-). Hoặc --from TỆP.csv "
                    "(cột Mục, Tự chấm, Đảng ủy chấm, như lệnh 'scores --csv' in ra). Các mục "
                    "không nêu giữ nguyên.")
    _unit_arguments(set_, int_year, required=True)
    set_.add_argument("items", nargs="*", metavar="MỤC=TỰ/ĐU",
                      help="điểm của một mục tiêu chí")
    set_.add_argument("--from", dest="source", metavar="TỆP.csv",
                      help="đọc điểm từ phiếu chấm (CSV, UTF-8)")
    set_.add_argument("--notes", metavar="GHI_CHÚ", help="nhận xét của phiếu")
    set_.add_argument("--disciplined", metavar="SỐ", help="số đảng viên bị kỷ luật trong năm")
    set_.add_argument("--classification", metavar="XẾP_LOẠI",
                      help="xếp loại do Đảng ủy quyết định: HTXSNV, HTTNV, HTNV, KHTNV, hoặc "
                           "auto (theo quy định của năm)")
    set_.add_argument("--reason", metavar="LÝ_DO",
                      help="lý do khi Đảng ủy quyết định xếp loại khác kết quả theo quy định "
                           "(bắt buộc khi đó)")
    set_.add_argument("--conditions", metavar="MÃ,MÃ",
                      help="các điều kiện HTXSNV Đảng ủy xác nhận, theo mã in ở lệnh 'scores' "
                           "(ví dụ nv,lđ); none để bỏ hết")
    _confirm(set_)
    set_.set_defaults(func=cmd_scores_set)

    # ----------------------------------------------------------------------------- awards
    awards = subparsers.add_parser(
        "awards", parents=[common], help="đề nghị và quyết định khen thưởng",
        description="Không có VIỆC thì in các đề nghị, quyết định khen thưởng của năm. LOẠI: "
                    "cell = công nhận “Chi bộ 4 tốt”, merit = Giấy khen, org = công nhận "
                    "“Đảng bộ cơ sở 4 tốt”.")
    awards.add_argument("--year", type=int_year, metavar="NĂM", help="năm (mặc định: năm nay)")
    awards.set_defaults(func=cmd_awards_list)
    actions = _subparsers(awards)
    propose = actions.add_parser(
        "propose", parents=[common], help="lập đề nghị cho các chi bộ đạt (hoặc đảng bộ)",
        description="Lập đề nghị; chỉ chi bộ (đảng bộ) đạt mới được đề nghị, một chi bộ chưa "
                    "đạt thì không lập đề nghị nào.")
    _award_target(propose, int_year)
    propose.add_argument("--all-qualifying", action="store_true",
                         help="mọi chi bộ đạt “Chi bộ 4 tốt” chưa có đề nghị loại này")
    propose.add_argument("--leading", action="store_true",
                         help="(với --kind merit) Giấy khen cho các chi bộ dẫn đầu bảng xếp hạng "
                              "HTXSNV trong tỷ lệ (xem lệnh ranking)")
    propose.add_argument("--date", type=date_argument, metavar="NGÀY",
                         help="ngày đề nghị (mặc định: hạn sơ kết của năm)")
    propose.add_argument("--notes", metavar="GHI_CHÚ", help="ghi chú (thành tích)")
    propose.set_defaults(func=cmd_awards_propose)
    decide = actions.add_parser(
        "decide", parents=[common], help="ghi một quyết định cho một hay nhiều đề nghị",
        description="Ghi quyết định khen thưởng (số, ngày, cơ quan ban hành) cho các đề nghị "
                    "đã chọn; số sổ đánh liên tiếp từ --register theo thứ tự chi bộ đã nêu.")
    _award_target(decide, int_year)
    decide.add_argument("--all-proposed", action="store_true",
                        help="mọi đề nghị loại này của năm chưa có quyết định")
    decide.add_argument("--number", required=True, metavar="SỐ",
                        help="số quyết định, ví dụ 1250-QĐ/Th.U")
    decide.add_argument("--date", type=date_argument, required=True, metavar="NGÀY",
                        help="ngày quyết định")
    decide.add_argument("--issuer", required=True, metavar="CƠ_QUAN", help="cơ quan ban hành")
    decide.add_argument("--register", default="", metavar="SỐ_SỔ",
                        help="số sổ của đề nghị đầu tiên, ví dụ 01/2023")
    decide.add_argument("--place", metavar="ĐỊA_DANH",
                        help="địa danh trên dòng ngày tháng của quyết định, in trên giấy khen "
                             "(mặc định: theo cơ quan ban hành, ví dụ Hà Tĩnh)")
    decide.add_argument("--signer-title", metavar="CHỨC_VỤ",
                        help="chức vụ người ký quyết định (mặc định: theo cài đặt giấy khen)")
    decide.add_argument("--signer-name", metavar="HỌ_TÊN",
                        help="họ tên người ký quyết định (mặc định: theo cài đặt giấy khen)")
    decide.set_defaults(func=cmd_awards_decide)
    for name, help_text, func in (
            ("clear", "bỏ quyết định đã ghi (giữ đề nghị)", cmd_awards_clear),
            ("withdraw", "rút đề nghị (chưa có quyết định)", cmd_awards_withdraw)):
        action = actions.add_parser(name, parents=[common], help=help_text)
        _award_target(action, int_year)
        action.set_defaults(func=func)


def _cell_fields(parser: argparse.ArgumentParser, kinds: str) -> None:
    parser.add_argument("--kind", metavar="LOẠI", help=f"loại chi bộ: {kinds}")
    parser.add_argument("--secretary", metavar="HỌ_TÊN", help="bí thư chi bộ")
    parser.add_argument("--members", metavar="SỐ", help="số đảng viên hiện nay")
    parser.add_argument("--pilot", action=argparse.BooleanOptionalAction, default=None,
                        help="chi bộ điểm")
    parser.add_argument("--started", type=_date_or_empty, metavar="NGÀY",
                        help="ngày thành lập (ngày/tháng/năm; để trống \"\" = có từ trước): "
                             "chi bộ thành lập sau ngày sơ kết của một năm không thuộc năm đó")
    _confirm(parser)


def _date_or_empty(value: str):
    return "" if not value.strip() else date_argument(value)


def _confirm(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--confirm", metavar="LÝ_DO",
                        help="xác nhận thay đổi làm đổi kết quả của năm đã có quyết định khen "
                             "thưởng, kèm lý do (ghi vào nhật ký)")


def _unit_arguments(parser, int_year, required: bool) -> None:
    parser.add_argument("--year", type=int_year, required=required, metavar="NĂM",
                        help="năm" + ("" if required else " (mặc định: năm nay)"))
    unit = parser.add_mutually_exclusive_group(required=required)
    unit.add_argument("--cell", metavar="MÃ", help="mã chi bộ")
    unit.add_argument("--organisation", action="store_true", help="phiếu tự chấm của đảng bộ")
    if not required:
        parser.add_argument("--csv", action="store_true",
                            help="in dạng CSV (Mục, Tự chấm, Đảng ủy chấm) để sửa rồi nạp lại")


def _award_target(parser, int_year) -> None:
    parser.add_argument("--year", type=int_year, required=True, metavar="NĂM", help="năm")
    parser.add_argument("--kind", choices=list(KIND_NAMES), required=True, metavar="LOẠI",
                        help="cell, merit hoặc org")
    parser.add_argument("--cell", action="append", default=[], metavar="MÃ",
                        help="mã chi bộ (dùng nhiều lần được)")


# ------------------------------------------------------------------------------------ cells
def _cell_changes(args) -> dict:
    changes = {}
    for key, attribute in (("code", "code"), ("name", "name"), ("kind", "kind"),
                           ("secretary", "secretary"), ("members_count", "members"),
                           ("is_pilot", "pilot"), ("started_on", "started")):
        value = getattr(args, attribute, None)
        if value is not None:
            changes[key] = value if value != "" else None
    return changes


def cmd_cell_add(args) -> int:
    from chibo4tot_desktop.ops.cells import add_cell

    with open_office(args, write=True) as office:
        cell = add_cell(office, confirm=args.confirm, **_cell_changes(args))
    started = f", thành lập ngày {format_date(cell.started_on)}" if cell.started_on else ""
    print(f"Đã thêm chi bộ {cell.code}: {cell.name}{started}.")
    return 0


def cmd_cell_edit(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.cells import update_cell

    changes = _cell_changes(args)
    if not changes:
        raise UserError("Không có gì để sửa (hãy nêu --name, --code, --secretary...).")
    with open_office(args, write=True) as office:
        cell = update_cell(office, queries.cell_by_code(office, args.cell).id,
                           confirm=args.confirm, **changes)
    print(f"Đã sửa chi bộ {cell.code}: {cell.name}.")
    return 0


def cmd_cell_dissolve(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.cells import dissolve_cell

    with open_office(args, write=True) as office:
        cell = dissolve_cell(office, queries.cell_by_code(office, args.cell).id, args.date,
                             confirm=args.confirm)
    print(f"Đã giải thể {cell.name} từ ngày {format_date(cell.dissolved_on)}.")
    return 0


def cmd_cell_merge(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.cells import merge_cells

    new_cell = None
    if args.new_code or args.new_name:
        new_cell = {"code": args.new_code, "name": args.new_name}
        for key, value in (("kind", args.new_kind), ("secretary", args.new_secretary),
                           ("members_count", args.new_members)):
            if value is not None:
                new_cell[key] = value
    with open_office(args, write=True) as office:
        ending = [queries.cell_by_code(office, code) for code in args.cells]
        into = [queries.cell_by_code(office, code).id for code in args.into]
        successors = merge_cells(office, [cell.id for cell in ending], args.date, into=into,
                                 new_cell=new_cell, confirm=args.confirm)
    print(f"Đã sáp nhập {', '.join(cell.name for cell in ending)} vào "
          f"{', '.join(cell.name for cell in successors)} từ ngày {format_date(args.date)}.")
    return 0


def cmd_cell_history(args) -> int:
    from chibo4tot_desktop import rules
    from chibo4tot_desktop.cli.commands_core import _utf8_stdout
    from chibo4tot_desktop.db.models import AwardKind
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.reports import cell_history

    _utf8_stdout()
    with open_office(args) as office:
        cell = queries.cell_by_code(office, args.cell)
        entries = cell_history(office, cell.id)
    print(f"Hồ sơ thi đua của {cell.name} ({cell.code})")
    if cell.started_on:
        print(f"Thành lập ngày {format_date(cell.started_on)}")
    if cell.dissolved_on:
        print(f"Kết thúc hoạt động ngày {format_date(cell.dissolved_on)}")
    header = (f"{'Năm':<5} {'Chi bộ':<36} {'Đăng ký':<11} {'ĐV':>4} {'Điểm':>6} "
              f"{'Xếp loại':<8} {'Kết quả':<12} {'Liên tục':>8}  Khen thưởng")
    print(header)
    print("-" * len(header))
    for entry in entries:
        state = entry.state
        totals = state.result.committee_totals
        name = entry.name + ("" if entry.own else " (trước sáp nhập)")
        awards = "; ".join(
            (a.decision_number if a.is_decided else "đề nghị") + f" ({AwardKind(a.kind).label})"
            for a in state.awards) or "–"
        print(f"{entry.year:<5} {name[:36]:<36} "
              f"{format_date(state.registration.received_on) if state.registration else '–':<11} "
              f"{state.members if state.members is not None else '':>4} "
              f"{rules.fmt_points(totals.total) if state.scored else '–':>6} "
              f"{state.result.classification.value if state.scored and state.result.classification else '–':<8} "
              f"{state.result.verdict.label if state.evaluated else 'Chưa chấm':<12} "
              f"{state.consecutive_years:>8}  {awards}")
    if not entries:
        print("(chưa có năm nào)")
    return 0


def cmd_cell_reactivate(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.cells import reactivate_cell

    with open_office(args, write=True) as office:
        cell = reactivate_cell(office, queries.cell_by_code(office, args.cell).id,
                               confirm=args.confirm)
    print(f"{cell.name} hoạt động trở lại.")
    return 0


def cmd_cell_delete(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.cells import delete_cell

    with open_office(args, write=True) as office:
        cell = queries.cell_by_code(office, args.cell)
        delete_cell(office, cell.id)
    print(f"Đã xóa {cell.name}.")
    return 0


# ---------------------------------------------------------------------------- registrations
def cmd_registrations_list(args) -> int:
    from chibo4tot_desktop.cli.commands_core import _utf8_stdout
    from chibo4tot_desktop.reports import year_overview

    _utf8_stdout()
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        overview = year_overview(office, year)
    print(f"Đăng ký thi đua năm {year}")
    header = f"{'Mã':<8} {'Chi bộ':<36} {'Ngày nhận':<12} {'ĐV':>4}  {'Người ký':<22} Ghi chú"
    print(header)
    print("-" * len(header))
    for state in overview.cells:
        registration = state.registration
        if registration is None:
            print(f"{state.cell.code:<8} {state.cell.name[:36]:<36} {'–':<12} {'':>4}  "
                  f"{'':<22} CHƯA ĐĂNG KÝ")
            continue
        note = f"muộn {state.days_late} ngày" if state.late else "đúng hạn"
        members = "" if registration.members_count is None else registration.members_count
        print(f"{state.cell.code:<8} {state.cell.name[:36]:<36} "
              f"{format_date(registration.received_on):<12} {members:>4}  "
              f"{registration.signer[:22]:<22} {note}")
    counts = overview.counts
    print(f"Đã đăng ký {counts['registered']}/{counts['active']}, muộn {counts['late']}, "
          f"chưa đăng ký {counts['missing']}.")
    return 0


def cmd_registration_set(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.registrations import save_registration

    with open_office(args, write=True) as office:
        year = resolve_year(office, args.year)
        cell = queries.cell_by_code(office, args.cell)
        current = queries.registration(office, cell.id, year)
        values = {}
        if current is not None:
            values = {key: getattr(current, key) for key in (
                "title", "received_on", "members_count", "commitment_1", "commitment_2",
                "commitment_3", "commitment_4", "signer")}
        given = {"title": args.title, "received_on": args.received,
                 "members_count": args.members, "signer": args.signer,
                 **{f"commitment_{n}": getattr(args, f"commitment_{n}") for n in range(1, 5)}}
        values.update({key: value for key, value in given.items() if value is not None})
        if "received_on" not in values:
            raise UserError("Bản đăng ký mới cần ngày nhận (--received ngày/tháng/năm).")
        registration = save_registration(
            office, cell.id, year, expected_version=current.version if current else None,
            confirm=args.confirm, **values)
    action = "Đã sửa" if current else "Đã nhập"
    print(f"{action} bản đăng ký năm {year} của {cell.name}, nhận ngày "
          f"{format_date(registration.received_on)}.")
    return 0


def cmd_registration_delete(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.registrations import delete_registration

    with open_office(args, write=True) as office:
        year = resolve_year(office, args.year)
        cell = queries.cell_by_code(office, args.cell)
        registration = queries.registration(office, cell.id, year)
        if registration is None:
            raise UserError(f"{cell.name} chưa có bản đăng ký năm {year}.")
        delete_registration(office, registration.id, confirm=args.confirm)
    print(f"Đã xóa bản đăng ký năm {year} của {cell.name}.")
    return 0


# ----------------------------------------------------------------------------------- scores
def _unit(office, args):
    """(cell id or None for the organisation, its name)."""
    from chibo4tot_desktop.ops import queries

    if args.organisation:
        return None, queries.organisation(office).name
    if not args.cell:
        raise UserError("Hãy chọn --cell MÃ hoặc --organisation.")
    cell = queries.cell_by_code(office, args.cell)
    return cell.id, cell.name


def _items(office, year: int, cell_id):
    """Label ("1.2") -> criteria item of the year's catalogue for the unit."""
    from chibo4tot_desktop.db.models import Scope
    from chibo4tot_desktop.ops import queries

    scope = Scope.CELL if cell_id is not None else Scope.ORGANISATION
    phase = queries.phase_for_year(office, year)
    return {f"{group.position}.{item.position}": item for group in phase.catalogue(year, scope)
            for item in group.items}


def cmd_scores_show(args) -> int:
    import csv
    import sys

    from chibo4tot_desktop import rules
    from chibo4tot_desktop.cli.commands_core import _utf8_stdout
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.scoring import evaluation_result
    from chibo4tot_desktop.ops.verdicts import confirmed_conditions

    _utf8_stdout()
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        cell_id, name = _unit(office, args)
        items = _items(office, year, cell_id)
        evaluation = queries.evaluation(office, cell_id, year)
        result = evaluation_result(office, cell_id, year)
    scores = {score.item_id: score for score in (evaluation.scores if evaluation else [])}
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["Mục", "Tự chấm", "Đảng ủy chấm", "Điểm tối đa", "Nội dung"])
        for label, item in items.items():
            score = scores.get(item.id)
            writer.writerow([label, _csv_points(score.self_points if score else None),
                             _csv_points(score.committee_points if score else None),
                             rules.fmt_points(item.max_points), item.text])
        return 0
    print(f"Phiếu chấm điểm năm {year}: {name}")
    print(f"{'Mục':<6} {'Tối đa':>7} {'Tự chấm':>8} {'Đảng ủy':>8}  Nội dung")
    for label, item in items.items():
        score = scores.get(item.id)
        print(f"{label:<6} {rules.fmt_points(item.max_points):>7} "
              f"{rules.fmt_points(score.self_points if score else None):>8} "
              f"{rules.fmt_points(score.committee_points if score else None):>8}  "
              f"{item.text[:70]}")
    totals = result.committee_totals
    print(f"Tổng Đảng ủy chấm: {rules.fmt_points(totals.total)}/"
          f"{rules.fmt_points(totals.max_total)}"
          + ("" if totals.complete else f" (còn {totals.missing} mục chưa chấm)"))
    year_rules = result.rules
    print(f"Xếp loại theo {year_rules.regulation_name}"
          + (f": {result.computed_classification.value}" if result.computed_classification
             else " (chưa chấm đủ)"))
    confirmed = confirmed_conditions(evaluation)
    for condition in year_rules.excellent_conditions:
        if condition.check is rules.ConditionCheck.CONFIRMED:
            mark = "x" if condition.key in confirmed else " "
            print(f"  [{mark}] điều kiện HTXSNV {condition.key}: {condition.text}")
    if cell_id is None:
        where = ("cộng từ các chi bộ" if year_rules.org_disciplined_from_cells
                 else "số trên phiếu chấm của đảng bộ")
        print(f"Đảng viên bị kỷ luật ({where}): {result.disciplined}")
    elif evaluation is not None:
        print(f"Đảng viên bị kỷ luật: {evaluation.disciplined_members}")
    if evaluation is not None:
        if evaluation.classification:
            print(f"Xếp loại do Đảng ủy quyết định: {evaluation.classification}"
                  + (f". Lý do: {evaluation.classification_reason}"
                     if evaluation.classification_reason else ""))
        if evaluation.notes:
            print(f"Nhận xét: {evaluation.notes}")
    print(f"Kết quả: {result.verdict.label}")
    for reason in result.verdict.reasons:
        print(f"  {reason.mark} {reason.text}")
    return 0


def _csv_points(value) -> str:
    from chibo4tot_desktop import rules

    return "" if value is None else rules.fmt_points(value)


KEEP = object()


def _parse_item(token: str) -> tuple[str, object, object]:
    """"1.1=5,5/5" -> ("1.1", "5,5", "5"); an empty side keeps the stored score, "-" clears."""
    label, sep, rest = token.partition("=")
    if not sep or "/" not in rest:
        raise UserError(f"'{token}' không đúng dạng MỤC=TỰ_CHẤM/ĐẢNG_ỦY_CHẤM (ví dụ 1.1=5/4,5).")
    own, committee = (part.strip() for part in rest.split("/", 1))

    def side(value: str):
        if value == "":
            return KEEP
        return None if value == "-" else value

    return label.strip(), side(own), side(committee)


def _read_sheet(path: str) -> list[tuple[str, object, object]]:
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"Không đọc được phiếu chấm '{path}': {error}") from None
    if not rows or [cell.strip() for cell in rows[0][:3]] != ["Mục", "Tự chấm", "Đảng ủy chấm"]:
        raise UserError(f"Tệp '{path}' không phải phiếu chấm: dòng đầu phải là "
                        "Mục, Tự chấm, Đảng ủy chấm.")
    result = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            raise UserError(f"Tệp '{path}', dòng {number}: thiếu cột.")
        result.append((row[0].strip(), row[1].strip() or None, row[2].strip() or None))
    return result


def cmd_scores_set(args) -> int:
    from chibo4tot_desktop import rules
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.scoring import ORGANISATION_DISCIPLINED, save_evaluation
    from chibo4tot_desktop.ops.verdicts import ScoreInput

    entries = [_parse_item(token) for token in args.items]
    if args.source:
        entries = _read_sheet(args.source) + entries
    with open_office(args, write=True) as office:
        year = resolve_year(office, args.year)
        cell_id, name = _unit(office, args)
        items = _items(office, year, cell_id)
        evaluation = queries.evaluation(office, cell_id, year)
        stored = {score.item_id: score for score in (evaluation.scores if evaluation else [])}
        scores = {item.id: ScoreInput(stored[item.id].self_points,
                                      stored[item.id].committee_points)
                  for item in items.values() if item.id in stored}
        for label, own, committee in entries:
            item = items.get(label)
            if item is None:
                raise UserError(f"Không có mục tiêu chí '{label}' trong bộ tiêu chí năm {year} "
                                f"(các mục: {', '.join(items)}).")
            before = scores.get(item.id, ScoreInput())
            scores[item.id] = ScoreInput(before.self_points if own is KEEP else own,
                                         before.committee_points if committee is KEEP
                                         else committee)
        classification = args.classification
        reason = args.reason
        if classification is None:
            classification = evaluation.classification if evaluation else None
        elif classification.lower() == "auto":
            classification = None
            reason = "" if reason is None else reason
        if reason is None:
            reason = evaluation.classification_reason if evaluation else ""
        conditions = None
        if args.conditions is not None:
            text = args.conditions.strip()
            conditions = ([] if text.casefold() in ("none", "không", "")
                          else [part.strip() for part in text.split(",") if part.strip()])
        # The organisation's own figure counts only where its year's rules read it
        # (save_evaluation refuses it otherwise); not given, the stored figure stays.
        disciplined = (args.disciplined if args.disciplined is not None
                       else (evaluation.disciplined_members if evaluation else 0))
        if cell_id is None and queries.year_rules(office, year).org_disciplined_from_cells:
            if args.disciplined is not None:
                raise UserError(ORGANISATION_DISCIPLINED)
            disciplined = 0
        result = save_evaluation(
            office, cell_id, year, scores=scores,
            notes=args.notes if args.notes is not None else (evaluation.notes if evaluation
                                                             else ""),
            disciplined_members=disciplined, classification=classification,
            classification_reason=reason, conditions_met=conditions,
            expected_version=evaluation.version if evaluation else 0, confirm=args.confirm)
    totals = result.committee_totals
    print(f"Đã lưu phiếu chấm năm {year} của {name}: Đảng ủy chấm "
          f"{rules.fmt_points(totals.total)}/{rules.fmt_points(totals.max_total)}, "
          f"{result.verdict.label}.")
    return 0


# ----------------------------------------------------------------------------------- awards
def _targets(office, args, year: int) -> list[int | None]:
    from chibo4tot_desktop.ops import queries

    if args.kind == "org":
        if args.cell:
            raise UserError("“Đảng bộ cơ sở 4 tốt” chỉ dành cho đảng bộ; không dùng --cell.")
        return [None]
    return [queries.cell_by_code(office, code).id for code in args.cell]


def _award_of(office, year: int, kind: str, cell_id):
    from chibo4tot_desktop.ops import queries

    for award in queries.awards(office, year):
        if award.kind == kind and award.cell_id == cell_id:
            return award
    raise UserError("Không có đề nghị loại này cho đơn vị đã chọn trong năm "
                    f"{year}.")


def cmd_awards_list(args) -> int:
    from chibo4tot_desktop.cli.commands_core import _utf8_stdout
    from chibo4tot_desktop.db.models import AwardKind
    from chibo4tot_desktop.ops import queries

    _utf8_stdout()
    from chibo4tot_desktop.reports import DecisionFacts, year_overview

    with open_office(args) as office:
        year = resolve_year(office, args.year)
        awards = queries.awards(office, year)
        overview = year_overview(office, year)
        organisation = queries.identity_on(office, queries.year_document_date(office,
                                                                              year)).name
    print(f"Đề nghị và quyết định khen thưởng năm {year}")
    for award in awards:
        unit = award.cell.name if award.cell else organisation
        decision = (f"QĐ {award.decision_number} ngày {format_date(award.decision_date)}, "
                    f"{award.issuer}, số sổ {award.register_number or '–'}, ký: "
                    f"{award.signer_title or '–'} {award.signer_name or '–'}"
                    if award.is_decided else "chờ quyết định")
        print(f"- {AwardKind(award.kind).label}: {unit}; đề nghị ngày "
              f"{format_date(award.proposed_on) or '–'}; {decision}")
        kept = DecisionFacts.kept(award) if award.is_decided else None
        if kept is not None:
            now = overview.facts(award)
            print(f"    khi quyết định: {kept.describe()}" + (
                "" if now == kept else
                f"; tính lại hôm nay: {now.describe() if now else 'không còn thuộc năm này'}"))
    print(f"Tổng số: {len(awards)}")
    return 0


def cmd_awards_propose(args) -> int:
    from chibo4tot_desktop.ops.awards import propose_leading, propose_many
    from chibo4tot_desktop.reports import year_overview

    kind = KIND_NAMES[args.kind]
    if args.leading:
        if args.kind != "merit" or args.cell or args.all_qualifying:
            raise UserError("--leading chỉ dùng với --kind merit, không kèm --cell hay "
                            "--all-qualifying.")
        with open_office(args, write=True) as office:
            year = resolve_year(office, args.year)
            awards = propose_leading(office, year, args.date, args.notes or "")
        print(f"Đã lập {len(awards)} đề nghị Giấy khen năm {year} cho chi bộ dẫn đầu: "
              + ", ".join(award.cell.name for award in awards) + ".")
        return 0
    with open_office(args, write=True) as office:
        year = resolve_year(office, args.year)
        targets = _targets(office, args, year)
        if args.all_qualifying:
            if args.kind == "org" or args.cell:
                raise UserError("--all-qualifying chỉ dùng cho chi bộ, không kèm --cell.")
            targets = [state.cell.id for state in year_overview(office, year).cells
                       if state.qualifies and not any(a.kind == kind for a in state.awards)]
            if not targets:
                raise UserError(f"Không còn chi bộ đạt nào chưa có đề nghị này năm {year}.")
        if not targets:
            raise UserError("Hãy nêu --cell MÃ (hoặc --all-qualifying).")
        awards = propose_many(office, year, kind, targets, args.date, args.notes or "")
    print(f"Đã lập {len(awards)} đề nghị năm {year}.")
    return 0


def cmd_awards_decide(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.awards import record_decision
    from chibo4tot_desktop.text import sort_key

    kind = KIND_NAMES[args.kind]
    with open_office(args, write=True) as office:
        year = resolve_year(office, args.year)
        if args.all_proposed:
            if args.cell:
                raise UserError("--all-proposed không dùng kèm --cell.")
            awards = sorted((a for a in queries.awards(office, year)
                             if a.kind == kind and not a.is_decided),
                            key=lambda a: sort_key(a.cell.name if a.cell else ""))
            if not awards:
                raise UserError(f"Không có đề nghị nào chờ quyết định năm {year}.")
        else:
            targets = _targets(office, args, year)
            if not targets:
                raise UserError("Hãy nêu --cell MÃ (hoặc --all-proposed).")
            awards = [_award_of(office, year, kind, cell_id) for cell_id in targets]
        decided = record_decision(office, [a.id for a in awards],
                                   decision_number=args.number, decision_date=args.date,
                                   issuer=args.issuer, first_register_number=args.register,
                                   place=args.place, signer_title=args.signer_title,
                                   signer_name=args.signer_name)
    print(f"Đã ghi quyết định {args.number} cho {len(decided)} đề nghị.")
    first = decided[0]
    print(f"  Giấy khen in: “{first.decision_place or '(không có địa danh)'}, ngày ...”, "
          f"người ký: {first.signer_title or '(chưa có chức vụ)'} "
          f"{first.signer_name or '(chưa có họ tên)'}")
    for award in decided:
        if award.register_number:
            print(f"  {award.cell.name if award.cell else 'Đảng bộ'}: số sổ "
                  f"{award.register_number}")
    return 0


def _one_award(office, args):
    year = resolve_year(office, args.year)
    targets = _targets(office, args, year)
    if len(targets) != 1:
        raise UserError("Hãy nêu đúng một --cell MÃ (hoặc --kind org cho đảng bộ).")
    return _award_of(office, year, KIND_NAMES[args.kind], targets[0])


def cmd_awards_clear(args) -> int:
    from chibo4tot_desktop.ops.awards import clear_decision

    with open_office(args, write=True) as office:
        clear_decision(office, _one_award(office, args).id)
    print("Đã bỏ quyết định; đề nghị vẫn giữ.")
    return 0


def cmd_awards_withdraw(args) -> int:
    from chibo4tot_desktop.ops.awards import withdraw

    with open_office(args, write=True) as office:
        withdraw(office, _one_award(office, args).id)
    print("Đã rút đề nghị.")
    return 0
