"""Rate limits on what can be abused: sign-in, password reset, problem reports."""

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
