"""Measuring aids, switched on only by the BENCH_INSTRUMENTATION setting (CONCERTO_BENCH=1).

- `X-Query-Count`: the number of SQL statements the request ran before its headers were sent
  (for a streamed response, the queries run while streaming come after and are not counted);
- `X-Worker-RSS-KB`: the worker's resident memory when the headers were sent;
- `/_bench/floor`: the floor of the benchmark, the base layout rendered with no SQL query.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, g, has_app_context, render_template
from sqlalchemy import event

from app.db import db

bp = Blueprint("bench", __name__, url_prefix="/_bench")
FLOOR_ENDPOINT = "bench.floor"


@bp.get("/floor")
def floor():
    return render_template("bench/floor.html")


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context():
        g.bench_queries = g.get("bench_queries", 0) + 1


def rss_kb() -> int:
    """The resident memory of this process (Linux /proc), in KiB; 0 where unavailable."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_kb() -> int:
    """The highest resident memory of this process so far (VmHWM), in KiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def init_app(app: Flask) -> None:
    from app.web import ORGANISATION_FREE_ENDPOINTS

    ORGANISATION_FREE_ENDPOINTS.add(FLOOR_ENDPOINT)
    app.register_blueprint(bp)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count)

    @app.after_request
    def query_count_header(response):
        response.headers["X-Query-Count"] = str(g.get("bench_queries", 0))
        response.headers["X-Worker-RSS-KB"] = str(rss_kb())
        response.headers["X-Worker-PID"] = str(os.getpid())
        return response
