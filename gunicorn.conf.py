"""Gunicorn in production: `.venv/bin/gunicorn -c gunicorn.conf.py wsgi:app`.

Workers default to 2 × cores + 1 (WEB_CONCURRENCY overrides). With more than one worker
the rate limits must be counted in Redis: without REDIS_URL the server refuses to start
(see portal.limits), since each worker would otherwise let the full limit through.
"""

import gc
import multiprocessing
import os

from portal.limits import check_limit_storage

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
preload_app = True  # import once, fork after: less memory, faster restarts
timeout = 30
graceful_timeout = 30  # a restart lets requests in flight finish
keepalive = 5
max_requests = 5000  # recycle workers now and then, staggered
max_requests_jitter = 500
accesslog = "-"
# The proxy in front (deploy/nginx.conf) is the only one whose X-Forwarded-* is believed.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

check_limit_storage(workers, os.environ.get("REDIS_URL") or "memory://",
                    os.environ.get("RATELIMIT_ENABLED", "1") == "1")


def pre_fork(server, worker):
    """Freeze what the master loaded before forking a worker.

    Modules, templates and CLDR data then stay shared with the workers and are never
    scanned by their garbage collector: full collections over them paused a request by
    100 ms now and then (a progress page's p95 at twice its p50); frozen, none did.
    """
    gc.freeze()
