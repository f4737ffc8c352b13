"""Certificates: Giấy khen and Giấy chứng nhận “Chi bộ 4 tốt”, one A4 landscape page per award.

The page follows DOMAIN.md and Hướng dẫn 36-HD/VPTW: the issuing body top left (bold capitals,
"*" under it), "ĐẢNG CỘNG SẢN VIỆT NAM" top right (bold, underlined), the title, "Tặng", the
recipient, the achievement, the decision and the register number bottom left, and bottom right
the place-date line (italic), "T/M BAN THƯỜNG VỤ", the signer's title, room for the signature
and the seal, and the signer's name. Plain paper gets a border drawn as vector art; on
pre-printed blanks (paper kind "preprinted") the border, "ĐẢNG CỘNG SẢN VIỆT NAM" and the
title are already printed, so only the rest is printed, moved by the offsets in the settings.

The issuer, its place and the signer belong to the organisation's identity in force on the
decision's date (``timeline``: a certificate of 2023 keeps the authority of 2023); the
wording, paper kind and offsets are settings ("certificate.*").
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.models import Award, AwardKind
from chibo4tot_desktop.errors import UserError, ValidationError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.setup import SetupChanges, save_setup
from chibo4tot_desktop.pdf.fonts import printable
from chibo4tot_desktop.pdf.layout import (
    A4_LANDSCAPE,
    BLACK,
    DARK_RED,
    GOLD,
    MM,
    RED,
    Group,
    Page,
    measure,
    wrap,
)
from chibo4tot_desktop.pdf.render import write_pdf
from chibo4tot_desktop.text import clean, format_date, place_date_line

PAPER_PLAIN = "plain"
PAPER_PREPRINTED = "preprinted"
PAPER_LABELS = {
    PAPER_PLAIN: "Giấy trắng (in cả khung viền và tiêu đề)",
    PAPER_PREPRINTED: "Phôi in sẵn (chỉ in phần chữ điền vào)",
}
MAX_OFFSET_MM = 50.0
YEAR_PLACEHOLDER = "{năm}"

DEFAULT_WORDING = {
    AwardKind.CELL_RECOGNITION: "Đã đạt danh hiệu “Chi bộ 4 tốt” năm {năm}",
    AwardKind.ORG_RECOGNITION: "Đã đạt danh hiệu “Đảng bộ cơ sở 4 tốt” năm {năm}",
    AwardKind.MERIT: "Đã có thành tích xuất sắc trong phong trào thi đua xây dựng “Chi bộ 4 tốt”,"
                     " “Đảng bộ cơ sở 4 tốt” năm {năm}",
}
TITLES = {
    AwardKind.CELL_RECOGNITION: "GIẤY CHỨNG NHẬN",
    AwardKind.ORG_RECOGNITION: "GIẤY CHỨNG NHẬN",
    AwardKind.MERIT: "GIẤY KHEN",
}


@dataclass(frozen=True)
class CertificateSettings:
    """What the office may change about its certificates (stored as "certificate.<field>")."""

    issuer: str = ""
    on_behalf: str = "T/M BAN THƯỜNG VỤ"
    signer_title: str = ""
    signer_name: str = ""
    place: str = ""
    lead_word: str = "Tặng"
    wording_cell_recognition: str = DEFAULT_WORDING[AwardKind.CELL_RECOGNITION]
    wording_org_recognition: str = DEFAULT_WORDING[AwardKind.ORG_RECOGNITION]
    wording_merit: str = DEFAULT_WORDING[AwardKind.MERIT]
    paper: str = PAPER_PLAIN
    offset_x_mm: float = 0.0
    offset_y_mm: float = 0.0

    def wording(self, kind: AwardKind) -> str:
        return getattr(self, f"wording_{kind.value}")


SETTING_PREFIX = "certificate."
FIELD_LABELS = {
    "issuer": "cơ quan ban hành",
    "on_behalf": "dòng thay mặt (T/M)",
    "signer_title": "chức vụ người ký",
    "signer_name": "họ tên người ký",
    "place": "địa danh",
    "lead_word": "chữ “Tặng”",
    "wording_cell_recognition": "nội dung công nhận “Chi bộ 4 tốt”",
    "wording_org_recognition": "nội dung công nhận “Đảng bộ cơ sở 4 tốt”",
    "wording_merit": "nội dung Giấy khen",
}


# Fields that are the identity's (dated), and their identity names.
IDENTITY_FIELDS = {"issuer": "issuer", "place": "certificate_place",
                   "signer_title": "certificate_signer_title",
                   "signer_name": "certificate_signer_name"}


def default_settings(identity: timeline.Identity) -> CertificateSettings:
    return CertificateSettings(issuer=clean(identity.certificate_issuer),
                               place=clean(identity.certificate_place_name),
                               signer_title=clean(identity.certificate_signer_title),
                               signer_name=clean(identity.certificate_signer_name))


def _offset(value, label: str) -> float:
    try:
        number = float(str(value).strip().replace(",", ".")) if str(value).strip() else 0.0
    except ValueError:
        raise ValidationError(f"Độ lệch {label} '{value}' không phải là số (mm).",
                              f"offset_{label}_mm") from None
    if number != number or abs(number) > MAX_OFFSET_MM:
        raise ValidationError(f"Độ lệch {label} phải trong khoảng ±{MAX_OFFSET_MM:g} mm.",
                              f"offset_{label}_mm")
    return round(number, 1)


def validate_settings(values: Mapping[str, object], base: CertificateSettings
                      ) -> CertificateSettings:
    """``base`` with ``values`` (field name -> typed value) checked and cleaned."""
    changes: dict[str, object] = {}
    for key, value in values.items():
        if key in ("offset_x_mm", "offset_y_mm"):
            changes[key] = _offset(value, key[len("offset_")])
        elif key == "paper":
            if value not in PAPER_LABELS:
                raise ValidationError(f"Loại giấy '{value}' không hợp lệ.", key)
            changes[key] = value
        elif key in FIELD_LABELS:
            text = clean(value)
            if len(text) > 300:
                raise ValidationError(f"{FIELD_LABELS[key].capitalize()} dài quá 300 ký tự.",
                                      key)
            if key.startswith("wording_") and not text:
                raise ValidationError(f"Chưa nhập {FIELD_LABELS[key]}.", key)
            changes[key] = text
        else:
            raise ValueError(key)
    return replace(base, **changes)


def load_settings(office, on: dt.date | None = None) -> CertificateSettings:
    """The certificate settings for a decision dated ``on``: issuer, place and signer from the
    identity in force that day (None: the latest), the rest from the settings."""
    base = default_settings(queries.identity_on(office, on))
    stored = queries.settings(office, SETTING_PREFIX)
    values: dict[str, object] = {}
    for item in fields(CertificateSettings):
        if item.name in IDENTITY_FIELDS:
            continue
        raw = stored.get(SETTING_PREFIX + item.name)
        if raw is None:
            continue
        if item.name.startswith("wording_") and not clean(raw):
            continue
        values[item.name] = raw
    try:
        return validate_settings(values, base)
    except ValidationError:
        # A value damaged outside the program: fall back field by field.
        settings = base
        for key, value in values.items():
            try:
                settings = validate_settings({key: value}, settings)
            except ValidationError:
                pass
        return settings


def save_settings(office, valid_from: dt.date | None = None, **values) -> CertificateSettings:
    """Check and store the given fields (one transaction); returns the new settings. The
    issuer, place and signer go to the identity version starting ``valid_from`` (None: the
    latest version); a value equal to the one derived from the upper body stays derived."""
    current = load_settings(office, valid_from)
    settings = validate_settings(values, current)
    changes = save_changes(office, settings, values, valid_from)
    save_setup(office, changes)
    return settings


def save_changes(office, settings: CertificateSettings, names, valid_from: dt.date | None
                 ) -> SetupChanges:
    """The SetupChanges that store the fields ``names`` of ``settings`` (checked)."""
    current = load_settings(office, valid_from)
    identity = queries.identity_on(office, valid_from)
    derived = {"issuer": f"BAN THƯỜNG VỤ {identity.upper_body.upper()}"
               if identity.upper_body else "", "place": identity.place_name}
    changes = SetupChanges(identity_from=valid_from)
    for key in names:
        value = getattr(settings, key)
        if key in IDENTITY_FIELDS:
            if value != getattr(current, key):
                changes.organisation[IDENTITY_FIELDS[key]] = (
                    "" if value == derived.get(key) else value)
        else:
            changes.settings[SETTING_PREFIX + key] = stored_value(value)
    return changes


def stored_value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------------------- content
@dataclass(frozen=True)
class Certificate:
    """The texts of one certificate (printable: NFC, no control characters)."""

    kind: AwardKind
    title: str
    recipient_parts: tuple[str, ...]   # ("Chi bộ Tổ dân phố 6", "Đảng bộ phường Tân Giang")
    achievement: str
    decision: str
    register: str
    place_date: str
    # The settings in force on the decision's date (issuer, signer); None: the list's.
    settings: CertificateSettings | None = None

    @property
    def recipient(self) -> str:
        return ", ".join(self.recipient_parts)


def certificate_for(award: Award, organisation: timeline.Identity,
                    settings: CertificateSettings) -> Certificate:
    kind = AwardKind(award.kind)
    if award.cell is not None:
        recipient = (printable(award.cell.name), printable(organisation.name))
    else:
        recipient = (printable(organisation.name),)
    achievement = settings.wording(kind).replace(YEAR_PLACEHOLDER, str(award.year))
    number = clean(award.decision_number)
    for prefix in ("Số ", "số "):
        if number.startswith(prefix):
            number = number[len(prefix):]
    decision = f"Quyết định số {number} ngày {format_date(award.decision_date)}" if number else ""
    register = f"Số sổ: {clean(award.register_number)}" if clean(award.register_number) else ""
    place_date = (place_date_line(settings.place, award.decision_date)
                  if settings.place and award.decision_date else "")
    return Certificate(kind, TITLES[kind], recipient, printable(achievement),
                       printable(decision), printable(register), printable(place_date),
                       settings)


def decided_awards(office, year: int, cell_codes: Sequence[str] = ()) -> list[Award]:
    """The year's awards that have a decision, optionally only those of ``cell_codes``."""
    wanted = None
    if cell_codes:
        wanted = {queries.cell_by_code(office, code).id for code in cell_codes}  # NotFoundError if unknown
    awards = [award for award in queries.awards(office, year) if award.is_decided]
    if wanted is not None:
        awards = [award for award in awards if award.cell_id in wanted]
    return awards


# ---------------------------------------------------------------------------- layout
PAGE_W, PAGE_H = A4_LANDSCAPE
BODY_LEFT, BODY_RIGHT = 100.0, PAGE_W - 100.0
MIDDLE_TOP, MIDDLE_BOTTOM = 262.0, 392.0   # the band for the recipient and the achievement
RECIPIENT_SIZE, ACHIEVEMENT_SIZE = 24.0, 18.0
MIN_SCALE = 0.4
LEFT_CENTRE, RIGHT_CENTRE = 215.0, PAGE_W - 205.0


def certificate_page(certificate: Certificate, settings: CertificateSettings) -> Page:
    page = Page(PAGE_W, PAGE_H)
    left_centre, right_centre = LEFT_CENTRE, RIGHT_CENTRE
    plain = settings.paper == PAPER_PLAIN
    if plain:
        page.items.append(_frame())
    centre = PAGE_W / 2

    # Header: issuer (left), ĐẢNG CỘNG SẢN VIỆT NAM (right).
    issuer = printable(settings.issuer.upper())
    size = 14.0
    lines = wrap(issuer, "bold", size, 300) if issuer else []
    while len(lines) > 2 and size > 10:
        size -= 1
        lines = wrap(issuer, "bold", size, 300)
    y = 78.0
    for line in lines:
        page.text(left_centre, y, line, "bold", size, "center")
        y += size * 1.2
    if lines:
        page.text(left_centre, y + 2, "*", "regular", 14, "center")
    if plain:
        page.items.append(_title(certificate.title,
                                 46.0 if certificate.kind is AwardKind.MERIT else 40.0))

    page.text(centre, 236.0, printable(settings.lead_word), "italic", 20, "center")

    # Recipient and achievement, wrapped and shrunk to the middle band.
    recipient_size, recipient_lines, achievement_size, achievement_lines = _fit_middle(
        certificate.recipient_parts, certificate.achievement)
    y = MIDDLE_TOP + recipient_size
    for line in recipient_lines:
        page.text(centre, y, line, "bold", recipient_size, "center", DARK_RED)
        y += recipient_size * 1.22
    y += achievement_size * 0.5
    for line in achievement_lines:
        page.text(centre, y + achievement_size * 0.3, line, "italic", achievement_size,
                  "center")
        y += achievement_size * 1.25

    # Bottom left: decision and register number.
    left = 92.0
    if certificate.decision:
        _block(page, left, 518.0, certificate.decision, "italic", 13, 320, "left")
    if certificate.register:
        _block(page, left, 540.0, certificate.register, "regular", 13, 320, "left")

    # Bottom right: place-date line, T/M, signer title, signature room, name.
    y = 412.0
    for text, style in ((certificate.place_date, "italic"),
                        (printable(settings.on_behalf.upper()), "bold"),
                        (printable(settings.signer_title.upper()), "bold")):
        y = _block(page, right_centre, y, text, style, 14, 330, "center")
    if settings.signer_name:
        _block(page, right_centre, 540.0, printable(settings.signer_name), "bold", 15, 330,
               "center")

    dx, dy = settings.offset_x_mm * MM, settings.offset_y_mm * MM
    return page.translated(dx, dy) if (dx or dy) else page


def _block(page: Page, x: float, y: float, text: str, style: str, size: float, width: float,
           align: str, min_size: float = 10.0) -> float:
    """``text`` on one line, shrunk down to ``min_size`` if need be, then wrapped; returns the
    baseline of the next line."""
    if not text:
        return y + size * 1.35
    natural = measure(text, style, size)
    if natural > width:
        size = max(min_size, size * width / natural)
    for line in wrap(text, style, size, width):
        page.text(x, y, line, style, size, align)
        y += size * 1.35
    return y


def _recipient_lines(parts: Sequence[str], size: float, width: float) -> list[str]:
    """The recipient on one line if it fits, else broken after its commas (cell, then the
    organisation), each part wrapped."""
    whole = ", ".join(parts)
    if measure(whole, "bold", size) <= width:
        return [whole]
    lines: list[str] = []
    for index, part in enumerate(parts):
        lines.extend(wrap(part + ("," if index < len(parts) - 1 else ""), "bold", size, width))
    return lines


def _fit_middle(recipient_parts: Sequence[str], achievement: str):
    """Sizes and lines of the recipient and the achievement that fit the middle band: one line
    at a slightly smaller size if that is enough, else broken after the comma, shrinking
    until both fit."""
    width = BODY_RIGHT - BODY_LEFT
    band = MIDDLE_BOTTOM - MIDDLE_TOP

    def attempt(scale: float):
        r_size = round(RECIPIENT_SIZE * scale, 2)
        a_size = round(ACHIEVEMENT_SIZE * max(scale, 0.75), 2)
        r_lines = _recipient_lines(recipient_parts, r_size, width)
        a_lines = wrap(achievement, "italic", a_size, width)
        height = (r_size + (len(r_lines) - 1) * r_size * 1.22 + a_size * 0.8
                  + len(a_lines) * a_size * 1.25)
        return r_size, r_lines, a_size, a_lines, height

    for scale in (1.0, 0.95, 0.9, 0.85):
        r_size, r_lines, a_size, a_lines, height = attempt(scale)
        if len(r_lines) == 1 and height <= band:
            return r_size, r_lines, a_size, a_lines
    scale = 1.0
    while True:
        r_size, r_lines, a_size, a_lines, height = attempt(scale)
        fits = height <= band and (len(r_lines) <= 2 or scale <= 0.6)
        if fits or scale <= MIN_SCALE:
            if not fits:  # pathological lengths: keep what fits in the band
                a_lines = _trim(a_lines, band - (r_size + len(r_lines) * r_size * 1.22),
                                a_size * 1.25)
            return r_size, r_lines, a_size, a_lines
        scale = round(scale - 0.05, 2)


def _trim(lines: list[str], room: float, line_height: float) -> list[str]:
    keep = max(1, int(room // line_height))
    if len(lines) <= keep:
        return lines
    kept = lines[:keep]
    kept[-1] = kept[-1].rstrip(" .,;") + "…"
    return kept


@functools.lru_cache(maxsize=1)
def _frame() -> Group:
    """What plain paper has and a pre-printed blank already carries: a red double frame with a
    gold inner rule and corner ornaments, "ĐẢNG CỘNG SẢN VIỆT NAM" (bold 15, underlined) and
    the rule with a diamond under the title. One shared group, stored once in the PDF."""
    page = Page(PAGE_W, PAGE_H)
    w, h = page.width, page.height
    page.rect(18, 18, w - 36, h - 36, 3.0, DARK_RED)
    page.rect(25, 25, w - 50, h - 50, 0.9, DARK_RED)
    page.rect(31, 31, w - 62, h - 62, 0.6, GOLD)
    for cx, cy in ((25, 25), (w - 25, 25), (25, h - 25), (w - 25, h - 25)):
        _diamond(page, cx, cy, 13, fill=(1, 1, 1), stroke=DARK_RED, width=1.2)
        _diamond(page, cx, cy, 7, fill=DARK_RED, stroke=None)
        _diamond(page, cx, cy, 2.5, fill=GOLD, stroke=None)
    # Small diamonds halfway along each side.
    for cx, cy in ((w / 2, 25), (w / 2, h - 25), (25, h / 2), (w - 25, h / 2)):
        _diamond(page, cx, cy, 6, fill=(1, 1, 1), stroke=DARK_RED, width=0.9)
        _diamond(page, cx, cy, 2.5, fill=GOLD, stroke=None)
    width = page.text(RIGHT_CENTRE, 78.0, "ĐẢNG CỘNG SẢN VIỆT NAM", "bold", 15, "center", RED)
    page.underline(RIGHT_CENTRE, 78.0, width, 15, "center", RED)
    cx, y = w / 2, 198.0
    page.line(cx - 150, y, cx - 12, y, 1.0, DARK_RED)
    page.line(cx + 12, y, cx + 150, y, 1.0, DARK_RED)
    _diamond(page, cx, y, 6, fill=GOLD, stroke=DARK_RED, width=0.8)
    return Group("certificate-frame", tuple(page.items))


@functools.lru_cache(maxsize=8)
def _title(title: str, size: float) -> Group:
    page = Page(PAGE_W, PAGE_H)
    page.text(PAGE_W / 2, 178.0, title, "bold", size, "center", RED)
    return Group(f"certificate-title-{len(title)}-{size:g}-{abs(hash(title))}", tuple(page.items))


def _diamond(page: Page, cx: float, cy: float, r: float, fill=None, stroke=BLACK,
             width: float = 0.6) -> None:
    page.polygon(((cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)), fill, stroke, width)


# ---------------------------------------------------------------------------- entry points
def certificate_pages(certificates: Iterable[Certificate],
                      settings: CertificateSettings) -> list[Page]:
    return [certificate_page(certificate, certificate.settings or settings)
            for certificate in certificates]


def year_certificates(office, year: int, cell_codes: Sequence[str] = ()
                      ) -> tuple[list[Certificate], CertificateSettings]:
    """The certificates of the year's decided awards; UserError when there are none."""
    awards = decided_awards(office, year, cell_codes)
    if not awards:
        if cell_codes:
            raise UserError(f"Các chi bộ đã chọn không có khen thưởng nào năm {year} đã có "
                            "quyết định.")
        raise UserError(f"Năm {year} chưa có khen thưởng nào đã có quyết định để in giấy khen.")
    return _certificates(office, awards)


def _certificates(office, awards: Sequence[Award]
                  ) -> tuple[list[Certificate], CertificateSettings]:
    """Each award's certificate with the identity in force on its decision's date; the
    settings returned are those of the latest decision (they name the document)."""
    certificates = []
    for award in awards:
        certificates.append(certificate_for(award, queries.identity_on(office,
                                                                        award.decision_date),
                                            load_settings(office, award.decision_date)))
    latest = max((award.decision_date for award in awards if award.decision_date),
                 default=None)
    return certificates, load_settings(office, latest)


def award_certificates(office, awards: Sequence[Award]
                       ) -> tuple[list[Certificate], CertificateSettings]:
    """The certificates of the given awards (the ones selected in the window)."""
    undecided = [award for award in awards if not award.is_decided]
    if undecided:
        raise UserError("Chỉ in được giấy khen cho khen thưởng đã có số và ngày quyết định.")
    if not awards:
        raise UserError("Chưa chọn khen thưởng nào để in.")
    return _certificates(office, awards)


def write_certificates(office, year: int, target: str | os.PathLike,
                       cell_codes: Sequence[str] = ()) -> int:
    """Write the year's certificates to ``target``; returns the number of pages."""
    certificates, settings = year_certificates(office, year, cell_codes)
    pages = certificate_pages(certificates, settings)
    write_pdf(pages, target, title=f"Giấy khen, giấy chứng nhận năm {year}",
              author=printable(settings.issuer))
    return len(pages)


def sample_certificate(settings: CertificateSettings, organisation,
                       year: int | None = None) -> Certificate:
    """A certificate with example content (the settings dialog's preview)."""
    year = year or dt.date.today().year
    recipient = ("Chi bộ Tổ dân phố 6", printable(organisation.name))
    achievement = settings.wording(AwardKind.CELL_RECOGNITION).replace(YEAR_PLACEHOLDER,
                                                                       str(year))
    date = dt.date(year + 1, 1, 12)
    return Certificate(AwardKind.CELL_RECOGNITION, TITLES[AwardKind.CELL_RECOGNITION],
                       recipient, printable(achievement),
                       f"Quyết định số 1250-QĐ/Th.U ngày {format_date(date)}",
                       f"Số sổ: 01/{year}",
                       place_date_line(settings.place, date) if settings.place else "")
