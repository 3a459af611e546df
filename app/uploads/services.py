"""Checking and storing uploads: the type is read from the content, never from the name."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from pathlib import Path

import filetype
from flask import current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from app.db import db
from app.uploads.models import StoredFile

# kind -> (extension detected from the content, MIME type)
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_NEW_FILES = "concerto_new_upload_paths"


@event.listens_for(Session, "after_commit")
def _keep_new_files(session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_rollback")
def _remove_new_files(session) -> None:
    """A file written for a transaction that is rolled back would be an orphan: remove it."""
    for path in session.info.pop(_NEW_FILES, []):
        Path(path).unlink(missing_ok=True)


class UploadError(Exception):
    """The file was refused; `code` is "empty", "too_large" or "type"."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def detect(head: bytes) -> str | None:
    """The extension of the document type read from the first bytes, if accepted."""
    kind = filetype.guess(head)
    if kind is None or kind.extension not in DOCUMENT_TYPES:
        return None
    return kind.extension


def safe_name(name: str) -> str:
    """The name shown and offered on download: no folders, no control characters."""
    name = unicodedata.normalize("NFC", os.path.basename(name or "").replace("\\", "/"))
    name = name.rsplit("/", 1)[-1]
    # line breaks, NUL, bidirectional overrides: nothing that could split a header or mislead
    name = "".join(" " if unicodedata.category(c).startswith("C") else c for c in name)
    name = " ".join(name.split())[:200].strip()
    return "document" if not name.strip(".") else name


def store(
    upload: FileStorage,
    organisation_id: int,
    uploaded_by_id: int | None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allowed: frozenset[str] | None = None,
) -> StoredFile:
    """Check the upload (content type and size) and keep it under UPLOAD_DIR."""
    data = upload.read(max_bytes + 1)
    if not data:
        raise UploadError("empty")
    if len(data) > max_bytes:
        raise UploadError("too_large", max_mb=max_bytes // (1024 * 1024))
    extension = detect(data[:8192])
    if extension is None or (allowed is not None and extension not in allowed):
        raise UploadError("type")
    key = f"{organisation_id}/{secrets.token_hex(16)}.{extension}"
    path = Path(current_app.config["UPLOAD_DIR"]) / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    db.session.info.setdefault(_NEW_FILES, []).append(path)
    stored = StoredFile(
        organisation_id=organisation_id,
        original_name=safe_name(upload.filename or ""),
        storage_key=key,
        content_type=DOCUMENT_TYPES[extension],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=uploaded_by_id,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def send(stored: StoredFile, inline: bool = False):
    path = Path(current_app.config["UPLOAD_DIR"]) / stored.storage_key
    return send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=not inline,
        download_name=stored.original_name,
        max_age=0,
    )
