"""Gunicorn settings for ``commonground serve``. Command-line flags override these."""

import os

wsgi_app = "commonground.wsgi:application"
# Sync workers: the views are short database reads; 2 per core is plenty for an AMS.
workers = int(os.environ.get("COMMONGROUND_WEB_WORKERS", "2"))
timeout = 60
graceful_timeout = 10
# Load the app once in the master so workers fork with Django already imported.
preload_app = True
accesslog = os.environ.get("COMMONGROUND_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("COMMONGROUND_GUNICORN_LOG_LEVEL", "warning")
# Behind a TLS-terminating proxy, trust its X-Forwarded-Proto from the local host only.
forwarded_allow_ips = os.environ.get("COMMONGROUND_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker) -> None:
    """Start the chart renderer's JavaScript engine in each worker before it takes requests
    (about half a second, which the first chart on a page would otherwise pay). Not in the
    master: the engine runs on a thread, and threads do not survive preload's fork."""
    # Imported here: gunicorn reads this config before the app (and Django) is loaded.
    from commonground.core import charts

    charts.warm_up()
