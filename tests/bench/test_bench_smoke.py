"""A small-scale run of the benchmark, as CI does it: generate, serve under gunicorn, measure.

The full runs (metro scale, SQLite and PostgreSQL) are recorded in BENCHMARKS.md; this one only
proves that the generator and the benchmark work end to end, on a SQLite file of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from app.config import PROJECT_ROOT

pytestmark = [
    pytest.mark.slow,
    # it never uses the suite's database: run it once, in the SQLite run of CI, not again in
    # the PostgreSQL one (a minute saved)
    pytest.mark.skipif(
        bool(os.environ.get("TEST_DATABASE_URL")),
        reason="the smoke run uses a SQLite file of its own; it runs in the SQLite pass",
    ),
]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=150
    )


def test_small_scale_generation_and_benchmark_run_end_to_end(tmp_path):
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'bench.db'}",
        CONCERTO_INSTANCE=str(tmp_path / "instance"),
        PYTHONPATH=str(PROJECT_ROOT),
    )
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    upgrade = _run([*flask, "db", "upgrade"], env)
    assert upgrade.returncode == 0, upgrade.stderr
    generated = _run([*flask, "bench", "generate", "--scale", "small", "--seed", "7"], env)
    assert generated.returncode == 0, generated.stderr
    assert "participation_proposal" in generated.stdout and "total=" in generated.stdout

    report_file = tmp_path / "report.json"
    options = "--requests 3 --warmup 1 --clients 2 --throughput-requests 2 --workers 1"
    run = _run(
        [sys.executable, "-m", "bench", "run", *options.split(), "--export-repeat", "1"]
        + ["--json", str(report_file)],
        env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(report_file.read_text())
    results = {r["name"]: r for r in report["results"]}
    assert results["floor"]["queries"] == 0
    measured = [r for r in results.values() if not r["skipped"]]
    assert len(measured) >= 11
    assert all(r["status"] == 200 and not r["errors"] for r in measured), run.stdout
    assert all(r["queries"] > 0 for r in measured if r["name"] != "floor")
    assert results["commune_inbox"]["median_ratio"] > 0
    export = results["export_csv"]
    assert export["bytes"] > 10_000 and export["peak_rss_mb"] > 0 and export["ttfb_ms"] > 0
    assert "x floor" in run.stdout
