"""``commonground serve [--host H] [--port P] [--workers W]``: production-style serving.

Gunicorn runs the WSGI app and WhiteNoise serves the collected static files, so one
process tree serves everything. Put a TLS-terminating proxy in front in production (or
set COMMONGROUND_HTTPS=0 to serve plain HTTP locally, as ``commonground demo`` does).
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def static_collected() -> bool:
    return (settings.STATIC_ROOT / "staticfiles.json").exists()


def gunicorn_argv(*, host: str, port: int, workers: int, access_log: bool = False) -> list[str]:
    argv = [sys.executable, "-m", "gunicorn", "-c", "python:commonground.core.gunicorn_conf",
            "--bind", f"{host}:{port}", "--workers", str(workers)]
    if access_log:
        argv += ["--access-logfile", "-"]
    return [*argv, "commonground.wsgi:application"]


class Command(BaseCommand):
    help = "Serve the application with gunicorn (static files by WhiteNoise)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
        parser.add_argument("--access-log", action="store_true", help="Log every request to stdout")

    def handle(self, *args, host: str, port: int, workers: int, access_log: bool = False,
               **options) -> None:
        if not static_collected():
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = gunicorn_argv(host=host, port=port, workers=workers, access_log=access_log)
        self.stdout.write(f"Serving on http://{host}:{port} with {workers} workers")
        self.stdout.flush()
        # Replace this process so gunicorn receives signals from the supervisor directly.
        os.execv(argv[0], argv)
