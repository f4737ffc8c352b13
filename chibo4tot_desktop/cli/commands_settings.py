"""Settings and the criteria catalogue from the command line: ``settings`` (show, set),
``identity`` (the organisation's dated names and authorities), ``catalogue`` (export to a CSV
file the office can edit, import it back, from a year on) and ``organisations`` (a ward
merged into this one).

The rules of a year are ``rules.*`` keys (with --year): ``rules.band_excellent=90``, their
source ``rules.band_excellent.source=regulation:Quy định 124-QĐ/TW``, and the HTXSNV
conditions ``rules.condition.MÃ=nội dung`` (empty: remove it), ``rules.condition.MÃ.check``,
``rules.condition.MÃ.source``.

``settings set`` saves every pair given in ONE transaction (``ops.setup.save_setup``): one
refused value leaves all of them as they were.
"""

from __future__ import annotations

import argparse
import csv
import io

from chibo4tot_desktop.cli.common import date_argument, open_office, output_path, resolve_year
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.text import DateParseError, format_date, parse_date
from chibo4tot_desktop.timeline import BEGINNING, Identity

from chibo4tot_desktop.timeline import IDENTITY_FIELDS, IDENTITY_LABELS

ORGANISATION_KEYS = {key: IDENTITY_LABELS[key] for key in IDENTITY_FIELDS}
# Older names of identity fields, still taken on the command line.
OLD_IDENTITY_KEYS = {
    "proposal.upper_body": "upper_party_body", "proposal.signer_title": "proposal_signer_title",
    "proposal.signer_name": "proposal_signer_name", "award.issuer": "decision_issuer",
}
CALENDAR_KEYS = {"launch": "launch_date", "registration": "registration_deadline",
                 "review": "review_deadline"}
FREE_KEYS = {
    "cells.year_rule": "quy tắc chi bộ thuộc năm: review (còn hoạt động vào ngày sơ kết) "
                       "hoặc year_end (còn hoạt động đến hết 31/12)",
    "cells.streak_through_merge": "số năm liên tục đạt tính nối qua sáp nhập: 1 (có) hoặc 0",
}
CATALOGUE_HEADER = ["Nhóm", "Tên nhóm", "Ngưỡng nhóm", "Mục", "Nội dung", "Điểm tối đa",
                    "Mã mục"]


def register(subparsers, common: argparse.ArgumentParser) -> None:
    from chibo4tot_desktop.cli import int_year
    from chibo4tot_desktop.cli.commands_records import _subparsers

    settings = subparsers.add_parser(
        "settings", parents=[common], help="xem và đặt các thiết lập",
        description="Không có VIỆC thì in mọi thiết lập với giá trị hiện tại.")
    settings.add_argument("--year", type=int_year, metavar="NĂM",
                          help="năm (thiết lập của giai đoạn và lịch; mặc định: năm nay)")
    settings.set_defaults(func=cmd_settings_show)
    actions = _subparsers(settings)
    set_ = actions.add_parser(
        "set", parents=[common], help="đặt một hay nhiều thiết lập (lưu cùng một lần)",
        description="Đặt thiết lập: mỗi KHÓA=GIÁ_TRỊ, ví dụ "
                    "proposal.signer_name=\"Nguyễn Văn Thành\" rules.overall_pass=80 "
                    "calendar.registration=10/3/2025 rules.deadline_inclusive=có "
                    "rules.cap_share.source=\"office:Đảng ủy tự chọn\". Nguồn: plan (kế hoạch), "
                    "regulation (quy định), office (văn phòng tự chọn). Xem các khóa bằng lệnh "
                    "'settings'. Một giá trị sai thì không lưu giá trị nào.")
    set_.add_argument("--year", type=int_year, metavar="NĂM",
                      help="năm (cho phase.*, rules.* và calendar.*; mặc định: năm nay)")
    set_.add_argument("--from", dest="valid_from", type=date_argument, metavar="NGÀY",
                      help="cho organisation.* và người ký giấy khen: áp dụng từ ngày này (một "
                           "phiên bản tên gọi mới; giấy tờ trước ngày đó giữ như cũ). Không có "
                           "thì sửa phiên bản mới nhất")
    set_.add_argument("--confirm", metavar="LÝ_DO",
                      help="xác nhận thay đổi làm đổi kết quả năm đã có quyết định, kèm lý do")
    set_.add_argument("pairs", nargs="+", metavar="KHÓA=GIÁ_TRỊ", help="thiết lập cần đặt")
    set_.set_defaults(func=cmd_settings_set)

    identity = subparsers.add_parser(
        "identity", parents=[common], help="tên gọi, cấp trên, người ký của đảng bộ theo thời "
                                           "gian",
        description="In các phiên bản tên gọi của đảng bộ, mỗi phiên bản áp dụng từ một ngày: "
                    "giấy tờ của ngày nào mang tên gọi, cấp trên, người ký của ngày đó. Đặt "
                    "phiên bản mới: settings set --from NGÀY organisation.name=... ")
    identity.set_defaults(func=cmd_identity)

    organisations = subparsers.add_parser(
        "organisations", parents=[common], help="các đảng bộ trong tệp; hợp nhất đảng bộ cũ",
        description="Không có VIỆC thì in các đảng bộ trong tệp (đảng bộ hiện hành và các "
                    "đảng bộ đã hợp nhất vào). Xem hồ sơ đảng bộ cũ: thêm --org-code MÃ vào "
                    "lệnh bất kỳ (status, pdf, export...).")
    organisations.set_defaults(func=cmd_organisations)
    org_actions = _subparsers(organisations)
    take_in = org_actions.add_parser(
        "take-in", parents=[common], help="nhận tệp dữ liệu của đảng bộ cũ hợp nhất vào",
        description="Chép toàn bộ hồ sơ của đảng bộ trong TỆP (tệp dữ liệu của đảng bộ cũ) "
                    "vào tệp này như đảng bộ đã hợp nhất vào đảng bộ hiện hành từ --date. TỆP "
                    "không bị sửa.")
    take_in.add_argument("file", metavar="TỆP", help="tệp dữ liệu của đảng bộ cũ")
    take_in.add_argument("--date", type=date_argument, required=True, metavar="NGÀY",
                         help="ngày hợp nhất")
    take_in.set_defaults(func=cmd_organisations_take_in)
    merge_in = org_actions.add_parser(
        "merge-in", parents=[common], help="đánh dấu đảng bộ đã có trong tệp (nhập từ gói) là "
                                           "đã hợp nhất vào đảng bộ hiện hành")
    merge_in.add_argument("code", metavar="MÃ", help="mã đảng bộ cũ")
    merge_in.add_argument("--date", type=date_argument, required=True, metavar="NGÀY",
                          help="ngày hợp nhất")
    merge_in.set_defaults(func=cmd_organisations_merge_in)

    catalogue = subparsers.add_parser(
        "catalogue", parents=[common], help="bộ tiêu chí: xuất ra tệp CSV, nạp lại",
        description="Xuất bộ tiêu chí dùng cho NĂM ra tệp CSV (mở được bằng Excel) để sửa, "
                    "rồi nạp lại: bộ tiêu chí nạp vào áp dụng từ NĂM (các năm trước giữ bộ "
                    "của mình; năm đã chấm điểm không đổi bộ tiêu chí). Tổng điểm tối đa phải "
                    "bằng 100.")
    actions = _subparsers(catalogue)
    for name, help_text, func in (("export", "xuất bộ tiêu chí ra CSV", cmd_catalogue_export),
                                  ("import", "nạp bộ tiêu chí từ CSV", cmd_catalogue_import)):
        action = actions.add_parser(name, parents=[common], help=help_text)
        action.add_argument("--year", type=int_year, required=True, metavar="NĂM", help="năm")
        action.add_argument("--organisation", action="store_true",
                            help="bộ tiêu chí “Đảng bộ cơ sở 4 tốt” (mặc định: của chi bộ)")
        action.add_argument("file", metavar="TỆP.csv", help="tệp CSV")
        if name == "import":
            action.add_argument("--confirm", metavar="LÝ_DO",
                                help="xác nhận thay đổi làm đổi kết quả năm đã có quyết định")
        action.set_defaults(func=func)


# --------------------------------------------------------------------------------- settings
def _known(office, year: int | None) -> list[tuple[str, str, str]]:
    """(key, current value, what it is) of every setting."""
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.setup import PHASE_SETTINGS
    from chibo4tot_desktop.pdf.certificates import FIELD_LABELS, load_settings

    identity = queries.identity_on(office, None)
    since = ("từ đầu" if identity.valid_from == BEGINNING
             else f"từ {format_date(identity.valid_from)}")
    rows = [(f"organisation.{key}", getattr(identity, key), f"{label} ({since})")
            for key, label in ORGANISATION_KEYS.items()]
    if year is not None:
        phase = queries.phase_for_year(office, year)
        rows += [(f"phase.{key}", _show(getattr(phase, key)), f"giai đoạn {phase.first_year} - "
                  f"{phase.last_year}") for key in PHASE_SETTINGS]
        rows += _rule_rows(queries.year_rules(office, year), year)
        dates = next(item for item in phase.years if item.year == year)
        rows += [(f"calendar.{key}", format_date(getattr(dates, column)), f"lịch năm {year}")
                 for key, column in CALENDAR_KEYS.items()]
    certificate = load_settings(office)
    rows += [(f"certificate.{key}", _show(getattr(certificate, key)),
              FIELD_LABELS.get(key, "giấy khen")) for key in certificate.__dataclass_fields__]
    from chibo4tot_desktop import timeline

    stored_rule = queries.setting(office, timeline.YEAR_RULE_KEY, "")
    rows += [(timeline.YEAR_RULE_KEY, timeline.year_rule(stored_rule).value,
              FREE_KEYS[timeline.YEAR_RULE_KEY]),
             (timeline.STREAK_THROUGH_MERGE_KEY,
              "1" if timeline.flag(queries.setting(office, timeline.STREAK_THROUGH_MERGE_KEY,
                                                   "")) else "0",
              FREE_KEYS[timeline.STREAK_THROUGH_MERGE_KEY])]
    return rows


def _show(value) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _rule_rows(year_rules, year: int) -> list[tuple[str, str, str]]:
    from chibo4tot_desktop import rules

    rows = []
    for spec in rules.RULE_FIELDS:
        value = getattr(year_rules, spec.key)
        shown = rules.fmt_share(value) if spec.kind == "share" else _show(
            value.value if hasattr(value, "value") else value)
        rows.append((f"rules.{spec.key}", shown, f"{spec.label}, năm {year} — nguồn: "
                     f"{year_rules.source_of(spec.key).describe()}"))
    for condition in year_rules.excellent_conditions:
        rows.append((f"rules.condition.{condition.key}", condition.text,
                     f"điều kiện HTXSNV năm {year}, {condition.check.label} — nguồn: "
                     f"{condition.source.describe()}"))
    return rows


def cmd_settings_show(args) -> int:
    from chibo4tot_desktop.cli.commands_core import _utf8_stdout

    _utf8_stdout()
    with open_office(args) as office:
        year = args.year if args.year is not None else _default_year(office)
        rows = _known(office, year)
    for key, value, label in rows:
        print(f"{key} = {value}    # {label}")
    return 0


def _default_year(office) -> int | None:
    try:
        return resolve_year(office, None)
    except UserError:
        return None


def cmd_settings_set(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.setup import PHASE_SETTINGS, SetupChanges, YearDates, save_setup
    from chibo4tot_desktop.pdf import certificates as cert

    pairs = []
    for pair in args.pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise UserError(f"'{pair}' không đúng dạng KHÓA=GIÁ_TRỊ.")
        pairs.append((key.strip(), value))
    changes = SetupChanges(identity_from=args.valid_from)
    certificate, calendar, rule_pairs = {}, {}, []
    for key, value in pairs:
        group, _, name = key.partition(".")
        if group == "organisation" and name in ORGANISATION_KEYS:
            changes.organisation[name] = value
        elif key in OLD_IDENTITY_KEYS:
            changes.organisation[OLD_IDENTITY_KEYS[key]] = value
        elif group == "phase" and name in PHASE_SETTINGS:
            changes.phase[name] = value
        elif group == "rules":
            rule_pairs.append((name, value))
        elif group == "calendar" and name in CALENDAR_KEYS:
            calendar[CALENDAR_KEYS[name]] = _date_value(key, value)
        elif group == "certificate" and name in cert.CertificateSettings.__dataclass_fields__:
            certificate[name] = value
        elif key in FREE_KEYS:
            changes.settings[key] = value
        else:
            raise UserError(f"Không có thiết lập '{key}'; xem danh sách bằng lệnh 'settings'.")
    with open_office(args, write=True) as office:
        if changes.phase or calendar or rule_pairs:
            year = resolve_year(office, args.year)
            phase = queries.phase_for_year(office, year)
            changes.phase_id = phase.id
            if rule_pairs:
                changes.rules[year] = _rule_changes(queries.year_rules(office, year), rule_pairs)
            if calendar:
                dates = next(item for item in phase.years if item.year == year)
                current = {column: getattr(dates, column) for column in CALENDAR_KEYS.values()}
                changes.years[year] = YearDates(**(current | calendar))
        if certificate:
            checked = cert.validate_settings(certificate,
                                             cert.load_settings(office, args.valid_from))
            extra = cert.save_changes(office, checked, certificate, args.valid_from)
            changes.settings.update(extra.settings)
            changes.organisation.update(extra.organisation)
        save_setup(office, changes, confirm=args.confirm)
    print(f"Đã lưu {len(pairs)} thiết lập.")
    return 0


def _rule_changes(current, pairs) -> dict:
    """``rules.*`` pairs (without the prefix) -> the changes of the year's rules."""
    from chibo4tot_desktop import rules

    changes: dict = {}
    sources: dict = {}
    conditions = [{"key": c.key, "text": c.text, "check": c.check.value,
                   "source": c.source.kind.value, "note": c.source.note}
                  for c in current.excellent_conditions]
    touched = False
    for name, value in pairs:
        if name.startswith("condition."):
            key, _, part = name[len("condition."):].partition(".")
            found = next((c for c in conditions if c["key"] == key), None)
            if not part:
                if not value.strip():
                    if found is None:
                        raise UserError(f"Không có điều kiện HTXSNV '{key}' để xóa.")
                    conditions.remove(found)
                elif found is None:
                    conditions.append({"key": key, "text": value, "check": "confirmed",
                                       "source": "office", "note": ""})
                else:
                    found["text"] = value
            elif found is None:
                raise UserError(f"Không có điều kiện HTXSNV '{key}'; thêm bằng "
                                f"rules.condition.{key}=NỘI_DUNG trước.")
            elif part == "check":
                found["check"] = value.strip()
            elif part == "source":
                kind, _, note = value.partition(":")
                found["source"], found["note"] = kind.strip(), note.strip()
            else:
                raise UserError(f"Không có thiết lập 'rules.{name}'.")
            touched = True
            continue
        field, _, part = name.partition(".")
        if field not in rules.RULE_FIELD_KEYS or part not in ("", "source"):
            raise UserError(f"Không có thiết lập 'rules.{name}'; xem danh sách bằng lệnh "
                            "'settings --year NĂM'.")
        if part == "source":
            sources[field] = value
        else:
            changes[field] = value
    if sources:
        changes["sources"] = sources
    if touched:
        changes["excellent_conditions"] = conditions
    return changes



def cmd_identity(args) -> int:
    from chibo4tot_desktop.cli.commands_core import _utf8_stdout
    from chibo4tot_desktop.ops import queries

    _utf8_stdout()
    with open_office(args) as office:
        versions = [Identity.of(row) for row in queries.identities(office)]
        code = queries.organisation(office).code
    print(f"Tên gọi của đảng bộ (mã {code}) theo thời gian")
    for version in versions:
        since = ("Từ đầu" if version.valid_from == BEGINNING
                 else f"Từ ngày {format_date(version.valid_from)}")
        print(f"{since}:")
        for key in IDENTITY_FIELDS:
            value = getattr(version, key)
            shown = value or {
                "upper_party_body": version.party_header_body,
                "issuer": version.certificate_issuer,
                "decision_issuer": version.decision_body,
                "certificate_place": version.certificate_place_name,
            }.get(key, "")
            derived = " (suy ra)" if shown and not value else ""
            print(f"  organisation.{key} = {shown}{derived}    # {IDENTITY_LABELS[key]}")
    return 0


def cmd_organisations(args) -> int:
    from chibo4tot_desktop.cli.commands_core import _utf8_stdout
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.organisations import describe

    _utf8_stdout()
    with open_office(args) as office:
        current = queries.organisation(office)
        before = queries.predecessors(office)
    print(f"{current.code:<12} {current.name} (hiện hành)")
    for row in before:
        print(f"{row.code:<12} {describe(row)}")
    return 0


def cmd_organisations_take_in(args) -> int:
    from chibo4tot_desktop.ops.organisations import describe, take_in_file

    with open_office(args, write=True) as office:
        row = take_in_file(office, args.file, args.date)
    print(f"Đã nhận hồ sơ của {describe(row)}, mã {row.code}; xem bằng --org-code {row.code}.")
    return 0


def cmd_organisations_merge_in(args) -> int:
    from chibo4tot_desktop.ops.organisations import (describe, organisation_by_code,
                                                     set_predecessor)

    with open_office(args, write=True) as office:
        row = set_predecessor(office, organisation_by_code(office.db, args.code).id,
                              args.date)
    print(f"Đã ghi {describe(row)} vào đảng bộ hiện hành.")
    return 0


def _date_value(key: str, value: str):
    if not value.strip():
        return None
    try:
        return parse_date(value)
    except DateParseError as error:
        raise UserError(f"{key}: {error}") from None


# -------------------------------------------------------------------------------- catalogue
def _scope(args):
    from chibo4tot_desktop.db.models import Scope

    return Scope.ORGANISATION if args.organisation else Scope.CELL


def cmd_catalogue_export(args) -> int:
    from chibo4tot_desktop import rules
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.files import atomic_write

    output = output_path(args.file, ".csv")
    scope = _scope(args)
    with open_office(args) as office:
        year = resolve_year(office, args.year)
        phase = queries.phase_for_year(office, year)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CATALOGUE_HEADER)
    count = 0
    for group in phase.catalogue(year, scope):
        for item in group.items:
            writer.writerow([group.position, group.title, rules.fmt_points(group.pass_points),
                             item.position, item.text, rules.fmt_points(item.max_points),
                             item.id])
            count += 1
    with atomic_write(output) as temporary:
        # UTF-8 with a byte order mark: Excel on Windows then shows the Vietnamese letters.
        temporary.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    print(f"Đã xuất {count} mục tiêu chí dùng cho năm {year} (giai đoạn {phase.first_year} - "
          f"{phase.last_year}) ra {output}.")
    return 0


def cmd_catalogue_import(args) -> int:
    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.setup import save_catalogue

    scope = _scope(args)
    try:
        with open(args.file, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"Không đọc được tệp '{args.file}': {error}") from None
    if not rows or [cell.strip() for cell in rows[0][:6]] != CATALOGUE_HEADER[:6]:
        raise UserError(f"Tệp '{args.file}' không phải bộ tiêu chí: dòng đầu phải là "
                        + ", ".join(CATALOGUE_HEADER) + ".")
    with open_office(args, write=True) as office:
        year = resolve_year(office, args.year)
        phase = queries.phase_for_year(office, year)
        known = {item.id for group in phase.catalogue(year, scope) for item in group.items}
        groups: dict[int, dict] = {}
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            row = row + [""] * (7 - len(row))
            try:
                position = int(row[0])
            except ValueError:
                raise UserError(f"Dòng {number}, cột Nhóm: '{row[0]}' không phải số.") from None
            group = groups.setdefault(position, {"position": position, "title": row[1],
                                                 "pass_points": row[2], "items": []})
            if (group["title"], group["pass_points"]) != (row[1], row[2]):
                raise UserError(f"Dòng {number}: tên nhóm hoặc ngưỡng nhóm {position} khác "
                                "các dòng trước của cùng nhóm.")
            item_id = int(row[6]) if row[6].strip().isdigit() else None
            group["items"].append({"id": item_id if item_id in known else None,
                                   "text": row[4], "max_points": row[5]})
        save_catalogue(office, phase.id, scope, [groups[key] for key in sorted(groups)],
                       from_year=year, confirm=args.confirm)
    count = sum(len(group["items"]) for group in groups.values())
    print(f"Đã nạp {count} mục tiêu chí, áp dụng từ năm {year} (giai đoạn {phase.first_year} - "
          f"{phase.last_year}).")
    return 0
