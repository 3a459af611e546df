"""The benchmark: gunicorn on loopback, each page measured against the floor in the same run."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.generate import PASSWORD
from bench.targets import Page

FLOOR = Page("floor", "/_bench/floor")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: targets of issue 10, as ratios to the floor measured in the same run
MEDIAN_TARGET, P95_TARGET = 3.0, 5.0
EXPORT_MEMORY_TARGET_MB, EXPORT_TTFB_TARGET_S = 150.0, 1.0


@dataclass
class Measure:
    name: str
    path: str
    status: int = 0
    requests: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    throughput_rps: float = 0.0
    queries: int | None = None
    median_ratio: float | None = None
    p95_ratio: float | None = None
    #: the floor measured alongside this page (paired requests)
    floor_median_ms: float | None = None
    floor_p95_ms: float | None = None
    ttfb_ms: float | None = None
    peak_rss_mb: float | None = None
    rss_before_mb: float | None = None
    bytes: int | None = None
    skipped: str = ""
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One HTTP client with its own cookies (a session), a new connection per request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        all_headers = {"Host": "localhost", "Accept-Language": "fr"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return conn, response

    def get(self, path: str) -> tuple[int, dict, bytes, float]:
        started = time.perf_counter()
        conn, response = self.request("GET", path)
        data = response.read()
        elapsed = time.perf_counter() - started
        conn.close()
        return response.status, dict(response.getheaders()), data, elapsed

    def login(self, email: str) -> None:
        status, _headers, body, _t = self.get("/login")
        match = CSRF_RE.search(body.decode("utf-8", "replace"))
        if status != 200 or not match:
            raise RuntimeError(f"login page: HTTP {status}")
        form = urllib.parse.urlencode(
            {"email": email, "password": PASSWORD, "csrf_token": match.group(1)}
        ).encode()
        conn, response = self.request(
            "POST",
            "/login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response.read()
        conn.close()
        if response.status != 302:
            raise RuntimeError(f"login of {email} failed: HTTP {response.status}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure_latency(
    client: Client, page: Page, warmup: int, count: int, floor: Client | None = None
) -> Measure:
    """Median and 95th percentile of `count` requests; with a floor client, each request of the
    page is paired with one of the floor, so that both meet the same load on a shared machine
    and the ratios compare like with like."""
    result = Measure(page.name, page.path)
    for _ in range(warmup):
        client.get(page.path)
        if floor is not None:
            floor.get(FLOOR.path)
    times, floor_times, queries = [], [], []
    for _ in range(count):
        if floor is not None:
            floor_times.append(floor.get(FLOOR.path)[3] * 1000)
        status, headers, _body, elapsed = client.get(page.path)
        result.status = status
        if status != 200:
            result.errors.append(f"HTTP {status}")
            break
        times.append(elapsed * 1000)
        if "X-Query-Count" in headers:
            queries.append(int(headers["X-Query-Count"]))
    if times:
        result.requests = len(times)
        result.median_ms = statistics.median(times)
        result.p95_ms = percentile(times, 0.95)
    if times and floor_times:
        result.floor_median_ms = statistics.median(floor_times)
        result.floor_p95_ms = percentile(floor_times, 0.95)
        result.median_ratio = result.median_ms / result.floor_median_ms
        result.p95_ratio = result.p95_ms / result.floor_p95_ms
    result.queries = max(queries) if queries else None
    return result


def measure_throughput(clients: list[Client], page: Page, per_client: int) -> float:
    """Requests per second with len(clients) threads each making `per_client` requests."""
    done = []

    def work(client: Client) -> None:
        for _ in range(per_client):
            client.get(page.path)
            done.append(1)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(done) / (time.perf_counter() - started)


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure_export(client: Client, page: Page, repeat: int) -> Measure:
    """Time to first byte, total time and the serving worker's peak resident memory."""
    result = Measure(page.name, page.path)
    ttfbs, totals, peaks = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        conn, response = client.request("GET", page.path)
        first = response.read(1)
        ttfb = time.perf_counter() - started
        pid = int(response.getheader("X-Worker-PID") or 0)
        result.rss_before_mb = int(response.getheader("X-Worker-RSS-KB") or 0) / 1024
        peak, stop = [0.0], threading.Event()

        def sample(pid=pid, peak=peak, stop=stop):
            while not stop.is_set():
                peak[0] = max(peak[0], _rss_mb(pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        size = len(first)
        while chunk := response.read(65536):
            size += len(chunk)
        stop.set()
        sampler.join()
        totals.append((time.perf_counter() - started) * 1000)
        conn.close()
        result.status = response.status
        result.queries = int(response.getheader("X-Query-Count") or 0)
        result.bytes = size
        ttfbs.append(ttfb * 1000)
        peaks.append(max(peak[0], result.rss_before_mb))
    result.requests = repeat
    result.ttfb_ms = statistics.median(ttfbs)
    result.median_ms = statistics.median(totals)
    result.p95_ms = max(totals)
    result.peak_rss_mb = max(peaks)
    return result


# --- the server -------------------------------------------------------------------------------


#: the served application's key (and the one the deep pages' cursors are signed with)
SECRET_KEY = "bench-secret-key-not-for-production"


def server_environment(database_url: str, slug: str, instance: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        CONCERTO_BENCH="1",
        CONCERTO_INSTANCE=instance,
        DEFAULT_ORGANISATION=slug,
        RATELIMIT_ENABLED="0",
        SECRET_KEY=SECRET_KEY,
        MAIL_BACKEND="console",
    )
    return env


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "300",
        "--log-level",
        "warning",
        "app:create_app()",
    ]
    process = subprocess.Popen(command, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped at start")
        try:
            status, _h, _b, _t = Client(port).get("/healthz")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the run ----------------------------------------------------------------------------------


def discover(database_url: str, slug: str | None) -> tuple[str, list[Page]]:
    os.environ["DATABASE_URL"] = database_url
    from app import create_app
    from bench.targets import find_pages

    with tempfile.TemporaryDirectory() as folder:
        # the server's key: the deep pages' cursors, signed here, must be valid there
        app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": SECRET_KEY})
        with app.app_context():
            from app.db import db

            found = find_pages(slug)
            db.session.remove()
            db.engine.dispose()
    return found


def run(args) -> dict:
    slug, pages = discover(args.database_url, args.organisation)
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if p.name in wanted]
    port = free_port()
    with tempfile.TemporaryDirectory() as instance:
        env = server_environment(args.database_url, slug, instance)
        process = start_server(env, port, args.workers)
        try:
            results = _measure_all(port, pages, args)
        finally:
            stop_server(process)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "database": args.database_url.split(":", 1)[0],
        "organisation": slug,
        "workers": args.workers,
        "clients": args.clients,
        "requests": args.requests,
        "results": [asdict(r) for r in results],
    }


def _session(port: int, email: str | None, sessions: dict) -> Client:
    if email not in sessions:
        client = Client(port)
        if email:
            client.login(email)
        sessions[email] = client
    return sessions[email]


def _measure_all(port: int, pages: list[Page], args) -> list[Measure]:
    sessions: dict = {}
    floor = _measure_page(port, FLOOR, args, sessions)
    results = [floor]
    for page in pages:
        if page.optional:
            status, *_rest = _session(port, page.login, sessions).get(page.path)
            if status == 404:
                results.append(Measure(page.name, page.path, status, skipped="no such route"))
                continue
        if page.export:
            client = _session(port, page.login, sessions)
            results.append(measure_export(client, page, args.export_repeat))
            continue
        results.append(_measure_page(port, page, args, sessions, Client(port)))
    return results


def _measure_page(port: int, page: Page, args, sessions: dict, floor=None) -> Measure:
    client = _session(port, page.login, sessions)
    result = measure_latency(client, page, args.warmup, args.requests, floor)
    if result.status == 200 and args.clients > 0:
        clients = [client] * args.clients
        result.throughput_rps = measure_throughput(clients, page, args.throughput_requests)
    return result


def verdict(result: dict) -> str:
    if result["skipped"]:
        return "skipped"
    if result["errors"] or result["status"] != 200:
        return "ERROR"
    if result["name"] == "floor":
        return "floor"
    if result["peak_rss_mb"] is not None:
        ok = (
            result["peak_rss_mb"] < EXPORT_MEMORY_TARGET_MB
            and result["ttfb_ms"] < EXPORT_TTFB_TARGET_S * 1000
        )
        return "ok" if ok else "MISSED"
    ok = result["median_ratio"] <= MEDIAN_TARGET and result["p95_ratio"] <= P95_TARGET
    return "ok" if ok else "MISSED"


def render(report: dict) -> str:
    lines = [
        f"{report['date']}  database={report['database']}  organisation={report['organisation']}"
        f"  workers={report['workers']}  clients={report['clients']}"
        f"  requests/page={report['requests']}",
        f"{'page':24} {'median ms':>9} {'p95 ms':>8} {'floor':>6} {'x floor':>8} {'p95 x':>6} "
        f"{'req/s':>7} {'SQL':>4}  result",
    ]
    for r in report["results"]:
        if r["skipped"]:
            lines.append(f"{r['name']:24} skipped: {r['skipped']}")
            continue
        ratio = f"{r['median_ratio']:.2f}" if r["median_ratio"] is not None else "-"
        p95 = f"{r['p95_ratio']:.2f}" if r["p95_ratio"] is not None else "-"
        queries = r["queries"] if r["queries"] is not None else "-"
        floor = f"{r['floor_median_ms']:.1f}" if r["floor_median_ms"] is not None else "-"
        line = (
            f"{r['name']:24} {r['median_ms']:9.1f} {r['p95_ms']:8.1f} {floor:>6} {ratio:>8} "
            f"{p95:>6} "
            f"{r['throughput_rps']:7.1f} {queries:>4}  {verdict(r)}"
        )
        if r["peak_rss_mb"] is not None:
            line += (
                f"  (first byte {r['ttfb_ms']:.0f} ms, worker RSS {r['rss_before_mb']:.0f}"
                f" -> peak {r['peak_rss_mb']:.0f} MB, {r['bytes'] / 1e6:.1f} MB sent)"
            )
        lines.append(line)
    return "\n".join(lines)


def _cell(r: dict) -> str:
    if r["skipped"]:
        return "skipped"
    if r["peak_rss_mb"] is not None:
        return (
            f"{r['median_ms']:.0f} ms total, first byte {r['ttfb_ms']:.0f} ms, "
            f"peak {r['peak_rss_mb']:.0f} MB (from {r['rss_before_mb']:.0f}), {r['queries']} q"
        )
    if r["name"] == "floor":
        return f"{r['median_ms']:.1f} / {r['p95_ms']:.1f} ms, {r['throughput_rps']:.0f} req/s"
    return (
        f"{r['median_ms']:.0f} / {r['p95_ms']:.0f} ms = **{r['median_ratio']:.1f}× / "
        f"{r['p95_ratio']:.1f}×**, {r['throughput_rps']:.1f} req/s, {r['queries']} q "
        f"({verdict(r)})"
    )


def markdown(reports: list[dict]) -> str:
    """The reports side by side (e.g. SQLite and PostgreSQL), as a Markdown table."""
    names = [r["name"] for r in reports[0]["results"]]
    by_report = [{r["name"]: r for r in report["results"]} for report in reports]
    head = "| page | " + " | ".join(r["database"] for r in reports) + " |"
    lines = [head, "|---" * (len(reports) + 1) + "|"]
    for name in names:
        cells = [_cell(results[name]) if name in results else "-" for results in by_report]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="measure the key pages under gunicorn")
    r.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    r.add_argument("--organisation", help="slug (default: the one with most communes)")
    r.add_argument("--requests", type=int, default=40, help="timed requests per page")
    r.add_argument("--warmup", type=int, default=5)
    r.add_argument("--clients", type=int, default=4, help="concurrent clients (threads)")
    r.add_argument("--throughput-requests", type=int, default=10, help="requests per client")
    r.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    r.add_argument("--export-repeat", type=int, default=2)
    r.add_argument("--only", help="comma-separated page names")
    r.add_argument("--json", help="write the report as JSON to this file")
    t = sub.add_parser("table", help="JSON reports side by side, as a Markdown table")
    t.add_argument("reports", nargs="+")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "table":
        print(markdown([json.loads(Path(path).read_text()) for path in args.reports]))
        return 0
    if not args.database_url:
        print("DATABASE_URL (or --database-url) is required", file=sys.stderr)
        return 2
    report = run(args)
    print(render(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    failed = [r for r in report["results"] if verdict(r) == "ERROR"]
    return 1 if failed else 0
