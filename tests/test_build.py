"""Packaging: build.spec lists what the built program needs (run with stand-ins for PyInstaller's
Analysis/EXE/COLLECT, so this is fast and needs no PyInstaller); --self-test passes from source
and fails loudly when a check fails. The real build is `bash scripts/build.sh` (not run in CI)."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from chibo4tot_desktop import selftest
from chibo4tot_desktop.cli import main

ROOT = Path(__file__).resolve().parent.parent


class _Recorder:
    calls: dict[str, list] = {}

    def __init__(self, kind):
        self.kind = kind

    def __call__(self, *args, **kwargs):
        result = types.SimpleNamespace(args=args, kwargs=kwargs, binaries=[], datas=[],
                                       pure=[], scripts=[])
        self.calls.setdefault(self.kind, []).append(result)
        return result


@pytest.fixture
def spec(monkeypatch):
    """Run build.spec as PyInstaller would, recording what it hands to Analysis and the rest."""
    _Recorder.calls = {}
    namespace = {"SPECPATH": str(ROOT), "__file__": str(ROOT / "build.spec")}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT"):
        namespace[kind] = _Recorder(kind)
    if "PyInstaller" not in sys.modules:  # CI has no PyInstaller: the pruning step needs it
        fake = types.ModuleType("PyInstaller.depend.bindepend")
        fake.get_imports = lambda filename, search_paths=None: set()
        for name in ("PyInstaller", "PyInstaller.depend"):
            monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
        monkeypatch.setitem(sys.modules, "PyInstaller.depend.bindepend", fake)
        sys.modules["PyInstaller.depend"].bindepend = fake
    code = compile((ROOT / "build.spec").read_text(encoding="utf-8"), "build.spec", "exec")
    exec(code, namespace)  # noqa: S102 - our own spec file
    return namespace, _Recorder.calls


def _bundled(datas) -> set[str]:
    """Every file the data list puts into the bundle, as 'dest/name' paths."""
    files = set()
    for source, dest in datas:
        source = Path(source)
        assert source.exists(), source
        if source.is_dir():
            files |= {f"{dest}/{path.relative_to(source).as_posix()}"
                      for path in source.rglob("*") if path.is_file()}
        else:
            files.add(f"{dest}/{source.name}")
    return files


def test_spec_bundles_resources_and_every_migration(spec):
    _namespace, calls = spec
    analysis = calls["Analysis"][0]
    files = _bundled(analysis.kwargs["datas"])
    for font in ("Regular", "Bold", "Italic", "BoldItalic"):
        assert f"resources/fonts/LiberationSerif-{font}.ttf" in files
    assert "resources/fonts/LICENSE-LiberationSerif.txt" in files
    assert "resources/qtbase_vi.qm" in files          # Qt's own words in Vietnamese
    assert "docx/templates/default.docx" in files          # the Word drafts' base document
    from chibo4tot_desktop import guide

    assert "resources/guide/index.json" in files
    for entry in guide.sections():
        assert f"resources/guide/{entry.id}.html" in files
        for picture in guide.references(entry.id)[1]:
            assert f"resources/guide/{picture}" in files
    wanted = _namespace["wanted_data"]
    assert wanted(("resources/guide/images/tab-chi-bo.png", "x", "DATA"))
    assert not wanted(("resources/guide/images/1920x1080/tab-chi-bo.png", "x", "DATA"))
    migrations = ROOT / "chibo4tot_desktop" / "db" / "migrations"
    assert "chibo4tot_desktop/db/migrations/env.py" in files
    assert "chibo4tot_desktop/db/migrations/script.py.mako" in files
    versions = sorted((migrations / "versions").glob("*.py"))
    assert versions
    for script in versions:
        assert f"chibo4tot_desktop/db/migrations/versions/{script.name}" in files
    assert analysis.args[0] == [str(ROOT / "chibo4tot_desktop" / "__main__.py")]


def test_spec_hidden_imports_cover_what_migrations_and_sqlalchemy_load(spec):
    namespace, calls = spec
    hidden = set(calls["Analysis"][0].kwargs["hiddenimports"])
    for name in ("sqlalchemy.dialects.sqlite", "alembic.command", "alembic.runtime.migration",
                 "alembic.ddl.sqlite", "alembic.op", "alembic.context", "logging.config",
                 "mako.template", "_rl_accel", "defusedxml.ElementTree",
                 "PySide6.QtPrintSupport",
                 # what env.py and the version scripts import
                 "chibo4tot_desktop.db.models", "sqlalchemy",
                 # windows opened lazily are still in the bundle
                 "chibo4tot_desktop.ui.app", "chibo4tot_desktop.selftest"):
        assert name in hidden, name
    migrations = ROOT / "chibo4tot_desktop" / "db" / "migrations"
    for script in [migrations / "env.py", *migrations.glob("versions/*.py")]:
        for module in namespace["imported_modules"](script):
            if namespace["is_module"](module):
                assert module in hidden, (script.name, module)


def test_spec_leaves_unused_qt_and_tools_out_and_makes_two_programs(spec):
    namespace, calls = spec
    excludes = set(calls["Analysis"][0].kwargs["excludes"])
    for module in ("PySide6.QtWebEngineCore", "PySide6.Qt3DCore", "PySide6.QtQuick",
                   "PySide6.QtQml", "PySide6.QtMultimedia", "PySide6.QtCharts",
                   "PySide6.QtNetwork", "tkinter", "pytest", "hypothesis"):
        assert module in excludes, module
    for used in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets",
                 "PySide6.QtPrintSupport", "sqlalchemy", "alembic", "openpyxl", "reportlab",
                 "defusedxml", "PIL", "docx", "lxml"):
        assert used not in excludes, used
    assert not any(name.startswith(used + ".") for name in excludes
                   for used in ("alembic.ddl", "alembic.runtime", "sqlalchemy.dialects"))
    names = {call.kwargs["name"]: call.kwargs["console"] for call in calls["EXE"]}
    assert names == {"chibo4tot-desktop": False, "chibo4tot-cli": True}
    assert calls["COLLECT"][0].kwargs["name"] == "chibo4tot-desktop"
    # the filters drop Quick/QML/WebEngine libraries and foreign Qt translations, keep Widgets
    wanted_binary, wanted_data = namespace["wanted_binary"], namespace["wanted_data"]
    assert not wanted_binary(("PySide6/Qt/lib/libQt6Quick.so.6", "x", "BINARY"))
    assert not wanted_binary(("PySide6\\Qt6Qml.dll", "x", "BINARY"))
    assert wanted_binary(("PySide6/Qt/lib/libQt6Widgets.so.6", "x", "BINARY"))
    assert wanted_binary(("PySide6/Qt/plugins/platforms/libqxcb.so", "x", "BINARY"))
    assert wanted_binary(("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "x", "B"))
    assert not wanted_data(("PySide6/Qt/translations/qtbase_de.qm", "x", "DATA"))
    assert wanted_data(("PySide6/Qt/translations/qtbase_vi.qm", "x", "DATA"))


def test_self_test_from_source_passes(capsys):
    assert main(["--self-test"]) == 0
    lines = capsys.readouterr().out.splitlines()
    passed = [line for line in lines if line.startswith("[ĐẠT]")]
    assert len(passed) == len(selftest.CHECKS)
    assert not [line for line in lines if line.startswith("[LỖI]")]
    assert lines[-1] == f"Tự kiểm tra đạt: {len(selftest.CHECKS)}/{len(selftest.CHECKS)} mục."
    for label in ("Cơ sở dữ liệu", "Excel", "PDF", "defusedxml"):
        assert any(line.startswith(f"[ĐẠT] {label}:") for line in passed), label


def test_self_test_as_a_process_exits_zero(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "CHIBO4TOT_DATA_DIR": str(tmp_path / "appdata")}
    result = subprocess.run([sys.executable, "-m", "chibo4tot_desktop", "--self-test"],
                            cwd=tmp_path, env=env, capture_output=True, timeout=120)
    output = result.stdout.decode("utf-8")
    assert result.returncode == 0, output + result.stderr.decode("utf-8", "replace")
    assert "Tự kiểm tra đạt" in output
    assert not (tmp_path / "appdata").exists()  # the self-test never touches the user's data
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_self_test_reports_a_failed_check_and_exits_one(capsys):
    def broken(_folder):
        raise selftest.CheckFailed("thiếu phông chữ đi kèm: X.ttf")

    def crashing(_folder):
        raise ModuleNotFoundError("No module named 'alembic.ddl'")

    checks = [("PDF", broken), ("Cơ sở dữ liệu", crashing), ("Excel", selftest.check_excel)]
    assert selftest.run_self_test(checks) == 1
    out = capsys.readouterr().out
    assert "[LỖI] PDF: thiếu phông chữ đi kèm: X.ttf" in out
    assert "[LỖI] Cơ sở dữ liệu: ModuleNotFoundError: No module named 'alembic.ddl'" in out
    assert "[ĐẠT] Excel:" in out
    assert "Tự kiểm tra KHÔNG đạt: 2/3 mục lỗi." in out


def test_defusedxml_check_fails_when_openpyxl_does_not_use_it(monkeypatch, tmp_path):
    import openpyxl

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(selftest.CheckFailed, match="defusedxml"):
        selftest.check_defusedxml(tmp_path)


def test_pdf_check_fails_without_the_bundled_font(monkeypatch, tmp_path):
    from chibo4tot_desktop import paths

    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path / "nowhere")
    with pytest.raises(selftest.CheckFailed, match="thiếu phông chữ đi kèm"):
        selftest.check_pdf(tmp_path)


def test_data_folder_check_refuses_a_data_file_beside_the_frozen_program(monkeypatch, tmp_path):
    program = tmp_path / "dist" / "chibo4tot-desktop"
    program.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program / "chibo4tot-cli"))
    monkeypatch.setenv("CHIBO4TOT_DATA_DIR", str(program / "data"))
    with pytest.raises(selftest.CheckFailed, match="nằm trong thư mục chương trình"):
        selftest.check_data_folder(tmp_path)
    monkeypatch.setenv("CHIBO4TOT_DATA_DIR", str(tmp_path / "appdata"))
    assert "thư mục của người dùng" in selftest.check_data_folder(tmp_path)


@pytest.mark.parametrize("platform, env, expected", [
    ("win32", {"APPDATA": r"C:\Users\an\AppData\Roaming"},
     Path(r"C:\Users\an\AppData\Roaming") / "Chibo4tot" / "chibo4tot.sqlite3"),
    ("linux", {"XDG_DATA_HOME": "/home/an/.local/share"},
     Path("/home/an/.local/share/chibo4tot-desktop/chibo4tot.sqlite3")),
])
def test_default_data_file_is_in_the_users_folder_not_beside_the_program(
        monkeypatch, platform, env, expected):
    from chibo4tot_desktop import paths

    monkeypatch.delenv("CHIBO4TOT_DATA_DIR", raising=False)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "executable", "/opt/chibo4tot-desktop/chibo4tot-desktop")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert paths.default_data_file() == expected
