"""The one-time tokens of submitted forms."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class SubmissionToken(Base):
    __tablename__ = "submission_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the hidden token of the form, one submission each
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: who submitted it: a token is only honoured for the same person
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: where the first submission led, shown again to a second copy
    result_url: Mapped[str] = mapped_column(sa.String(500))
    #: when: tokens are kept for a day
    created_at: Mapped[datetime] = mapped_column(index=True)
