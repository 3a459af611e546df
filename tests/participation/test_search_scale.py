"""The proposals list of a consultation stays fast at 100,000 contributions.

100,000 proposals are inserted in bulk into one consultation; every kind of page (newest, most
supported, by theme, by commune, searched, far in the list, the EPCI's list with hidden ones)
must take a bounded number of queries, stay under a time budget and use the indexes (EXPLAIN).
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, text

from app.db import db, utcnow
from app.users.models import Role
from participation.citizen import queries
from participation.citizen.models import ContentStatus, Proposal
from tests import factories

pytestmark = pytest.mark.slow

N = 100_000
CHUNK = 5_000
THEMES = ("Mobilités", "Environnement", "Solidarités", "Cadre de vie")
#: a word found in RARE proposals only, and one found in about one in a hundred
RARE_WORD, RARE = "héronnière", 40
COMMON_WORD = "passerelles"
SUBJECTS = [
    "une piste cyclable",
    "des bancs",
    "un jardin partagé",
    "des arbres",
    "un parking vélo",
    "une aire de jeux",
    "des toilettes publiques",
    "un éclairage plus doux",
    "un marché de producteurs",
    "une navette",
]
PLACES = ["près de la gare", "le long de la rivière", "au centre-ville", "devant l'école"]
WORDS = (
    "quartier habitants enfants sécurité promenade rivière berges commerce école gare "
    "nature ombre été hiver bus tramway covoiturage jeunes aînés accessibilité propreté"
).split()


def _budget() -> float:
    """Seconds allowed for one page: 1.5 s on SQLite, more on a shared PostgreSQL server."""
    return 1.5 if db.engine.dialect.name == "sqlite" else 3.0


def _rows(consultation, author, communes):
    rng = random.Random(20260501)
    start = utcnow() - timedelta(days=30)
    themes = [t.id for t in consultation.themes]
    for i in range(N):
        subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
        words = rng.sample(WORDS, 8)
        if i % 100 == 7:
            words.append(COMMON_WORD)
        if i % (N // RARE) == 3:
            words.append(RARE_WORD)
        body = f"Je propose {subject} {place}. " + " ".join(words) + "."
        roll = rng.random()
        status = (
            ContentStatus.PENDING
            if roll < 0.03
            else (ContentStatus.HIDDEN if roll < 0.05 else ContentStatus.PUBLISHED)
        )
        moment = start + timedelta(seconds=25 * i)
        yield {
            "consultation_id": consultation.id,
            "author_id": author.id,
            "show_name": False,
            "theme_id": rng.choice(themes),
            "commune_id": rng.choice(communes),
            "title": f"{subject.capitalize()} {place} (n° {i})",
            "body": f"<p>{body}</p>",
            "body_text": body,
            "status": status.value,
            "support_count": int(rng.paretovariate(1.5)) - 1,
            "feedback": "",
            "created_at": moment,
            "updated_at": moment,
        }


def _insert(consultation, author, communes) -> float:
    rows = list(_rows(consultation, author, communes))
    began = time.perf_counter()
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            db.session.execute(insert(Proposal.__table__), chunk)
            chunk = []
    if chunk:
        db.session.execute(insert(Proposal.__table__), chunk)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE participation_proposal"))
        db.session.commit()
    return time.perf_counter() - began


class Recorder:
    """Statements and their parameters, to count them and explain them afterwards."""

    def __init__(self):
        self.calls: list[tuple[str, object]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.calls.append((statement, parameters))

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def _plan(statement: str, parameters) -> str:
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[-1]) for row in rows)
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    return "\n".join(str(row[0]) for row in rows)


def _check_plan(plan: str, searched: bool, counting: bool) -> None:
    if db.engine.dialect.name == "sqlite":
        # every access to the proposals goes through an index (or the FTS table)
        assert "SCAN participation_proposal\n" not in plan + "\n", plan
        if searched:
            assert "participation_proposal_fts VIRTUAL TABLE INDEX" in plan, plan
        else:
            assert "USING INDEX ix_participation_proposal" in plan or (
                "USING COVERING INDEX ix_participation_proposal" in plan
            ), plan
    elif searched:
        # the GIN index of the French text-search vector
        assert "ix_participation_proposal_search" in plan, plan
        assert "Bitmap Index Scan" in plan or "Index Scan" in plan, plan
    elif not counting:
        # a page of rows in order comes from an index; counting 95% of the table may scan it
        assert "Index Scan" in plan or "Bitmap Index Scan" in plan, plan


def test_list_pages_stay_fast_at_100000_proposals(org, capsys):
    consultation = factories.consultation(org, themes=THEMES)
    author = factories.user(org, Role.CITIZEN)
    communes = [c.id for c in org.communes]
    inserted = _insert(consultation, author, communes)
    theme = consultation.themes[0]
    cases = {
        "newest": ({}, False),
        "supported": ({"sort": "supported"}, False),
        "theme": ({"theme_id": theme.id}, False),
        "commune": ({"commune_id": communes[0], "sort": "supported"}, False),
        "far page": ({"page": 200}, False),
        "search rare": ({"search": RARE_WORD}, True),
        "search common": ({"search": COMMON_WORD.upper(), "sort": "supported"}, True),
        "search and theme": ({"search": "piste cyclable", "theme_id": theme.id}, True),
        "admin, every status": ({"include_hidden": True}, False),
    }
    timings = {}
    for name, (kwargs, searched) in cases.items():
        db.session.expire_all()
        assert consultation.id  # loaded again before counting
        with Recorder() as recorder:
            began = time.perf_counter()
            page = queries.proposals_page(consultation, **kwargs)
            elapsed = time.perf_counter() - began
        timings[name] = elapsed
        assert len(recorder.calls) <= 3, (name, [s[:80] for s, _p in recorder.calls])
        assert elapsed < _budget(), (name, elapsed)
        assert page.items, name
        if name != "admin, every status":
            assert all(p.status is ContentStatus.PUBLISHED for p in page.items)
        # the count and the page are explained; the comments count is on 20 ids
        for n, (statement, parameters) in enumerate(recorder.calls[:2]):
            plan = _plan(statement, parameters)
            # the EPCI's list mixes every status: PostgreSQL may rightly sort the whole
            # consultation (still in budget); SQLite goes through an index
            counting = n == 0 or name == "admin, every status"
            _check_plan(plan, searched, counting=counting)
        if name == "search rare":
            assert 0 < page.total <= RARE
            assert all(RARE_WORD in p.body_text for p in page.items)
        if kwargs.get("sort") == "supported":
            counts = [p.support_count for p in page.items]
            assert counts == sorted(counts, reverse=True)
        elif name == "newest":
            dates = [p.created_at for p in page.items]
            assert dates == sorted(dates, reverse=True)
            assert page.total > 0.9 * N
    with capsys.disabled():
        print(f"\n[{db.engine.dialect.name}] {N} proposals inserted in {inserted:.1f} s")
        for name, elapsed in timings.items():
            print(f"  {name:<22} {elapsed * 1000:7.1f} ms")
