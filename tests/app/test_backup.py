"""`flask backup` and `flask restore` round-trip the database and the uploads."""

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.backup import BackupError, _safe_member, archive_path, restore_backup
from app.db import db
from app.users.models import Role, User
from tests import factories


@pytest.fixture
def uploads(app):
    folder = Path(app.config["UPLOAD_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


@pytest.fixture
def needs_dump_tools(app):
    if db.engine.dialect.name == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("pg_dump and pg_restore are needed to back up PostgreSQL")


def _emails() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(User.email)))


def test_backup_then_restore_brings_back_the_database_and_the_uploads(
    app, org, uploads, tmp_path, needs_dump_tools
):
    factories.user(org, Role.ADMIN, email="agent@example.fr")
    kept = factories.user(org, Role.CITIZEN, email="habitant@example.fr")
    (uploads / "ab").mkdir()
    (uploads / "ab" / "compte-rendu.pdf").write_bytes(b"%PDF-1.7 original")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["backup", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (archive,) = tmp_path.glob("concerto-backup-*.tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["dialect"] == db.engine.dialect.name
    assert manifest["revision"] and "uploads/ab/compte-rendu.pdf" in manifest["files"]

    # life goes on: an account is deleted, another created, the file replaced, one added
    db.session.delete(db.session.get(User, kept.id))
    db.session.commit()
    factories.user(org, Role.CITIZEN, email="nouveau@example.fr")
    (uploads / "ab" / "compte-rendu.pdf").write_bytes(b"overwritten")
    (uploads / "later.txt").write_text("after the backup")

    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert "nouveau@example.fr" in _emails()

    restored = runner.invoke(args=["restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _emails() == {"agent@example.fr", "habitant@example.fr"}
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    assert (uploads / "ab" / "compte-rendu.pdf").read_bytes() == b"%PDF-1.7 original"
    assert not (uploads / "later.txt").exists()


def test_a_damaged_archive_is_refused_before_anything_is_touched(
    app, org, uploads, tmp_path, needs_dump_tools
):
    factories.user(org, Role.ADMIN, email="agent@example.fr")
    (uploads / "piece.pdf").write_bytes(b"%PDF original")
    archive = tmp_path / "snapshot.tar.gz"
    assert app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "uploads/piece.pdf":
                data = b"%PDF tampered"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    result = app.test_cli_runner().invoke(args=["restore", str(damaged), "--yes"])
    assert result.exit_code == 1 and "Checksum mismatch" in result.output
    assert (uploads / "piece.pdf").read_bytes() == b"%PDF original"
    assert "agent@example.fr" in _emails()


def test_an_archive_that_is_not_a_backup_is_refused(app, uploads, tmp_path):
    stray = tmp_path / "other.tar.gz"
    with tarfile.open(stray, "w:gz") as tar:
        note = tmp_path / "note.txt"
        note.write_text("hello")
        tar.add(note, "note.txt")
    with pytest.raises(BackupError, match="manifest"):
        restore_backup(stray, db.engine.url, uploads, overwrite=True)


@pytest.mark.parametrize(
    "name, safe",
    [
        ("uploads/ab/file.pdf", True),
        ("database/concerto.sqlite", True),
        ("../etc/passwd", False),
        ("uploads/../../x", False),
        ("/etc/passwd", False),
        ("", False),
    ],
)
def test_archive_members_never_point_outside_the_restore_folder(name, safe):
    assert _safe_member(name) is safe


def test_a_folder_target_gets_a_dated_file_name(tmp_path):
    from datetime import UTC, datetime

    now = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    assert archive_path(tmp_path, now).name == "concerto-backup-20260301T083000Z.tar.gz"
    assert archive_path(tmp_path / "x.tar.gz", now) == tmp_path / "x.tar.gz"
