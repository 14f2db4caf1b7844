"""Rate limits on what can be abused: sign-in, password reset, problem reports."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.extensions import limiter
from tests.conftest import csrf_token


def test_repeated_failed_sign_ins_are_slowed_down(client, make):
    person = make.user()
    statuses = []
    for _attempt in range(11):
        token = csrf_token(client, "/account/login")
        statuses.append(client.post("/account/login", data={
            "email": person.email, "password": "wrong guess", "csrf_token": token,
        }).status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert client.get("/account/login").status_code == 200  # reading the form is fine


def test_password_reset_requests_are_limited(client, make):
    person = make.user()
    statuses = [
        client.post("/account/password/forgot", data={
            "email": person.email,
            "csrf_token": csrf_token(client, "/account/password/forgot")}).status_code
        for _attempt in range(6)
    ]
    assert 429 not in statuses[:5] and statuses[5] == 429


def test_limits_are_shared_through_redis(app, tmp_path):
    """With REDIS_URL, every process counts against the same limit."""
    import redis
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db
    from tests.conftest import MIGRATIONS

    url = "redis://127.0.0.1:6379/15"
    redis.Redis.from_url(url).flushdb()
    apps = [create_app({"SECRET_KEY": "x", "TESTING": True, "WTF_CSRF_ENABLED": False,
                        "REDIS_URL": url, "RATELIMIT_STORAGE_URI": url,
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}"})
            for _process in range(2)]
    with apps[0].app_context():
        upgrade(directory=MIGRATIONS)
    statuses = []
    for attempt in range(11):  # alternate between the two "processes"
        client = apps[attempt % 2].test_client()
        statuses.append(client.post("/account/login", data={
            "email": "nobody@example.org", "password": "guess"}).status_code)
    assert statuses[-1] == 429 and 429 not in statuses[:10]
    redis.Redis.from_url(url).flushdb()
    for other in apps:
        with other.app_context():
            db.engine.dispose()
    limiter.init_app(app)  # the limiter is shared: give it back to the suite's app


def test_sign_in_is_limited_per_account_as_well_as_per_address(client, make):
    """Guessing one account's password from many addresses gets no further than from one."""
    person = make.user()
    statuses = []
    for attempt in range(21):
        token = csrf_token(client, "/account/login")
        statuses.append(client.post("/account/login", data={
            "email": person.email.upper(), "password": "wrong guess", "csrf_token": token,
        }, environ_overrides={"REMOTE_ADDR": f"192.0.2.{attempt + 1}"}).status_code)
    assert 429 not in statuses[:20] and statuses[20] == 429


def test_several_workers_with_per_process_counts_are_refused():
    from portal.limits import check_limit_storage

    with pytest.raises(RuntimeError, match="REDIS_URL"):
        check_limit_storage(4, "memory://")
    check_limit_storage(1, "memory://")
    check_limit_storage(4, "redis://127.0.0.1:6379/0")
    check_limit_storage(4, "memory://", enabled=False)


def _gunicorn_check(tmp_path, **env):
    root = Path(__file__).parent.parent
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("REDIS_URL", "WEB_CONCURRENCY", "RATELIMIT_ENABLED")}
    environment.update(PORTAL_INSTANCE_PATH=str(tmp_path), SECRET_KEY="x",
                       DATABASE_URL=f"sqlite:///{tmp_path / 'g.sqlite3'}", **env)
    return subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--check-config", "-c",
         "gunicorn.conf.py", "wsgi:app"],
        cwd=root, env=environment, capture_output=True, text=True, timeout=60)


def test_the_shipped_gunicorn_config_refuses_several_workers_without_redis(tmp_path):
    refused = _gunicorn_check(tmp_path, WEB_CONCURRENCY="4")
    assert refused.returncode != 0
    assert "REDIS_URL" in refused.stderr + refused.stdout
    accepted = _gunicorn_check(tmp_path, WEB_CONCURRENCY="4",
                               REDIS_URL="redis://127.0.0.1:6379/15")
    assert accepted.returncode == 0, accepted.stderr
