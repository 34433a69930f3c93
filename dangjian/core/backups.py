"""Backup and restore of the whole database (issue 14, item 6), with the database's own tools.

SQLite: the online backup API (a consistent copy while the application runs). PostgreSQL: pg_dump's custom
format and pg_restore --clean in one transaction. Both keep ID numbers encrypted: a backup holds the same
ciphertext as the database (never `dumpdata`, whose JSON would hold them decrypted), so the field key
(DANGJIAN_FIELD_KEY) must be kept with, but apart from, the backups.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


def _pg_env(settings_dict) -> tuple[list[str], dict]:
    args = ["-h", settings_dict.get("HOST") or "127.0.0.1", "-p", str(settings_dict.get("PORT") or 5432),
            "-U", settings_dict.get("USER") or "postgres"]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def backup(path: str | Path, *, using: str = "default") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connections[using]
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        target = sqlite3.connect(path)
        try:
            conn.connection.backup(target)
        finally:
            target.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_env(conn.settings_dict)
        subprocess.run(["pg_dump", *args, "-Fc", "--no-owner", "--no-privileges", "-f", str(path),
                        conn.settings_dict["NAME"]], check=True, env=env, capture_output=True)
    else:
        raise NotImplementedError(conn.vendor)
    os.chmod(path, 0o600)  # personal data
    return path


def restore(path: str | Path, *, using: str = "default") -> None:
    """Replace the database's content with the backup (everything of the current content is lost)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    conn = connections[using]
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(conn.connection)
        finally:
            source.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_env(conn.settings_dict)
        conn.close()
        subprocess.run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                        "--single-transaction", "-d", conn.settings_dict["NAME"], str(path)],
                       check=True, env=env, capture_output=True)
    else:
        raise NotImplementedError(conn.vendor)
