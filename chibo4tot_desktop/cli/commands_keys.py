"""Keys that make packets prove their sender: ``keys`` (show, export, trust, list, forget)."""

from __future__ import annotations

import argparse
import contextlib

from chibo4tot_desktop.cli.commands_core import _utf8_stdout
from chibo4tot_desktop.cli.common import data_target, output_path


def register(subparsers, common: argparse.ArgumentParser) -> None:
    from chibo4tot_desktop.cli import ArgumentParser

    keys = subparsers.add_parser(
        "keys", parents=[common], help="khóa ký gói dữ liệu: vân tay, đăng ký khóa người gửi",
        description="Mỗi văn phòng có một khóa ký (tạo khi dùng lần đầu, nằm trong tệp dữ liệu "
                    "và các bản sao lưu). Bên nhận đăng ký khóa của bên gửi một lần, sau khi "
                    "gọi điện so vân tay. Không có VIỆC thì in vân tay của văn phòng và các "
                    "khóa đã đăng ký.")
    keys.set_defaults(func=cmd_keys_list)
    actions = keys.add_subparsers(dest="keys_command", metavar="VIỆC",
                                  parser_class=ArgumentParser)
    show = actions.add_parser("show", parents=[common],
                              help="in vân tay khóa của văn phòng này (đọc qua điện thoại)")
    show.set_defaults(func=cmd_keys_show)
    export = actions.add_parser("export", parents=[common],
                                help="lưu khóa công khai ra tệp để gửi cho bên nhận")
    export.add_argument("--name", metavar="TÊN", help="tên văn phòng ghi trong tệp")
    export.add_argument("--code", metavar="MÃ", help="mã đảng bộ ghi trong tệp")
    export.add_argument("output", metavar="TỆP.txt", help="tệp sẽ tạo")
    export.set_defaults(func=cmd_keys_export)
    trust = actions.add_parser(
        "trust", parents=[common], help="đăng ký khóa của bên gửi (sau khi so vân tay)",
        description="Đọc khóa từ một gói dữ liệu (hoặc tệp khóa công khai) của bên gửi. Gọi "
                    "điện cho bên gửi, nhờ họ đọc vân tay (lệnh 'keys show' ở máy họ) và gõ "
                    "vào --fingerprint; chỉ khi khớp mới đăng ký.")
    trust.add_argument("file", metavar="TỆP", help="gói dữ liệu hoặc tệp khóa công khai")
    trust.add_argument("--fingerprint", required=True, metavar="VÂN_TAY",
                       help="vân tay bên gửi đọc qua điện thoại (30 chữ số)")
    trust.add_argument("--role", choices=["ward", "upper"], metavar="VAI_TRÒ",
                       help="ward: cấp dưới gửi dữ liệu lên; upper: cấp trên gửi quyết định "
                            "xuống (mặc định: theo loại gói)")
    trust.add_argument("--name", metavar="TÊN", help="tên bên gửi (mặc định: tên ghi trong tệp)")
    trust.add_argument("--code", metavar="MÃ", help="mã đảng bộ của bên gửi (cấp dưới)")
    trust.set_defaults(func=cmd_keys_trust)
    listing = actions.add_parser("list", parents=[common], help="in các khóa đã đăng ký")
    listing.set_defaults(func=cmd_keys_list)
    forget = actions.add_parser("forget", parents=[common], help="bỏ một khóa đã đăng ký")
    forget.add_argument("sender", metavar="SỐ_HOẶC_MÃ", help="số thứ tự (keys list) hoặc mã")
    forget.set_defaults(func=cmd_keys_forget)


@contextlib.contextmanager
def _office(args):
    """The data file's office (an upper level's database may hold only its wards)."""
    from chibo4tot_desktop.cli.common import open_target, organisation_by_code
    from chibo4tot_desktop.ops import Office

    # Writes: the office's own keys are made on first use, senders are registered.
    db = open_target(data_target(args), write=True, create=True)
    try:
        org = getattr(args, "org", None)
        yield Office(db, organisation_by_code(db, org) if org else None)
    finally:
        db.close()


def cmd_keys_show(args) -> int:
    from chibo4tot_desktop.ops.keys import own_fingerprint, own_label

    _utf8_stdout()
    with _office(args) as office:
        fingerprint = own_fingerprint(office)
        code, name = own_label(office.db)
    print(f"Vân tay khóa của văn phòng {name or 'này'}: {fingerprint}")
    print("Đọc dãy số này qua điện thoại cho bên nhận gói để họ đăng ký khóa.")
    return 0


def cmd_keys_export(args) -> int:
    from chibo4tot_desktop.files import write_bytes
    from chibo4tot_desktop.ops.keys import own_keys, own_label
    from chibo4tot_desktop.packets import key_file_bytes

    _utf8_stdout()
    output = output_path(args.output, ".txt")
    with _office(args) as office:
        keys = own_keys(office)
        code, name = own_label(office.db)
        code = args.code if args.code is not None else code
        name = args.name or name or "Cấp trên"
        write_bytes(output, key_file_bytes(keys, code, name))
    print(f"Đã lưu khóa công khai (không có gì bí mật) vào {output}.")
    return 0


def cmd_keys_trust(args) -> int:
    from chibo4tot_desktop.ops.keys import keyring, trust_sender
    from chibo4tot_desktop.packets import read_claim

    _utf8_stdout()
    with _office(args) as office:
        claim = read_claim(args.file, keyring(office.db))
        role = args.role or claim.role.value
        sender = trust_sender(office, name=args.name or claim.name or "Bên gửi",
                              code=args.code if args.code is not None else claim.code,
                              role=role, signing_public=claim.signing_public,
                              box_public=claim.box_public, typed_fingerprint=args.fingerprint)
    print(f"Đã đăng ký khóa của {sender.name}"
          + (f" (mã {sender.code})" if sender.code else "") + f": {sender.role.label}, "
          f"vân tay {sender.fingerprint}.")
    return 0


def cmd_keys_list(args) -> int:
    from chibo4tot_desktop.ops.keys import senders, stored_keys
    from chibo4tot_desktop.signing import fingerprint
    from chibo4tot_desktop.text import format_date

    _utf8_stdout()
    with _office(args) as office:
        own = stored_keys(office.db)
        rows = senders(office.db)
    if own is None:
        print("Văn phòng này chưa có khóa (khóa được tạo khi xuất gói lần đầu hoặc "
              "'keys show').")
    else:
        print(f"Vân tay của văn phòng này: {fingerprint(own.signing_public, own.box_public)}")
    if not rows:
        print("Chưa đăng ký khóa của bên gửi nào.")
    for sender in rows:
        code = f" ({sender.code})" if sender.code else ""
        print(f"{sender.id:>3}. {sender.name}{code} – {sender.role.label}; vân tay "
              f"{sender.fingerprint}; đăng ký {format_date(sender.registered_at.date())}")
    return 0


def cmd_keys_forget(args) -> int:
    from chibo4tot_desktop.ops.keys import forget_sender, sender_by_code_or_id

    _utf8_stdout()
    with _office(args) as office:
        sender = sender_by_code_or_id(office.db, args.sender)
        forget_sender(office, sender.id)
    print(f"Đã bỏ khóa của {sender.name}; gói do khóa này ký sẽ bị từ chối.")
    return 0


