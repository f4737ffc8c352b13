"""Hostile exchange packets, made from genuine ones: a seeded generator.

``fuzz_case(seed, bases, keys, path)`` takes one of the genuine packets of the demo ward
(``genuine_packets``: several years), changes it at random and writes the result to ``path``.
Most changes are made to ``data.json`` and the packet is signed again with the ward's own key
(``keys``), as a careless or dishonest holder of that key would: the receiver trusts the
sender, so what is tested is the content checks (``packets._Checker``, ``ops.packet_rules``,
``ops.exchange``). Some changes are made to the zip itself (its manifest, members, size).

The same seed gives the same bytes (fixed member times, the Ed25519 signature is
deterministic), so a failing case can be replayed from its seed alone.

Used by tests/test_packet_fuzz.py (a few hundred cases, in-process and through the real
``packet import`` command) and benchmarks/fuzz_import.py ``--packets`` (thousands).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
import math
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop import signing

YEARS = (2023, 2024, 2025, 2026)
MADE = dt.datetime(2026, 6, 1, 8, 0, 0)      # the genuine packets (after every demo record)
REMADE = MADE + dt.timedelta(hours=1)        # the hostile ones: newer, so they are not skipped
ZIP_TIME = (2026, 6, 1, 8, 0, 0)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ----------------------------------------------------------------------- genuine packets
def genuine_packets(office, folder: Path) -> dict[int, Path]:
    """The demo ward's packet of every year in ``YEARS``, made at ``MADE``."""
    from chibo4tot_desktop.packets import export_packet

    folder.mkdir(parents=True, exist_ok=True)
    return {year: export_packet(office, year, folder / f"{year}.zip", now=MADE)
            for year in YEARS}


@dataclass(frozen=True)
class Base:
    """A genuine packet taken apart: its manifest, data and other members."""

    year: int
    manifest: dict
    data: dict
    members: dict[str, bytes]     # evidence members by name


def take_apart(year: int, path: Path) -> Base:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        data = json.loads(archive.read("data.json"))
        members = {name: archive.read(name) for name in archive.namelist()
                   if name.startswith("evidence/")}
    return Base(year, manifest, data, members)


@dataclass(frozen=True)
class Keys:
    signing_private: bytes
    signing_public: bytes
    box_public: bytes


@dataclass(frozen=True)
class Setting:
    """What the fuzz starts from: the ward's key, its genuine packets taken apart, and the
    city's data file (trusting the ward, holding its genuine ``RECEIVED`` years) to copy before
    each case, with its findings and each year's results."""

    keys: Keys
    bases: dict[int, Base]
    city: Path
    findings: dict[str, int]
    results: dict[int, list]


RECEIVED = (2023, 2024)


def prepare(folder: Path) -> Setting:
    """The demo ward (built through the operations) and the city that trusts it."""
    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.demo import build_demo
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ops.exchange import import_packets
    from chibo4tot_desktop.ops.keys import own_keys
    from tests.builders import trust_office

    folder.mkdir(parents=True, exist_ok=True)
    ward_db = open_database(folder / "ward.sqlite3")
    try:
        ward = Office(ward_db)
        build_demo(ward)
        own = own_keys(ward)
        keys = Keys(own.signing_private, own.signing_public, own.box_public)
        paths = genuine_packets(ward, folder / "genuine")
        city_path = folder / "city.sqlite3"
        city = open_database(city_path)
        try:
            trust_office(city, ward)
            import_packets(city, [paths[year] for year in RECEIVED])
            results = year_results(city)
        finally:
            city.close()
    finally:
        ward_db.close()
    return Setting(keys, {year: take_apart(year, path) for year, path in paths.items()},
                   city_path, findings(city_path), results)


def findings(path: Path) -> dict[str, int]:
    """How many of each finding the logical checks of ``safety.check`` report."""
    from chibo4tot_desktop.safety.backup import connect_existing
    from chibo4tot_desktop.safety.check import find_problems

    connection = connect_existing(path, readonly=True)
    try:
        return {finding.key: finding.count for finding in find_problems(connection)}
    finally:
        connection.close()


def year_results(db) -> dict[int, list]:
    """Each year's figures and verdict by ward (the ward's name of today aside)."""
    import dataclasses

    from chibo4tot_desktop import city

    return {year: [dataclasses.replace(row, ward_name="")
                   for row in city.results_by_ward(db, year)] for year in YEARS}


def taken_problems(setting: Setting, path: Path, db, year: int) -> list[str]:
    """What is wrong with the city's data after a packet of ``year`` was taken: a finding of
    the logical checks it did not have (scores above their maximum, negative...), or another
    year's results changed."""
    found = findings(path)
    problems = [f"{key}: {count}" for key, count in found.items()
                if count > setting.findings.get(key, 0)]
    if db is not None:
        try:
            results = year_results(db)
        except Exception as error:      # noqa: BLE001 - data the reports cannot read
            return [*problems, f"không tính được kết quả: {type(error).__name__}: {error}"]
        problems.extend(f"kết quả năm {other} đã đổi" for other in RECEIVED
                        if other != year and results[other] != setting.results[other])
    return problems


# ------------------------------------------------------------------------ writing JSON
class Raw(str):
    """JSON text written as it is: 1e999, NaN, -Infinity, a broken token."""


class Pairs(list):
    """An object written from (key, value) pairs, so a key may come twice."""


@dataclass(frozen=True)
class Repeat:
    """A list of ``value`` repeated ``times`` (written once, copied as text)."""

    value: object
    times: int


def dump(value) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, Repeat):
        return "[" + ",".join([dump(value.value)] * value.times) + "]"
    if isinstance(value, dict):
        value = Pairs(value.items())
    if isinstance(value, Pairs):
        return "{" + ",".join(f"{json.dumps(str(key), ensure_ascii=False)}:{dump(item)}"
                              for key, item in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


# ----------------------------------------------------------------------------- packing
def pack(data_bytes: bytes, base: Base, keys, *, exported_at: str | None = None,
         members: dict[str, bytes] | None = None, edit: Callable[[dict], None] | None = None,
         sign: bool = True, listed: dict[str, bytes] | None = None,
         extra: list[tuple[str, bytes]] = ()) -> bytes:
    """A packet of ``data_bytes`` with ``base``'s manifest, signed with ``keys``.

    ``members``: the evidence members (the base's by default); ``listed``: what the manifest
    lists (the real members by default); ``edit`` changes the manifest before it is signed;
    ``extra``: members written after the others, listed nowhere."""
    members = dict(base.members if members is None else members)
    written = {"data.json": data_bytes, **members}
    manifest = copy.deepcopy(base.manifest)
    manifest["exported_at"] = exported_at or REMADE.isoformat(timespec="microseconds")
    manifest["files"] = {name: {"sha256": hashlib.sha256(content).hexdigest(),
                                "size": len(content)}
                         for name, content in (written if listed is None else listed).items()}
    if edit is not None:
        edit(manifest)
    manifest_bytes = dump(manifest).encode("utf-8", "surrogatepass")
    signature = signing.sign(keys.signing_private, manifest_bytes) if sign else bytes(64)
    buffer = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # a name twice is one of the tricks
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            entries = [("manifest.json", manifest_bytes),
                       ("signature.json", json.dumps({
                           "algorithm": "Ed25519",
                           "signature": _b64(signature)}).encode()),
                       *written.items(), *extra]
            for name, content in entries:
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, content)
    return buffer.getvalue()


def _b64(value: bytes) -> str:
    import base64

    return base64.b64encode(value).decode("ascii")


# ------------------------------------------------------------------------ data mutations
def _nodes(value, found=None, parent=None, key=None) -> list[tuple[object, object, object]]:
    """Every (container, key, value) of the data, the root excluded."""
    found = [] if found is None else found
    if parent is not None:
        found.append((parent, key, value))
    if isinstance(value, dict):
        for name, item in value.items():
            _nodes(item, found, value, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _nodes(item, found, value, index)
    return found


def _pick(rng: random.Random, data, test=lambda value: True):
    nodes = [node for node in _nodes(data) if test(node[2])]
    return rng.choice(nodes) if nodes else None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _odd_value(rng: random.Random):
    return rng.choice([None, True, False, 0, -1, 1.5, "", "x", "1", "10", [], {}, [None],
                       {"x": 1}, [[]], Raw("1e999"), Raw("NaN"), "2023-01-01", 2023,
                       ["cell", 1, 1], [["cell"], 1, 1], [{"a": 1}, 2]])


def _odd_number(rng: random.Random):
    return rng.choice([Raw("1e999"), Raw("-1e999"), Raw("NaN"), Raw("Infinity"),
                       Raw("-Infinity"), 10 ** 30, -(10 ** 30), 2 ** 63, 2 ** 64 + 1, -1,
                       -0.5, Raw("-0.0"), 1e308, 1e-300, 0.1 + 0.2, 99_999, 100_001,
                       1000, 1000.5, 10.25, 100.0001, Raw("1E2"), Raw("0.30000000000000004"),
                       rng.uniform(-1e6, 1e6), rng.randint(-5, 200)])


def _odd_text(rng: random.Random) -> str:
    return rng.choice([
        "x" * rng.choice([41, 201, 5001, 20_001, 200_000]),
        "Chi bộ " + "😀" * rng.randint(1, 300),
        "\x00\x01\x02\x1b[31m\x7f",
        "a\u0000b", "\u202eđảo ngược\u202c", "\ufeff", "\uffff", "\ud800",
        "To\u0302\u0309 da\u0302n pho\u0302\u0301",      # NFD
        " \t\n\r ", "\n" * 5000, "' OR 1=1; --", "<script>alert(1)</script>",
        "=1+1", "../../etc/passwd", "Đ" * 199, "chi bộ 1. Không nhập gì",
        "\u0301" * 100, "ｘ" * 50, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u2028\u2029", "A" * 40,
    ])


def _odd_date(rng: random.Random):
    return rng.choice(["0001-01-01", "9999-12-31", "1900-01-01", "2999-01-01", "2023-02-30",
                       "2023-13-01", "2023-00-10", "20230101", "2023-W01-1", "2023-001",
                       "", "hôm qua", "01/03/2023", "2023-01-01T10:00:00",
                       "2023-01-01T23:59:59+14:00", "-2023-01-01", "+12023-01-01",
                       "2023-1-1", "２０２３-01-01", 20230101, None, [], "2023-01-01\x00",
                       "2100-01-01", "2026-12-31", "2027-01-01", "2022-12-31", "2000-01-01"])


def _m_type(rng, data, base):
    node = _pick(rng, data)
    if node:
        node[0][node[1]] = _odd_value(rng)


def _m_number(rng, data, base):
    node = _pick(rng, data, _is_number)
    if node:
        node[0][node[1]] = _odd_number(rng)


def _m_text(rng, data, base):
    node = _pick(rng, data, lambda value: isinstance(value, str) and not DATE.match(value))
    if node:
        node[0][node[1]] = _odd_text(rng)


def _m_date(rng, data, base):
    node = _pick(rng, data, lambda value: isinstance(value, str) and DATE.match(value))
    if node:
        node[0][node[1]] = _odd_date(rng)


def _m_keys(rng, data, base):
    node = _pick(rng, data, lambda value: isinstance(value, dict) and value)
    if node is None:
        return
    parent, where, target = node
    name = rng.choice(list(target))
    action = rng.randrange(4)
    if action == 0:
        del target[name]
    elif action == 1:
        target[rng.choice(["extra", "__proto__", "", "id", "cell_id", name.upper(),
                           name + " "])] = _odd_value(rng)
    else:       # the same key twice: the parser keeps the last one
        pairs = list(target.items())
        pairs.insert(rng.randrange(len(pairs) + 1), (name, _odd_value(rng)))
        if action == 3:
            pairs.append((name, target[name]))
        parent[where] = Pairs(pairs)


def _m_lists(rng, data, base):
    node = _pick(rng, data, lambda value: isinstance(value, list) and value
                 and not all(isinstance(v, (str, int, float)) for v in value))
    node = node or _pick(rng, data, lambda value: isinstance(value, list))
    if node is None:
        return
    parent, where, target = node
    action = rng.randrange(5)
    if action == 0 or not target:
        parent[where] = []
    elif action == 1:
        parent[where] = Repeat(rng.choice(target), rng.choice([2, 50, 1000, 5000, 100_001]))
    elif action == 2:
        target.extend(copy.deepcopy(rng.choices(target, k=rng.randint(1, 3))))
    elif action == 3:
        del target[rng.randrange(len(target))]
    else:
        rng.shuffle(target)


def _cells(data) -> list[str]:
    return [cell["code"] for cell in data.get("cells", []) if isinstance(cell, dict)]


def _m_references(rng, data, base):
    """Cross-references broken: unknown cells and items, duplicates, scores above maximum."""
    action = rng.randrange(10)
    unknown = rng.choice(["KHONG-CO", "", "a", "TDP 99", None, 7])
    rows = {key: data.get(key) or [] for key in ("registrations", "evaluations", "awards",
                                                 "evidence")}
    if action == 0 and rows["registrations"]:
        rng.choice(rows["registrations"])["cell"] = unknown
    elif action == 1 and rows["evaluations"]:
        rng.choice(rows["evaluations"])["cell"] = unknown
    elif action == 2 and rows["awards"]:
        rng.choice(rows["awards"])["cell"] = unknown
    elif action == 3:
        scores = [score for row in rows["evaluations"] for score in row["scores"]]
        if scores:
            rng.choice(scores)["item"] = rng.choice([
                ["cell", 99, 1], ["cell", 1, 99], ["organisation", 1, 1], ["cell", 1],
                ["cell", 1, 1, 1], ["cell", "1", 1], ["cell", 1.0, 1], ["cell", True, 1],
                [["cell"], 1, 1], [{"x": 1}, 1, 1], "cell.1.1", None, ["CELL", 1, 1]])
    elif action == 4:
        scores = [score for row in rows["evaluations"] for score in row["scores"]]
        if scores:
            score = rng.choice(scores)
            score[rng.choice(["self_points", "committee_points"])] = rng.choice(
                [1000, 100, 10.5, 25, -0.5, 999.99, 20.000001, Raw("1e999")])
    elif action == 5:       # a record twice
        key = rng.choice(["registrations", "evaluations", "awards", "cells"])
        if data.get(key):
            data[key].append(copy.deepcopy(rng.choice(data[key])))
    elif action == 6 and rows["evaluations"]:
        row = rng.choice(rows["evaluations"])
        if row["scores"]:
            row["scores"].append(copy.deepcopy(rng.choice(row["scores"])))
    elif action == 7:
        codes = _cells(data)
        data["links"] = rng.choice([
            [[codes[0], codes[0]]] if codes else [["X", "X"]],
            [[codes[0], "KHONG-CO"]] if codes else [["X", "Y"]],
            [codes[:3]], [[codes[0], codes[1]], [codes[1], codes[0]]] if len(codes) > 1 else [],
            [[codes[0], codes[1]], [codes[0], codes[1]]] if len(codes) > 1 else [],
            [[[codes[0]], codes[-1]]] if codes else [[["X"], "Y"]],
            [[{"a": 1}, 1]], "abc", [None]])
    elif action == 8 and rows["evidence"]:
        entry = rng.choice(rows["evidence"])
        entry[rng.choice(["cell", "kind", "target", "sha256", "size", "media_type"])] = \
            rng.choice([unknown, "proposal", "decision", "0" * 64, 1, "image/gif"])
    elif data.get("cells"):
        cell = rng.choice(data["cells"])
        choice = rng.randrange(5)
        if choice == 0:
            cell["dissolved_on"], cell["started_on"] = "2023-01-01", "2024-01-01"
        elif choice == 1:
            cell["dissolved_on"] = rng.choice(["2000-01-01", "2023-06-30", "2024-12-31"])
        elif choice == 2:
            cell["members_count"] = rng.choice([0, 1, 10**6])
        elif choice == 3:
            cell["code"] = rng.choice(_cells(data) or ["X"])
        else:
            cell["name"] = rng.choice(data["cells"])["name"].upper()


def _m_decided(rng, data, base):
    """Decided facts of the awards made absurd, or decisions made incoherent."""
    awards = data.get("awards") or []
    if not awards:
        return
    award = rng.choice(awards)
    key = rng.choice(["decided_points", "decided_members", "decided_streak",
                      "decided_classification", "decided_cells", "decided_verdict",
                      "decision_date", "decision_number", "register_number", "proposed_on",
                      "issuer", "kind"])
    award[key] = rng.choice({
        "decided_points": [1000, 999.5, 100.5, -1, 0, Raw("NaN"), 1e308],
        "decided_members": [1000, 10**6, -1, 0, 1.5],
        "decided_streak": [1000, 500, 0, -3, 2.5],
        "decided_classification": ["excellent", "x", "", None, 1],
        "decided_cells": ["99/3", "abc", "-1/0", "", "1" * 21, "3/99999"],
        "decided_verdict": ["pass", "x", "", 1],
        "decision_date": ["1900-01-01", "2099-01-01", "2026-06-02", None, "2023-02-29"],
        "decision_number": ["", "1" * 61, None, "\x00"],
        "register_number": ["", "R-1", "1" * 41, "\n"],
        "proposed_on": ["2099-01-01", "1900-01-01", None],
        "issuer": ["", None, "x" * 201],
        "kind": ["cell_excellent", "org_recognition", "x", None],
    }[key])


def _m_phase(rng, data, base):
    """The phase and catalogue changed: items removed or rescored, thresholds, calendar."""
    phase = data.get("phase")
    if not isinstance(phase, dict):
        return
    action = rng.randrange(8)
    groups = phase.get("groups") or []
    if action == 0 and groups:
        group = rng.choice(groups)
        if group["items"]:
            del group["items"][rng.randrange(len(group["items"]))]
    elif action == 1 and groups:
        group = rng.choice(groups)
        if group["items"]:
            rng.choice(group["items"])["max_points"] = rng.choice([0, 1000, 99, -5, 0.5])
    elif action == 2 and groups:
        rng.choice(groups)["pass_points"] = rng.choice([0, 1000, 99, -5, 100])
    elif action == 3 and groups:
        del groups[rng.randrange(len(groups))]
    elif action == 4:
        key = rng.choice(["overall_pass", "band_excellent", "band_good", "band_pass",
                          "org_cell_share", "excellent_share_cap", "max_disciplined",
                          "min_classification"])
        phase[key] = rng.choice([0, 1, 100, 1000, -1, 0.5, 2, "good", "x"])
    elif action == 5:
        phase[rng.choice(["first_year", "last_year"])] = rng.choice(
            [1999, 2000, 2022, 2024, 2025, 2030, 2035, 2100, 2101])
    elif action == 6 and phase.get("years"):
        if rng.random() < 0.5:
            del phase["years"][rng.randrange(len(phase["years"]))]
        else:
            row = rng.choice(phase["years"])
            row[rng.choice(["launch_date", "registration_deadline", "review_deadline"])] = \
                rng.choice(["2022-01-01", "2099-12-31", None, "2023-06-01", "2024-01-10"])
    elif groups:
        group = rng.choice(groups)
        group["scope"] = rng.choice(["cell", "organisation", "x"])
        group["position"] = rng.choice([1, 2, 99, 0])


def _m_settings_and_identities(rng, data, base):
    if rng.random() < 0.5:
        settings = data.setdefault("settings", {})
        key = rng.choice(list(settings) + ["year.rule", "backup.folder", "x" * 101, ""])
        settings[key] = rng.choice(["", "x" * 10_001, "review", "calendar", 1, None])
    else:
        identities = data.setdefault("identities", [])
        if identities and rng.random() < 0.5:
            rng.choice(identities)["valid_from"] = _odd_date(rng)
        elif identities:
            identities.append(copy.deepcopy(rng.choice(identities)))
        else:
            identities.append({"valid_from": "2023-01-01", "name": ""})


DATA_MUTATIONS: dict[str, tuple[int, Callable]] = {      # name: (weight, mutation)
    "type": (3, _m_type),
    "number": (3, _m_number),
    "text": (3, _m_text),
    "date": (3, _m_date),
    "keys": (2, _m_keys),
    "lists": (2, _m_lists),
    "references": (4, _m_references),
    "decided": (3, _m_decided),
    "phase": (3, _m_phase),
    "settings": (1, _m_settings_and_identities),
}


def _mutated_data(rng: random.Random, base: Base, count: int) -> tuple[list[str], bytes]:
    data = copy.deepcopy(base.data)
    names = list(DATA_MUTATIONS)
    done = []
    for _ in range(count):
        name = rng.choices(names, weights=[DATA_MUTATIONS[n][0] for n in names])[0]
        try:
            DATA_MUTATIONS[name][1](rng, data, base)
        except (TypeError, KeyError, IndexError, AttributeError, ValueError):
            pass     # an earlier mutation changed the shape this one expected
        done.append(name)
    return done, dump(data).encode("utf-8", "surrogatepass")


# ------------------------------------------------------------------------ packet families
def _f_data(rng, base, keys):
    names, body = _mutated_data(rng, base, 1)
    return names[0], pack(body, base, keys)


def _f_several(rng, base, keys):
    _, body = _mutated_data(rng, base, rng.randint(2, 5))
    return "several", pack(body, base, keys)


def _f_genuine(rng, base, keys):
    """The genuine data signed again later: must be taken."""
    return "genuine", pack(dump(base.data).encode(), base, keys)


def _f_manifest(rng, base, keys):
    """The manifest changed and signed again (or not)."""
    body = dump(base.data).encode()
    key = rng.choice(["exported_at", "exported_at", "exported_at", "year", "kind",
                      "organisation_code", "organisation_name", "format_version", "files",
                      "sender", "format", "program_version"])
    value = {
        "exported_at": ["2099-01-01T00:00:00", "0001-01-01T00:00:00",
                        "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
                        "2026-06-01T09:00:00+14:00", "2026-06-01T09:00:00Z", "hôm nay",
                        "", None, 20260115, "2026-02-30T00:00:00", "2026-01-15 09:00",
                        "2000-01-01T00:00:00", "2026-06-01T07:00:00"],
        "year": [2022, 2027, 2031, 1999, 2101, "2023", 2023.0, True, None, 10 ** 20],
        "kind": ["decisions", "x", None, ["year"]],
        "organisation_code": ["KHONG-CO", "", None, ["TANGIANG"], "tangiang"],
        "organisation_name": ["", None, "x" * 10_000, 1],
        "format_version": [1, 3, "2", None, 2.0],
        "files": [{}, [], None, "x"],
        "sender": [{}, None, "x", {"code": 1, "name": [], "signing_key": "", "box_key": 1}],
        "format": ["x", None],
        "program_version": [None, "99.0", 1],
    }[key]
    chosen = rng.choice(value)

    def edit(manifest):
        if chosen is None and rng.random() < 0.5:
            manifest.pop(key, None)
        else:
            manifest[key] = chosen
    return "manifest", pack(body, base, keys, edit=edit, sign=rng.random() < 0.85)


def _f_members(rng, base, keys):
    """Members added, missing, listed but absent, unlisted, named twice or oddly."""
    body = dump(base.data).encode()
    action = rng.randrange(7)
    if action == 0:
        return "members", pack(body, base, keys, extra=[(rng.choice(
            ["extra.txt", "../../x", "/etc/passwd", "data.json", "manifest.json",
             "evidence/" + "0" * 64 + ".pdf", "EVIDENCE/x.pdf"]), b"x")])
    if action == 1:       # an evidence member nothing refers to, listed
        content = b"%PDF-1.4\n%%EOF\n"
        name = f"evidence/{hashlib.sha256(content).hexdigest()}.pdf"
        return "members", pack(body, base, keys, members={**base.members, name: content})
    if action == 2 and base.members:      # an evidence member missing
        members = dict(base.members)
        del members[rng.choice(list(members))]
        return "members", pack(body, base, keys, members=members,
                               listed={"data.json": body, **base.members}
                               if rng.random() < 0.5 else None)
    if action == 3 and base.members:      # an evidence member's bytes changed
        members = dict(base.members)
        name = rng.choice(list(members))
        members[name] = members[name][: rng.randrange(len(members[name]))] + b"\x00"
        return "members", pack(body, base, keys, members=members,
                               listed=None if rng.random() < 0.5 else
                               {"data.json": body, **base.members})
    if action == 4:       # data.json listed with another size or checksum
        return "members", pack(body, base, keys, listed={"data.json": body + b" ",
                                                         **base.members})
    if action == 5:       # no data.json
        return "members", pack(b"", base, keys, extra=[], listed={**base.members})
    return "members", pack(body, base, keys, members={**base.members, "evidence/x.exe": b"MZ"})


def _f_bomb(rng, base, keys):
    """Small zips of large or deep data.json."""
    action = rng.randrange(6)
    if action == 0:     # over the size limit, compressing to almost nothing
        body = b" " * (17 * 1024 * 1024) + dump(base.data).encode()
    elif action == 1:   # under the limit, mostly white space
        body = dump(base.data).encode() + b" " * (15 * 1024 * 1024)
    elif action == 2:   # countless little objects
        body = b'{"x":[' + b",".join([b"{}"] * 300_000) + b"]}"
    elif action == 3:   # nesting too deep for a parser
        depth = rng.choice([1000, 10_000, 100_000])
        body = b"[" * depth + b"]" * depth
    elif action == 4:   # a long list of cells, one repeated
        data = copy.deepcopy(base.data)
        data["cells"] = Repeat(data["cells"][0], rng.choice([20_000, 100_001]))
        body = dump(data).encode()
    else:               # a long string
        data = copy.deepcopy(base.data)
        data["organisation"]["name"] = "x" * (12 * 1024 * 1024)
        body = dump(data).encode()
    return "bomb", pack(body, base, keys)


def _f_broken_zip(rng, base, keys):
    """A packet truncated, its bytes flipped, or not a zip at all."""
    content = bytearray(pack(dump(base.data).encode(), base, keys))
    action = rng.randrange(4)
    if action == 0:
        content = content[: rng.randrange(len(content))]
    elif action == 1:
        for _ in range(rng.randint(1, 50)):
            content[rng.randrange(len(content))] = rng.randrange(256)
    elif action == 2:
        content = bytearray(signing.SEALED_MAGIC + bytes(rng.randrange(256)
                                                         for _ in range(rng.randint(0, 200))))
    else:
        content = bytearray(rng.choice([b"", b"PK\x05\x06" + bytes(18), b"{}", b"%PDF-1.4"]))
    return "broken_zip", bytes(content)


FAMILIES: dict[str, tuple[int, Callable]] = {     # name: (weight, generator)
    "data": (14, _f_data),
    "several": (4, _f_several),
    "genuine": (1, _f_genuine),
    "manifest": (3, _f_manifest),
    "members": (2, _f_members),
    "bomb": (1, _f_bomb),
    "broken_zip": (2, _f_broken_zip),
}


def fuzz_case(seed: int, bases: dict[int, Base], keys, path: Path) -> tuple[str, int, Path]:
    """The hostile packet number ``seed``: (what was done, the year it started from, path)."""
    rng = random.Random(seed)
    year = rng.choice(sorted(bases))
    names = list(FAMILIES)
    family = rng.choices(names, weights=[FAMILIES[name][0] for name in names])[0]
    what, content = FAMILIES[family][1](rng, bases[year], keys)
    path.write_bytes(content)
    return what, year, path


# ------------------------------------------------------------------------- the command
def packet_import_command(data: Path, path: Path) -> tuple[int, str, str, int | None]:
    """The real ``packet import`` command on one packet."""
    from tests.hostile_files import run_command

    return run_command(["--data", str(data), "packet", "import", str(path)])


# ------------------------------------------------------------------------- judging
SENTENCE_BREAK = re.compile(r"[.!?]\s+(\w)")
QUOTED = re.compile(r"'[^']*'")


def refusal_problem(message: str) -> str | None:
    """What is wrong with a refusal's message (None if it is one Vietnamese sentence ending
    "không nhập gì.")."""
    if "Traceback" in message or "\n" in message.strip():
        return "nhiều dòng hoặc traceback"
    if not message.endswith("không nhập gì."):
        return "không kết thúc bằng 'không nhập gì.'"
    plain = QUOTED.sub("''", message)
    if any(match.group(1).isupper() for match in SENTENCE_BREAK.finditer(plain[:-1])):
        return "nhiều câu"
    if not any(char in plain for char in "ăâđêôơưĂÂĐÊÔƠƯ"):
        return "không phải tiếng Việt"
    return None


def finite(value) -> bool:
    return value is None or (isinstance(value, (int, float)) and math.isfinite(value))
