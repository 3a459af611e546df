"""Rate limits: counted in the database by default (shared by every worker), or in Redis."""

import socket
import time

import pytest
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select

from app.auth.models import RateLimitCounter
from app.auth.ratelimit import DatabaseStorage
from app.db import db
from app.extensions import limiter
from app.users.models import Role
from tests import factories
from tests.conftest import _clean_database  # noqa: F401  (these tests write: cleared after each)


@pytest.fixture
def rate_limited(app):
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.reset()
    limiter.enabled = False


def test_the_database_is_the_default_store(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "concerto-db://"
    assert isinstance(limiter.storage, DatabaseStorage)


def test_hits_are_counted_in_one_window_and_start_again_after_it(app):
    storage = DatabaseStorage("concerto-db://")
    assert storage.check()
    assert [storage.incr("k", expiry=60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") > time.time() + 50
    db.session.execute(RateLimitCounter.__table__.update().values(expires_at=time.time() - 1))
    db.session.commit()
    assert storage.get("k") == 0
    assert storage.incr("k", expiry=60) == 1
    storage.clear("k")
    assert storage.get("k") == 0


def test_a_limit_is_shared_between_two_workers(app):
    """Two storages stand for two gunicorn workers: each sees the other's hits."""
    item = RateLimitItemPerMinute(3)
    worker_a = FixedWindowRateLimiter(DatabaseStorage("concerto-db://"))
    worker_b = FixedWindowRateLimiter(DatabaseStorage("concerto-db://"))
    assert worker_a.hit(item, "login", "1.2.3.4")
    assert worker_b.hit(item, "login", "1.2.3.4")
    assert worker_a.hit(item, "login", "1.2.3.4")
    assert not worker_b.hit(item, "login", "1.2.3.4")
    assert worker_b.hit(item, "login", "5.6.7.8")


def test_login_is_limited_through_the_database_store(client, org, rate_limited):
    user = factories.user(org, Role.CITIZEN)
    statuses = [
        client.post("/login", data={"email": user.email, "password": f"guess {n}"}).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    db.session.expire_all()
    assert db.session.scalars(select(RateLimitCounter.hits)).all()


@pytest.mark.parametrize(
    "path, data, allowed",
    [
        ("/mot-de-passe/oubli", {"email": "x@example.fr"}, 5),
        (
            "/inscription",
            {"display_name": "X", "email": "x@example.fr", "password": "a", "confirm": "b"},
            5,
        ),
    ],
)
def test_reset_and_sign_up_are_limited(client, org, rate_limited, path, data, allowed):
    statuses = [client.post(path, data=data).status_code for _ in range(allowed + 1)]
    assert 429 not in statuses[:allowed] and statuses[allowed] == 429


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_redis_is_used_when_configured(app):
    storage = storage_from_string("redis://127.0.0.1:6379/15")
    limiter_ = FixedWindowRateLimiter(storage)
    item = RateLimitItemPerMinute(2)
    key = f"concerto-test-{time.time_ns()}"
    try:
        assert limiter_.hit(item, key) and limiter_.hit(item, key)
        assert not limiter_.hit(item, key)
    finally:
        limiter_.clear(item, key)


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_the_application_counts_logins_in_redis_when_configured(app, org, tmp_path):
    from limits.storage import RedisStorage

    from app import create_app

    redis_app = create_app(
        {
            **app.config,
            "INSTANCE_PATH": str(tmp_path),
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        }
    )
    try:
        assert isinstance(limiter.storage, RedisStorage)
        limiter.enabled = True
        limiter.reset()
        client = redis_app.test_client()
        email = f"redis-{time.time_ns()}@example.fr"
        statuses = [
            client.post("/login", data={"email": email, "password": "x"}).status_code
            for _ in range(11)
        ]
        assert statuses[-1] == 429 and 429 not in statuses[:10]
        assert db.session.scalars(select(RateLimitCounter)).all() == []
    finally:
        limiter.reset()
        limiter.enabled = False
        with redis_app.app_context():
            db.engine.dispose()
        limiter.init_app(app)  # back to the suite's application and its database store
    assert isinstance(limiter.storage, DatabaseStorage)
