"""Browser tests: the real platform served by gunicorn, driven by Debian's Chromium.

The server runs as a subprocess with its own instance folder, hence its own SQLite database
loaded with the demo (`flask --app app db upgrade` then `flask --app app demo`). It never sees
DATABASE_URL or TEST_DATABASE_URL, so these tests behave the same whether the rest of the suite
runs on SQLite or on PostgreSQL.

On failure, a screenshot and the page's HTML are saved into test-artifacts/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_LOG = pytest.StashKey[Path]()
SERVER_START_TIMEOUT = 30  # seconds for gunicorn to answer /healthz
COMMAND_TIMEOUT = 120  # seconds for `db upgrade` and `demo`

# Settings the server must not inherit: its database is the SQLite file of its instance
# folder, its e-mails go to the console, its rate limits live in its own memory.
_SERVER_ENV_DROPPED = {
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "SECRET_KEY",
    "UPLOAD_DIR",
    "MAIL_BACKEND",
    "MAIL_FROM",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_ENABLED",
    "DEFAULT_ORGANISATION",
    "PROXY_FIX",
    "SESSION_COOKIE_SECURE",
    "GUNICORN_CMD_ARGS",
}


def chromium_missing_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium): browser tests skipped"
    return None


@pytest.fixture(autouse=True)
def _clean_database():
    """Override the suite's fixture: the browser tests never touch the in-process test
    database (the server has its own), so there is nothing to clean and no app to build."""
    yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (item.rep_call) for the failure screenshots."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --- the server -------------------------------------------------------------------------


def _server_env(instance: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SERVER_ENV_DROPPED and not key.startswith(("SMTP_", "FLASK_"))
    }
    env.update(
        {
            "CONCERTO_INSTANCE": str(instance),
            "MAIL_BACKEND": "console",
            # Every test logs in from 127.0.0.1: keep a limit, far above what a run needs.
            "LOGIN_RATE_LIMIT": "1000 per minute;10000 per hour",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _flask(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`flask --app app {' '.join(args)}` failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"gunicorn exited with status {process.returncode}:\n{log.read_text()}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"status {exc.code}"
            exc.close()
        except OSError as exc:
            last_error = str(exc)
        time.sleep(0.1)
    pytest.fail(
        f"{url}/healthz did not answer 200 within {SERVER_START_TIMEOUT} s ({last_error}):\n"
        f"{log.read_text()}",
        pytrace=False,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, pytestconfig) -> Iterator[str]:
    """The platform with the demo loaded, served by gunicorn on loopback; yields its URL."""
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("e2e-server")
    instance = root / "instance"
    env = _server_env(instance)
    _flask(env, "db", "upgrade")
    _flask(env, "demo")

    # Bind the port here and hand the socket to gunicorn: no race for a free port.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    log = root / "gunicorn.log"
    pytestconfig.stash[SERVER_LOG] = log
    with listener, open(log, "wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"fd://{listener.fileno()}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "app:create_app()",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    try:
        _wait_until_healthy(url, process, log)
        yield url
    finally:
        _stop(process)


# --- the browser ------------------------------------------------------------------------


# The session's one browser is the fixture `browser` of tests/conftest.py: the XSS suite
# (tests/fuzz) drives it too, and two Playwright sessions cannot run in one thread.


def _artifact_name(nodeid: str) -> str:
    postgres = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
    run = "postgresql" if postgres else "sqlite"
    return f"{run}-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:180]


def _save_artifacts(page, nodeid: str, server_log: Path | None) -> None:
    """A screenshot, the page's HTML and the server's log (tracebacks of 500 errors)."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = _artifact_name(nodeid)
    if server_log is not None and server_log.exists():
        (ARTIFACTS / f"{name}.server.log").write_bytes(server_log.read_bytes())
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # a broken page must not hide the test's own failure
        print(f"could not save the failure artifacts of {nodeid}: {exc}", file=sys.stderr)


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) per test, with base_url set to the server."""
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            _save_artifacts(tab, request.node.nodeid, request.config.stash.get(SERVER_LOG, None))
        context.close()
