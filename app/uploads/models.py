"""Files uploaded by people, checked by content and size, stored outside the database."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import db, utcnow


class StoredFile(db.Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: the name the file had on the person's computer (shown, never used as a path)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    #: path relative to UPLOAD_DIR
    storage_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    #: MIME type detected from the content
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} Mo".replace(".", ",")
        return f"{max(1, round(self.size / 1024))} ko"
