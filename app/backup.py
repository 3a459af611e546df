"""`flask backup` and `flask restore`: one archive holding the database and the uploads.

The archive (tar.gz) holds `manifest.json` (format, date, database kind, Alembic revision, the
SHA-256 of every other member), `database/concerto.sqlite` (a consistent copy made with SQLite's
online backup API) or `database/concerto.pgdump` (pg_dump's custom format, itself a consistent
snapshot), and `uploads/...`. Restoring checks the manifest and every checksum first, refuses to
overwrite a database or an upload folder that holds anything unless told `--yes`, and never
writes outside the upload folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3

# pg_dump and pg_restore are run with argument lists, never through a shell
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from app.db import db

FORMAT = "concerto-backup/1"
SQLITE_MEMBER = "database/concerto.sqlite"
PGDUMP_MEMBER = "database/concerto.pgdump"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why."""


@dataclass
class Manifest:
    created_at: str
    dialect: str
    revision: str | None
    database: str
    files: dict[str, str]

    def as_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2, sort_keys=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive_path(target: Path, now: datetime) -> Path:
    """A folder gets a dated file name inside it; anything else is the file itself."""
    if target.is_dir() or str(target).endswith(os.sep):
        return target / f"concerto-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    return target


def _pg_command(program: str, url: URL) -> tuple[list[str], dict[str, str]]:
    """Arguments for a PostgreSQL client; the password goes through the environment."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed: install the PostgreSQL client tools.")
    args = [program, "--no-password"]
    for flag, value in (("-h", url.host), ("-p", url.port), ("-U", url.username)):
        if value:
            args += [flag, str(value)]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _dump_database(url: URL, into: Path) -> str:
    if url.get_backend_name() == "sqlite":
        target = into / SQLITE_MEMBER
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER
    if url.get_backend_name() == "postgresql":
        args, env = _pg_command("pg_dump", url)
        target = into / PGDUMP_MEMBER
        args += ["--format=custom", "--no-owner", "--no-privileges", "-f", str(target)]
        _run(args + [str(url.database)], env)
        return PGDUMP_MEMBER
    raise BackupError(f"Unsupported database: {url.get_backend_name()}.")


def _run(args: list[str], env: dict[str, str]) -> None:
    # args[0] is pg_dump or pg_restore; the rest come from the configured database URL
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()}")


def _revision() -> str | None:
    try:
        return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        db.session.rollback()
        return None


def write_backup(target: Path, url: URL, uploads: Path, now: datetime | None = None) -> Path:
    """Write the archive and return its path."""
    now = now or datetime.now(UTC)
    path = archive_path(target, now)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="concerto-backup-") as tmp:
        staging = Path(tmp)
        (staging / "database").mkdir()
        member = _dump_database(url, staging)
        files = {member: _sha256(staging / member)}
        upload_files = (
            sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.is_dir() else []
        )
        for file in upload_files:
            files["uploads/" + file.relative_to(uploads).as_posix()] = _sha256(file)
        manifest = Manifest(now.isoformat(), url.get_backend_name(), _revision(), member, files)
        (staging / "manifest.json").write_text(manifest.as_json())
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(staging / "manifest.json", "manifest.json")
            archive.add(staging / member, member)
            for file in upload_files:
                archive.add(file, "uploads/" + file.relative_to(uploads).as_posix())
        partial.replace(path)
    return path


def _safe_member(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        data = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
    except (KeyError, json.JSONDecodeError, AttributeError) as exc:
        raise BackupError("This archive has no readable manifest.json.") from exc
    if data.pop("format", None) != FORMAT:
        raise BackupError(f"This archive is not a Concerto backup ({FORMAT}).")
    return Manifest(**data)


def _extract_checked(archive_file: Path, into: Path) -> Manifest:
    with tarfile.open(archive_file, "r:gz") as archive:
        manifest = read_manifest(archive)
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
        for name, expected in manifest.files.items():
            if not _safe_member(name) or name not in members:
                raise BackupError(f"Missing or unsafe member in the archive: {name}")
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(members[name]) as source, target.open("wb") as out:  # type: ignore[union-attr]
                shutil.copyfileobj(source, out)
            if _sha256(target) != expected:
                raise BackupError(f"Checksum mismatch for {name}: the archive is damaged.")
    return manifest


def _database_has_data(url: URL) -> bool:
    inspector = sa.inspect(db.engine)
    tables = [t for t in inspector.get_table_names() if t != "alembic_version"]
    with db.engine.connect() as connection:
        for table in tables:
            quoted = db.engine.dialect.identifier_preparer.quote(table)
            # table names come from the database's own catalogue, quoted by the dialect
            probe = sa.text(f"SELECT 1 FROM {quoted} LIMIT 1")  # nosec B608
            if connection.execute(probe).first():
                return True
    return False


def _restore_database(url: URL, manifest: Manifest, staging: Path) -> None:
    if manifest.dialect != url.get_backend_name():
        raise BackupError(
            f"This backup comes from {manifest.dialect} and the database is "
            f"{url.get_backend_name()}: restore it into the same kind of database."
        )
    db.session.remove()
    db.engine.dispose()
    if manifest.dialect == "sqlite":
        source = sqlite3.connect(staging / SQLITE_MEMBER)
        target = sqlite3.connect(url.database)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    args, env = _pg_command("pg_restore", url)
    args += ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    _run(args + ["-d", str(url.database), str(staging / PGDUMP_MEMBER)], env)


def _restore_uploads(staging: Path, uploads: Path) -> None:
    uploads.mkdir(parents=True, exist_ok=True)
    for old in list(uploads.iterdir()):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    restored = staging / "uploads"
    if restored.is_dir():
        for item in restored.iterdir():
            shutil.move(str(item), uploads / item.name)


def restore_backup(archive_file: Path, url: URL, uploads: Path, overwrite: bool) -> Manifest:
    if not archive_file.is_file():
        raise BackupError(f"No such archive: {archive_file}")
    with tempfile.TemporaryDirectory(prefix="concerto-restore-") as tmp:
        staging = Path(tmp)
        manifest = _extract_checked(archive_file, staging)
        occupied = _database_has_data(url) or (uploads.is_dir() and any(uploads.iterdir()))
        if occupied and not overwrite:
            raise BackupError(
                "The database or the upload folder already holds data: restoring would "
                "replace it. Run again with --yes to overwrite."
            )
        _restore_database(url, manifest, staging)
        _restore_uploads(staging, uploads)
    return manifest


def _current_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


@click.command("backup")
@click.argument("target", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a snapshot of the database and the uploads into TARGET (a folder or a file)."""
    try:
        path = write_backup(target, _current_url(), Path(current_app.config["UPLOAD_DIR"]))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written: {path}")


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the data that is there now.")
@with_appcontext
def restore_command(archive: Path, yes: bool) -> None:
    """Bring back the database and the uploads from ARCHIVE (written by `backup`)."""
    uploads = Path(current_app.config["UPLOAD_DIR"])
    try:
        manifest = restore_backup(archive, _current_url(), uploads, overwrite=yes)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    count = sum(1 for name in manifest.files if name.startswith("uploads/"))
    click.echo(
        f"Restored the {manifest.dialect} database of {manifest.created_at} "
        f"(revision {manifest.revision}) and {count} uploaded files."
    )
