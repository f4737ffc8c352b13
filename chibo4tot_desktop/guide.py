"""The user guide ("Hướng dẫn sử dụng"): its sections, and which section explains an error.

The guide is a set of HTML files in ``resources/guide/`` (one per section, named by the
section's id) listed in ``resources/guide/index.json`` with a short code (``HD-05``) and a
title. The window shows them in Qt's text browser (``ui/help.py``); ``pdf/guide.py`` prints
them for the office's binder. No Qt here.

Every error the user can act on points to the section that says what to do: by its class
(``ERROR_SECTIONS``), else by the part of the program that raised it (``MODULE_SECTIONS``),
else the general section on error messages. ``with_help`` appends the pointer to a message.
"""

from __future__ import annotations

import functools
import re
import json
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop.paths import resource

GUIDE_TITLE = "Hướng dẫn sử dụng"
GENERAL_ERRORS = "bao-loi"


@dataclass(frozen=True)
class Section:
    id: str
    code: str
    title: str

    @property
    def file(self) -> Path:
        return guide_dir() / f"{self.id}.html"

    @property
    def label(self) -> str:
        return f"{self.code}. {self.title}"


def guide_dir() -> Path:
    return resource("guide")


@functools.lru_cache(maxsize=1)
def sections() -> tuple[Section, ...]:
    """The sections in their order, read from the index."""
    data = json.loads((guide_dir() / "index.json").read_text(encoding="utf-8"))
    return tuple(Section(entry["id"], entry["code"], entry["title"])
                 for entry in data["sections"])


def section(section_id: str) -> Section:
    for entry in sections():
        if entry.id == section_id:
            return entry
    raise KeyError(section_id)


def section_html(section_id: str) -> str:
    return section(section_id).file.read_text(encoding="utf-8")


# Errors by class name (the first class of the error's MRO found here wins). None: the message
# asks nothing of the user (a cancelled task).
ERROR_SECTIONS: dict[str, str | None] = {
    "Cancelled": None,
    "DataFileLockedError": "tep-hong",
    "LockLostError": "tep-hong",
    "DataFileReadOnlyError": "tep-hong",
    "DataFileDamagedError": "tep-hong",
    "DataFileEmptyError": "tep-hong",
    "DataFileMissingError": "tep-hong",
    "DataFileNotOursError": "tep-hong",
    "DataFileNewerError": "tep-hong",
    "DataFileError": "tep-hong",
    "ConflictError": "bao-loi",
    "DecidedYearError": "ket-qua",
    "UnsafeFileError": "nhap-excel",
    "UnknownSenderError": "lien-thong",
    "PacketError": "lien-thong",
    "SealError": "lien-thong",
    "EvidenceError": "dinh-kem",
    "DuplicateEvidence": "dinh-kem",
    "FileWriteError": "bao-loi",
}

# Errors of the plain classes, by the module that raised them (longest prefix wins).
MODULE_SECTIONS: dict[str, str] = {
    "chibo4tot_desktop.excel": "nhap-excel",
    "chibo4tot_desktop.excel.selfassess": "cham-diem",
    "chibo4tot_desktop.ops.registrations": "dang-ky",
    "chibo4tot_desktop.ops.scoring": "cham-diem",
    "chibo4tot_desktop.ops.awards": "khen-thuong",
    "chibo4tot_desktop.ops.decisions": "lien-thong",
    "chibo4tot_desktop.ops.exchange": "lien-thong",
    "chibo4tot_desktop.ops.packet_rules": "lien-thong",
    "chibo4tot_desktop.ops.keys": "lien-thong",
    "chibo4tot_desktop.ops.evidence": "dinh-kem",
    "chibo4tot_desktop.ops.cells": "chi-bo",
    "chibo4tot_desktop.ops.history": "sap-nhap",
    "chibo4tot_desktop.ops.organisations": "sap-nhap",
    "chibo4tot_desktop.ops.setup": "thiet-lap",
    "chibo4tot_desktop.ops.rulebook": "thiet-lap",
    "chibo4tot_desktop.ops.repairs": "tep-hong",
    "chibo4tot_desktop.packets": "lien-thong",
    "chibo4tot_desktop.signing": "lien-thong",
    "chibo4tot_desktop.city": "lien-thong",
    "chibo4tot_desktop.city_export": "lien-thong",
    "chibo4tot_desktop.evidence": "dinh-kem",
    "chibo4tot_desktop.safety": "sao-luu",
    "chibo4tot_desktop.safety.opening": "tep-hong",
    "chibo4tot_desktop.safety.lock": "tep-hong",
    "chibo4tot_desktop.pdf": "khen-thuong",
    "chibo4tot_desktop.word": "van-ban",
    "chibo4tot_desktop.cli.commands_packet": "lien-thong",
    "chibo4tot_desktop.cli.commands_keys": "lien-thong",
    "chibo4tot_desktop.cli.commands_evidence": "dinh-kem",
    "chibo4tot_desktop.cli.commands_safety": "sao-luu",
    "chibo4tot_desktop.cli.commands_excel": "nhap-excel",
}


def _raising_modules(error: BaseException) -> list[str]:
    """The program's modules in the error's traceback, innermost (where it was raised) first."""
    found = []
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_globals.get("__name__", "")
        if name.startswith("chibo4tot_desktop"):
            found.insert(0, name)
        tb = tb.tb_next
    return found


def section_id_for(error: BaseException) -> str | None:
    """The id of the section that explains ``error`` (None: the error asks nothing)."""
    for kind in type(error).__mro__:
        if kind.__name__ in ERROR_SECTIONS:
            return ERROR_SECTIONS[kind.__name__]
    for module in _raising_modules(error):   # a shared check counts for the area calling it
        prefixes = [p for p in MODULE_SECTIONS if module == p or module.startswith(p + ".")]
        if prefixes:
            return MODULE_SECTIONS[max(prefixes, key=len)]
    return GENERAL_ERRORS


def section_for(error: BaseException) -> Section | None:
    section_id = section_id_for(error)
    if section_id is None:
        return None
    try:
        return section(section_id)
    except (KeyError, OSError, ValueError):
        return None      # a guide missing from a broken install never hides the message


def help_pointer(error: BaseException) -> str:
    """" (xem HD-05 trong Hướng dẫn sử dụng)", or "" when the error asks nothing."""
    found = section_for(error)
    return f" (xem {found.code} trong {GUIDE_TITLE})" if found else ""


def with_help(error: BaseException | str) -> str:
    """The error's message with its pointer to the guide."""
    if isinstance(error, str):
        return error
    return f"{error}{help_pointer(error)}"


_REFERENCE = re.compile(r'<(a|img)\b[^>]*?\b(href|src)="([^"]+)"', re.IGNORECASE)


def references(section_id: str) -> tuple[list[str], list[str]]:
    """The sections a section links to (ids) and the pictures it shows (paths in the guide's
    folder)."""
    links, pictures = [], []
    for tag, _attribute, value in _REFERENCE.findall(section_html(section_id)):
        if tag.lower() == "img":
            pictures.append(value)
        elif not value.startswith(("http:", "https:", "mailto:")):
            links.append(value.split("#", 1)[0].removesuffix(".html"))
    return links, pictures


def problems() -> list[str]:
    """What is wrong with the installed guide (empty: every section, link and picture is
    there). Used by the self-test and the tests."""
    try:
        every = sections()
    except (OSError, ValueError, KeyError) as error:
        return [f"không đọc được mục lục hướng dẫn ({error})"]
    found = []
    ids = {entry.id for entry in every}
    if len(ids) != len(every) or len({entry.code for entry in every}) != len(every):
        found.append("mục lục hướng dẫn có mục trùng mã")
    for entry in every:
        if not entry.file.is_file():
            found.append(f"thiếu tệp {entry.file.name}")
            continue
        links, pictures = references(entry.id)
        found += [f"{entry.code}: liên kết tới mục không có '{link}'"
                  for link in links if link not in ids]
        found += [f"{entry.code}: thiếu hình '{picture}'"
                  for picture in pictures if not (guide_dir() / picture).is_file()]
    for section_id in set(ERROR_SECTIONS.values()) | set(MODULE_SECTIONS.values()) | {
            GENERAL_ERRORS}:
        if section_id is not None and section_id not in ids:
            found.append(f"lỗi trỏ tới mục không có '{section_id}'")
    return found
