"""The benchmark's pure pieces, the generator's determinism, and its aids switched on or off."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from app import create_app
from app.db import db
from app.organisations.models import Organisation
from bench.activity import _shares
from bench.generate import generate
from bench.run import markdown, percentile, verdict
from bench.scales import SCALES
from participation.citizen.models import Proposal, PublicConsultation


def _result(**values) -> dict:
    base = {
        "name": "page",
        "status": 200,
        "errors": [],
        "skipped": "",
        "median_ms": 30.0,
        "p95_ms": 50.0,
        "median_ratio": 3.0,
        "p95_ratio": 5.0,
        "throughput_rps": 10.0,
        "queries": 6,
        "peak_rss_mb": None,
        "rss_before_mb": None,
        "ttfb_ms": None,
        "bytes": None,
    }
    base.update(values)
    return base


def test_percentile_takes_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0 or percentile(values, 0.5) == 51.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0


def test_a_page_meets_its_target_at_three_times_the_floor_median_and_five_times_its_p95():
    assert verdict(_result()) == "ok"
    assert verdict(_result(median_ratio=3.1)) == "MISSED"
    assert verdict(_result(p95_ratio=5.1)) == "MISSED"
    assert verdict(_result(status=500, errors=["HTTP 500"])) == "ERROR"
    assert verdict(_result(skipped="no such route")) == "skipped"


def test_the_export_meets_its_target_under_150_mb_and_a_first_byte_within_a_second():
    export = {"peak_rss_mb": 140.0, "rss_before_mb": 130.0, "ttfb_ms": 50.0, "bytes": 10}
    assert verdict(_result(name="export", **export)) == "ok"
    assert verdict(_result(name="export", **{**export, "peak_rss_mb": 151.0})) == "MISSED"
    assert verdict(_result(name="export", **{**export, "ttfb_ms": 1200.0})) == "MISSED"


def test_reports_are_put_side_by_side_in_markdown():
    floor = _result(name="floor", median_ratio=None, p95_ratio=None, queries=0)
    sqlite = {"database": "sqlite", "results": [floor, _result()]}
    postgres = {"database": "postgresql", "results": [floor, _result(median_ratio=4.0)]}
    table = markdown([sqlite, postgres])
    assert table.splitlines()[0] == "| page | sqlite | postgresql |"
    assert "**3.0× / 5.0×**" in table and "(ok)" in table and "(MISSED)" in table


def test_shares_split_a_total_in_decreasing_parts_that_add_up():
    assert _shares(100_000, 3) == sorted(_shares(100_000, 3), reverse=True)
    assert sum(_shares(100_000, 3)) == 100_000
    assert _shares(10, 1) == [10]


def _content(siren: str) -> tuple[list, list]:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.siren == siren))
    proposals = db.session.execute(
        sa.select(Proposal.title, Proposal.support_count, Proposal.status)
        .join(PublicConsultation)
        .where(PublicConsultation.organisation_id == org.id)
        .order_by(Proposal.id)
    ).all()
    consultations = db.session.scalars(
        sa.select(PublicConsultation.title).where(PublicConsultation.organisation_id == org.id)
    ).all()
    return [tuple(p) for p in proposals], list(consultations)


def test_the_same_seed_generates_the_same_activity():
    tiny = replace(
        SCALES["small"], saisines=2, meetings=3, proposals=40, supports=60, comments=5,
        citizens=8, applications=4, associations=4, jurors=2,
    )  # fmt: skip
    # two EPCIs of ten communes each: the same draws, whatever their identifiers
    generate(replace(tiny, sirens=("200006930",)), seed=11, echo=lambda _l: None)
    generate(replace(tiny, sirens=("200033116",)), seed=11, echo=lambda _l: None)
    first, second = _content("200006930"), _content("200033116")
    assert first == second and len(first[0]) == 40
    assert sum(count for _t, count, _s in first[0]) == 60


def test_the_floor_and_the_query_count_exist_only_with_the_bench_setting(app, client, tmp_path):
    assert client.get("/_bench/floor").status_code == 404
    assert "X-Query-Count" not in client.get("/healthz").headers

    bench_app = create_app(
        {
            **{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")},
            "INSTANCE_PATH": str(tmp_path),
            "TESTING": True,
            "BENCH_INSTRUMENTATION": True,
        }
    )
    bench_client = bench_app.test_client()
    floor = bench_client.get("/_bench/floor")
    assert floor.status_code == 200 and "<h1>" in floor.text
    assert floor.headers["X-Query-Count"] == "0"
    assert int(floor.headers["X-Worker-RSS-KB"]) > 0
    assert int(bench_client.get("/healthz").headers["X-Query-Count"]) >= 1
