"""A bare Flask hello-world: the ceiling the portal's throughput is compared with.

Served by the same gunicorn configuration as the portal (gunicorn.conf.py), so that the
ratio measures what the portal adds, not the server: `gunicorn -c gunicorn.conf.py
--pythonpath bench hello:app`.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
