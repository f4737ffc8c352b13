"""Which database the program opens: the ward's SQLite file (the default) or a shared server.

The city office runs the same program on PostgreSQL: ``--database-url
postgresql+psycopg://user:password@host/dbname`` on the command line, the environment variable
CHIBO4TOT_DATABASE_URL, or the URL saved from the window (``connection.json`` in the user's
application-data folder). ``--data FILE`` and ``--database-url`` exclude each other.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.files import write_bytes
from chibo4tot_desktop.paths import default_data_file, user_data_dir

DATABASE_URL_ENV = "CHIBO4TOT_DATABASE_URL"
CONNECTION_FILE = "connection.json"
SUPPORTED = ("postgresql+psycopg", "sqlite", "sqlite+pysqlite")


def check_database_url(url: str) -> str:
    """The URL cleaned and checked (``postgresql://`` means psycopg 3); ValidationError if bad."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = (url or "").strip()
    if not text:
        raise ValidationError("Chưa nhập địa chỉ cơ sở dữ liệu.", "database_url")
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise ValidationError(
            f"Địa chỉ cơ sở dữ liệu '{text}' không hợp lệ (ví dụ đúng: "
            "postgresql+psycopg://tên:mật-khẩu@máy-chủ:5432/tên-csdl).", "database_url") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in SUPPORTED:
        raise ValidationError(
            f"Chương trình chỉ dùng được PostgreSQL (postgresql+psycopg://...) hoặc SQLite, "
            f"không dùng được '{parsed.drivername}'.", "database_url")
    if parsed.drivername.startswith("postgresql") and not parsed.database:
        raise ValidationError("Địa chỉ cơ sở dữ liệu thiếu tên cơ sở dữ liệu (phần sau dấu /).",
                              "database_url")
    return parsed.render_as_string(hide_password=False)


def display_url(url: str) -> str:
    """The URL with its password hidden (for the status bar and messages)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(địa chỉ không hợp lệ)"


def _connection_file() -> Path:
    return user_data_dir() / CONNECTION_FILE


def saved_database_url() -> str | None:
    """The URL saved from the window, or None (use the SQLite file)."""
    try:
        data = json.loads(_connection_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = data.get("database_url") if isinstance(data, dict) else None
    return url if isinstance(url, str) and url.strip() else None


def save_database_url(url: str | None) -> str | None:
    """Save (or with None/"" forget) the URL (through the one file writer)."""
    checked = check_database_url(url) if url and url.strip() else None
    target = _connection_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(target, json.dumps({"database_url": checked}, ensure_ascii=False)
                .encode("utf-8"))
    return checked


def choose_target(data: str | os.PathLike | None = None,
                  database_url: str | None = None) -> str:
    """What to open: --database-url, else --data, else the environment, the saved URL, or
    the default data file."""
    if data and database_url:
        raise ValidationError("Không dùng --data cùng với --database-url; hãy chọn một.",
                              "database_url")
    if database_url:
        return check_database_url(database_url)
    if data:
        return str(data)
    from_env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if from_env:
        return check_database_url(from_env)
    saved = saved_database_url()
    if saved:
        return check_database_url(saved)
    return str(default_data_file())
