"""The shipped reverse proxy, deploy/nginx.conf, checked with a real nginx.

nginx must accept the file as shipped (only certificate and cache paths are swapped for
temporary ones), on its own and dropped into Debian's stock nginx.conf. Then the same file
runs on free ports in front of a live portal: static files come from nginx with a long
cache, pages are compressed, the app learns the scheme and the client's address, public
pages are cached as the app allows and a crowd asking for one reaches the app once, and
nothing private, nothing a signed-in person asks for and no POST is ever cached.

nginx is Debian's `nginx` package (`apt-get install nginx`; CI's .ci/run installs it);
NGINX names another binary.
"""

import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import jsonify, request
from flask_migrate import upgrade
from werkzeug.serving import make_server

from portal import create_app
from portal.config import from_environment
from portal.extensions import csrf, db
from portal.models import Language

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx.conf"
MIGRATIONS = ROOT / "migrations"
HOST = "statements.example.org"
CERTIFICATE = f"/etc/letsencrypt/live/{HOST}/fullchain.pem"
PRIVATE_KEY = f"/etc/letsencrypt/live/{HOST}/privkey.pem"
CACHE = "/var/cache/nginx/statement-portal"
STATIC = "/srv/statement-portal/portal/static/"
UPSTREAM = "server 127.0.0.1:8000;"
DEBIAN_CONF = Path("/etc/nginx/nginx.conf")
IMMUTABLE = "public, max-age=31536000, immutable"
# nginx 1.25 and later (Debian 13) deprecate "listen … http2"; Debian 12's 1.22 needs it.
TOLERATED_WARNINGS = [re.compile(r'the "listen \.\.\. http2" directive is deprecated')]


def _nginx() -> str:
    binary = os.environ.get("NGINX") or shutil.which("nginx") or shutil.which(
        "nginx", path="/usr/sbin:/usr/local/sbin")
    if not binary:
        pytest.fail("nginx not found: install Debian's 'nginx' package (CI's .ci/run does), "
                    "or set NGINX to its path.")
    return binary


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _replace(text: str, old: str, new: str) -> str:
    """Swap a path of the shipped file; a path that moved fails here, not silently."""
    assert old in text, f"deploy/nginx.conf no longer contains {old!r}"
    return text.replace(old, new)


def _site(folder: Path, certificate: tuple[Path, Path]) -> str:
    """The shipped file with its certificate and cache paths pointing into `folder`."""
    text = SITE.read_text()
    text = _replace(text, CERTIFICATE, str(certificate[0]))
    text = _replace(text, PRIVATE_KEY, str(certificate[1]))
    return _replace(text, CACHE, str(folder / "cache"))


def _temp_paths(folder: Path) -> str:
    """Debian's nginx keeps request bodies and buffers under /var/lib/nginx: not ours."""
    return "".join(f"    {kind}_temp_path {folder / kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))


def _minimal_conf(folder: Path, site: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the temp folder
    return (f"{user}worker_processes 1;\ndaemon off;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n"
            f"    default_type application/octet-stream;\n"
            f"    access_log {folder / 'access.log'};\n{_temp_paths(folder)}"
            f"    include {site};\n}}\n")


def _debian_conf(folder: Path, site: Path) -> str:
    """Debian's own nginx.conf, the site enabled, logs and pid moved into `folder`."""
    if not DEBIAN_CONF.exists():
        pytest.fail(f"{DEBIAN_CONF} is missing: install Debian's 'nginx' package.")
    text = DEBIAN_CONF.read_text()
    text = re.sub(r"(?m)^\s*user\s+[^;]+;", "", text)
    for directive, path in (("pid", "nginx.pid"), ("error_log", "error.log"),
                            ("access_log", "access.log")):
        text, found = re.subn(rf"(?m)^(\s*){directive}\s+[^;]+;",
                              rf"\g<1>{directive} {folder / path};", text)
        assert found, f"{DEBIAN_CONF} has no {directive} line"
    text = _replace(text, "include /etc/nginx/sites-enabled/*;", f"include {site};")
    return re.sub(r"(?m)^http\s*\{", lambda match: match.group(0) + "\n" + _temp_paths(folder),
                  text, count=1)


def _check(nginx: str, conf: Path, folder: Path) -> None:
    result = subprocess.run([nginx, "-t", "-c", str(conf), "-e", str(folder / "error.log")],
                            capture_output=True, text=True, timeout=30)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    warnings = [line for line in output.splitlines() if "[warn]" in line
                and not any(pattern.search(line) for pattern in TOLERATED_WARNINGS)]
    assert warnings == [], output


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for the portal's name, made with Debian's openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=30)
    return cert, key


@pytest.mark.parametrize("wrapper", [_minimal_conf, _debian_conf], ids=["minimal", "debian"])
def test_nginx_accepts_the_shipped_file(tmp_path, certificate, wrapper):
    site = tmp_path / "statement-portal.conf"
    site.write_text(_site(tmp_path, certificate))
    conf = tmp_path / "nginx.conf"
    conf.write_text(wrapper(tmp_path, site))
    _check(_nginx(), conf, tmp_path)


def test_nginx_takes_a_body_the_app_will_refuse_with_its_own_page():
    """client_max_body_size sits above MAX_CONTENT_LENGTH, so the app's 413 is what shows."""
    limit = re.search(r"(?m)^\s*client_max_body_size\s+(\d+)([km]?);", SITE.read_text())
    assert limit, "deploy/nginx.conf sets no client_max_body_size"
    nginx_limit = int(limit.group(1)) * {"": 1, "k": 1024, "m": 1024 ** 2}[limit.group(2)]
    assert nginx_limit > from_environment("instance")["MAX_CONTENT_LENGTH"]


# The live proxy.

class Reached:
    """How many requests for each path and query reached the app (not nginx's cache)."""

    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def add(self, path: str) -> None:
        with self.lock:
            self.counts[path] += 1

    def __getitem__(self, path: str) -> int:
        with self.lock:
            return self.counts[path]


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """The portal on a free port, as gunicorn would run it behind the proxy (PROXY_HOPS=1).

    Yields the app, its port, and a `Reached` counting the requests that got to it; any
    request with ?slow=1 takes half a second. /deploy-test/echo (GET and POST) answers with
    what the app saw of the request.
    """
    folder = tmp_path_factory.mktemp("deploy-app")
    # Rate limits stay as configured: Flask-Limiter's on/off switch is one for every app in
    # the process, and turning it off here would turn it off for the tests that follow.
    app = create_app({"SECRET_KEY": "deploy test", "TESTING": False, "PROXY_HOPS": 1,
                      "PORTAL_URL": f"https://{HOST}",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.sqlite3'}"})
    reached = Reached()

    @app.before_request
    def count():
        reached.add(request.full_path.rstrip("?"))
        if request.args.get("slow"):
            time.sleep(0.5)

    @csrf.exempt
    def echo():
        return jsonify(scheme=request.scheme, remote_addr=request.remote_addr,
                       host=request.host, forwarded_host=request.headers.get("X-Forwarded-Host"))

    app.add_url_rule("/deploy-test/echo", view_func=echo, methods=["GET", "POST"])
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        db.session.add(Language(tag="en"))
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, server.port, reached
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


class Proxy:
    """nginx running deploy/nginx.conf: HTTPS on `port`, the redirect on `http_port`."""

    def __init__(self, port: int, http_port: int, certificate: Path):
        self.port, self.http_port, self.certificate = port, http_port, certificate
        self.context = ssl.create_default_context(cafile=str(certificate))
        self.context.check_hostname = False  # the name is sent as Host; the chain is checked

    def request(self, method: str, path: str, headers: dict | None = None,
                body: bytes | None = None, tls: bool = True):
        if tls:
            connection = http.client.HTTPSConnection("127.0.0.1", self.port,
                                                     context=self.context, timeout=10)
        else:
            connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10)
        try:
            connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def get(self, path: str, **headers):
        return self.request("GET", path, headers)


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("nginx stopped:\n" + (log.read_text() if log.exists() else ""))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not listen within 10 s")


@pytest.fixture(scope="module")
def proxy(portal, certificate, tmp_path_factory):
    """nginx with the shipped file in front of `portal`; always stopped afterwards."""
    app, app_port, _ = portal
    folder = tmp_path_factory.mktemp("nginx")
    port, http_port = _free_port(), _free_port()
    text = _site(folder, certificate)
    text = _replace(text, STATIC, str(Path(app.static_folder)) + "/")
    text = _replace(text, UPSTREAM, f"server 127.0.0.1:{app_port};")
    text = _replace(text, "listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
    text = _replace(text, "listen [::]:443 ssl http2;", "")
    text = _replace(text, "listen 80;", f"listen 127.0.0.1:{http_port};")
    text = _replace(text, "listen [::]:80;", "")
    site = folder / "statement-portal.conf"
    site.write_text(text)
    conf = folder / "nginx.conf"
    conf.write_text(_minimal_conf(folder, site))
    log = folder / "error.log"
    with open(folder / "nginx.out", "wb") as output:
        process = subprocess.Popen([_nginx(), "-c", str(conf), "-e", str(log)], stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for(port, process, log)
        _wait_for(http_port, process, log)
        yield Proxy(port, http_port, certificate[0])
    finally:
        process.terminate()  # nginx's fast shutdown stops its workers too
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:  # whatever is left of the group this test started
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def test_plain_http_only_redirects_to_https(proxy, portal):
    status, headers, _ = proxy.request("GET", "/en/?t=http", tls=False)
    assert status == 301
    assert headers["Location"] == f"https://{HOST}/en/?t=http"
    assert portal[2]["/en/?t=http"] == 0


def test_https_offers_http2(proxy):
    context = ssl.create_default_context(cafile=str(proxy.certificate))
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=HOST) as tls:  # checks the name too
            assert tls.selected_alpn_protocol() == "h2"
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_static_files_come_from_nginx_cached_for_a_year(proxy, portal):
    """The style sheet, at the URL the app's pages give it, is nginx's to serve."""
    status, _, page = proxy.get("/en/")
    assert status == 200
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.decode()).group(1)
    assert href.startswith("/static/")
    status, headers, body = proxy.get(href.replace("&amp;", "&"))
    assert status == 200 and body == (Path(portal[0].static_folder) / "portal.css").read_bytes()
    assert headers["Cache-Control"] == IMMUTABLE, f"{href} is not fingerprinted as nginx expects"
    assert "Content-Security-Policy" not in headers  # nginx answered, not the app
    assert portal[2][href.replace("&amp;", "&")] == 0
    # A version in the query, or in the name, is enough for nginx to cache for a year.
    assert proxy.get("/static/portal.css?v=0123abcd")[1]["Cache-Control"] == IMMUTABLE


def test_unversioned_static_urls_are_revalidated(proxy):
    status, headers, _ = proxy.get("/static/portal.css")
    assert status == 200 and headers["Cache-Control"] == "no-cache"
    status, _, body = proxy.get("/static/portal.css", **{"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


def test_a_static_file_not_on_disk_is_asked_of_the_app(proxy, portal):
    """A hashed name the app resolves itself would be served; an unknown one is its 404."""
    status, headers, _ = proxy.get("/static/portal.0123abcd.css")
    assert status == 404
    assert portal[2]["/static/portal.0123abcd.css"] == 1


@pytest.mark.parametrize("path", ["/en/", "/static/portal.css?v=1"])
def test_text_is_compressed(proxy, path):
    status, headers, body = proxy.get(path, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in headers["Vary"]
    assert gzip.decompress(body)[:200].strip()
    _, plain, _ = proxy.get(path)
    assert "Content-Encoding" not in plain


def test_the_app_sees_https_the_public_host_and_the_real_client(proxy):
    status, headers, body = proxy.get("/deploy-test/echo", **{"X-Forwarded-For": "203.0.113.9"})
    assert status == 200
    seen = json.loads(body)
    assert seen["scheme"] == "https"
    assert seen["host"] == HOST and seen["forwarded_host"] == HOST
    # A client cannot choose its address: only the proxy's own entry is believed.
    assert seen["remote_addr"] == "127.0.0.1"


def test_the_app_sends_hsts_over_https(proxy):
    status, headers, _ = proxy.get("/en/?t=hsts")
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert headers["Content-Security-Policy"]  # the app's headers pass through unchanged


def test_public_pages_are_cached_as_the_app_allows(proxy, portal):
    first = proxy.get("/en/?t=microcache")
    second = proxy.get("/en/?t=microcache")
    assert "public" in first[1]["Cache-Control"]
    assert first[1]["X-Cache-Status"] == "MISS" and second[1]["X-Cache-Status"] == "HIT"
    assert second[2] == first[2]
    assert portal[2]["/en/?t=microcache"] == 1


def test_private_pages_are_never_cached(proxy, portal):
    """What the app marks private (forms, desks, errors) reaches it every time."""
    for _ in range(2):
        status, headers, _ = proxy.get("/deploy-test/echo?t=private")
        assert status == 200 and "no-store" in headers["Cache-Control"]
        assert headers["X-Cache-Status"] == "MISS"
    assert portal[2]["/deploy-test/echo?t=private"] == 2


def test_a_stampede_reaches_the_app_once(proxy, portal):
    """Many readers asking for a page nobody has asked for yet: one request reaches the app."""
    path = "/en/?t=stampede&slow=1"
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: proxy.get(path), range(8)))
    assert [status for status, _, _ in results] == [200] * 8
    assert portal[2][path] == 1


@pytest.mark.parametrize("cookie", ["session=signed-in", "remember_token=1|token"])
def test_signed_in_requests_are_never_cached(proxy, portal, cookie):
    name = cookie.split("=")[0]
    # Not served from the cache: an anonymous copy is there, the signed-in person gets theirs.
    path = f"/en/?t={name}-read"
    proxy.get(path)
    first = proxy.get(path, Cookie=cookie)
    second = proxy.get(path, Cookie=cookie)
    assert first[1]["X-Cache-Status"] == second[1]["X-Cache-Status"] == "BYPASS"
    assert portal[2][path] == 3
    # Not stored either: what a signed-in person saw is never handed to the next reader.
    path = f"/en/?t={name}-store"
    proxy.get(path, Cookie=cookie)
    assert proxy.get(path)[1]["X-Cache-Status"] == "MISS"
    assert portal[2][path] == 2


def test_a_post_is_never_cached(proxy, portal):
    path = "/deploy-test/echo?t=post"
    for _ in range(2):
        status, headers, _ = proxy.request(
            "POST", path, body=b"a=1",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200
        # nginx does not even look a POST up (no status), or bypasses the cache for it.
        assert headers["X-Cache-Status"] in (None, "BYPASS")
    assert portal[2][path] == 2
