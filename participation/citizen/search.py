"""Full-text search of proposals: FTS5 on SQLite, French text search on PostgreSQL.

The search objects are made by hand in the migration (ead5741c15cf_participation):
- SQLite: the FTS5 table `participation_proposal_fts` (title, body_text; unicode61 with
  remove_diacritics 2, so "velo" finds "vélo" but there is no stemming), kept in step by
  triggers;
- PostgreSQL: the GIN index `ix_participation_proposal_search` on SEARCH_VECTOR below, with
  the French configuration (stemming: "vélos" finds "vélo").

What a person types is never passed as search syntax: it is cut into words, and on SQLite each
word becomes a quoted FTS5 string, so that `NEAR`, `*`, `"`, `-`, `OR`, `:` or parentheses are
plain text. On PostgreSQL, each word goes to plainto_tsquery as a bound parameter.

Every word of the query must be found, in the singular or the plural: the French stemmer keeps
the "s" after a vowel ("vélos" stays "vélos"), and SQLite does not stem at all, so each word is
also searched with its final "s" or "x" added or removed ("vélos" finds "vélo" and back).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.db import db
from participation.citizen.models import Proposal

#: at most this many words of a query are used, each cut to MAX_WORD_LENGTH characters
MAX_WORDS = 12
MAX_WORD_LENGTH = 60
_WORD = re.compile(r"\w+", re.UNICODE)

FTS_TABLE = "participation_proposal_fts"
#: the indexed expression on PostgreSQL; it must stay identical to the migration's index
SEARCH_VECTOR = (
    "to_tsvector('french', coalesce(participation_proposal.title, '') || ' ' || "
    "coalesce(participation_proposal.body_text, ''))"
)


def words(text: str | None) -> list[str]:
    """The words of a query, lower-cased, without punctuation or search operators."""
    found = [w[:MAX_WORD_LENGTH] for w in _WORD.findall((text or "").replace("_", " "))]
    return [w.lower() for w in found][:MAX_WORDS]


def variants(word: str) -> list[str]:
    """The word and its other number: with the final "s" or "x" removed, or an "s" added."""
    if len(word) <= 2:
        return [word]
    if len(word) > 3 and word[-1] in "sx":
        return [word, word[:-1]]
    return [word, word + "s"]


def _fts5_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def fts5_query(text: str | None) -> str | None:
    """An FTS5 MATCH expression finding rows holding every word, or None if no word.

    Each word is a double-quoted FTS5 string (its own quotes doubled, although words never
    hold any), so nothing the person typed is read as an operator or a column filter.
    """
    terms = words(text)
    if not terms:
        return None
    groups = []
    for term in terms:
        forms = [_fts5_string(form) for form in variants(term)]
        groups.append(forms[0] if len(forms) == 1 else "(" + " OR ".join(forms) + ")")
    return " AND ".join(groups)


def tsquery(text: str | None) -> tuple[str, dict[str, str]] | None:
    """A PostgreSQL tsquery expression with its bound parameters, or None if no word.

    (plainto_tsquery('french', :w0) || plainto_tsquery('french', :w0_1)) && (...): the
    parameter names are made here, the words are only ever bound values.
    """
    terms = words(text)
    if not terms:
        return None
    groups, values = [], {}
    for i, term in enumerate(terms):
        forms = []
        for j, form in enumerate(variants(term)):
            name = f"ts_{i}_{j}"
            values[name] = form
            forms.append(f"plainto_tsquery('french', :{name})")
        groups.append("(" + " || ".join(forms) + ")")
    return " && ".join(groups), values


def dialect_name() -> str:
    return db.session.get_bind().dialect.name


def matches(text: str | None, dialect: str | None = None) -> ColumnElement | None:
    """A WHERE clause keeping the proposals that match `text`; None when there is no word."""
    dialect = dialect or dialect_name()
    if dialect == "sqlite":
        query = fts5_query(text)
        if query is None:
            return None
        found = sa.select(sa.literal_column("rowid")).select_from(sa.table(FTS_TABLE))
        found = found.where(sa.text(f"{FTS_TABLE} MATCH :fts_query").bindparams(fts_query=query))
        return Proposal.id.in_(found)
    if dialect == "postgresql":
        built = tsquery(text)
        if built is None:
            return None
        expression, values = built
        # The matches are found first, through the GIN index, and only then filtered and
        # sorted: a CTE that stays materialised keeps the planner from walking the list in
        # date order and computing the vector of every row until it has a page.
        condition = sa.text(f"{SEARCH_VECTOR} @@ ({expression})").bindparams(**values)
        found = (
            sa.select(Proposal.id)
            .where(condition)
            .cte("search_matches")
            .prefix_with("MATERIALIZED")
        )
        return Proposal.id.in_(sa.select(found.c.id))
    terms = words(text)
    if not terms:
        return None
    # another database (not supported in production): every word in the title or the text
    clauses = [
        sa.or_(Proposal.title.ilike(f"%{term}%"), Proposal.body_text.ilike(f"%{term}%"))
        for term in terms
    ]
    return sa.and_(*clauses)
