"""Requests sent at the same moment: the double clicks and races of the concurrency tests."""

from __future__ import annotations

import threading
import traceback

#: the notice shown to the second copy of a form sent twice (app/submissions)
SENT_TWICE = "Ce formulaire avait déjà été envoyé"


def run_together(calls, timeout: float = 60) -> tuple[list, list[str]]:
    """Run every call in its own thread, all released at once; (results, tracebacks)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    failures: list[str] = []

    def worker(index, call):
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException:  # noqa: BLE001 - reported by the test with its traceback
            failures.append(traceback.format_exc())

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    return results, failures


def post_at_once(app, login, user, url: str, data: dict | None = None, copies: int = 2):
    """`user` signed in on `copies` browsers posts the same form from each at the same moment
    (a double click); every copy must be answered by a redirect, never an error.
    Returns (clients, responses)."""
    clients = [app.test_client() for _ in range(copies)]
    for one in clients:
        login(one, user)
    results, failures = run_together([lambda one=one: one.post(url, data=data) for one in clients])
    assert not failures, "\n".join(failures)
    assert [r.status_code for r in results] == [302] * copies
    return clients, results
