"""``commonground demo [--members N] [--port P] [--seed S] [--no-serve]``: try it locally.

Migrates, collects static files, seeds the demo association the first time (later runs
reuse it and start in seconds), runs the daily lifecycle advance, then starts the task
worker and the web server on http://127.0.0.1:P and prints the logins. Ctrl-C stops both.
The demo serves plain HTTP on the loopback interface, so it turns the HTTPS redirect off
for the processes it starts (COMMONGROUND_HTTPS=0); debug stays off.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.collaboration import crossing
from commonground.core.management.commands.serve import gunicorn_argv
from commonground.demo import collaboration_seed
from commonground.demo.catalogue import DEMO_PASSWORD, STAFF
from commonground.demo.seed import seed_association, seeded, staff_email
from commonground.membership import services as membership_services
from commonground.people.models import Person
from commonground.tenancy import services as tenancy_services
from commonground.tenancy.models import Association

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Professional Society"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["COMMONGROUND_HTTPS"] = "0"  # plain HTTP on loopback: no redirect, no secure-only cookies
    env.setdefault("COMMONGROUND_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env["DJANGO_SETTINGS_MODULE"] = "commonground.settings"
    return env


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"The server exited with code {process.returncode}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise CommandError(f"The server did not answer on {url} within {timeout:.0f}s")


def stop(process: subprocess.Popen | None, *, timeout: float = 15.0) -> None:
    """Ask a child to stop (SIGTERM), then kill it if it does not."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Seed (once) and serve a realistic demo association on http://127.0.0.1:PORT."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--members", type=int, default=5000)
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--workers", type=int, default=2, help="Web server processes")
        parser.add_argument("--activities-per-member", type=float, default=100.0,
                            help="Two years of activity per member from every feed (0: none)")
        parser.add_argument("--no-serve", action="store_true",
                            help="Prepare everything and print the logins, but do not serve")

    def handle(self, *args, members: int, port: int, seed: int, workers: int, no_serve: bool = False,
               activities_per_member: float = 100.0, **options) -> None:
        started = time.monotonic()
        out = self.stdout
        out.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if seeded(DEMO_SLUG):
            out.write(f"Reusing the demo association '{DEMO_SLUG}' "
                      f"(to start afresh: commonground seed --association {DEMO_SLUG} --reset)")
        else:
            out.write(f"Seeding {members:,} members with five years of history and two years of "
                      f"activity (seed {seed})…")
            result = seed_association(slug=DEMO_SLUG, name=DEMO_NAME, members=members, seed=seed,
                                      activities_per_member=activities_per_member)
            out.write(f"Seeded in {result.seconds:.1f}s")
        association = Association.objects.get(slug=DEMO_SLUG)
        allies = collaboration_seed.allies_seed(members=members, seed=seed,
                                                activities_per_member=activities_per_member,
                                                say=out.write)
        if not crossing.member_consortium_ids(association):
            # First start (or a demo seeded before consortia existed): the consortium,
            # its shared services, agreement and partnerships, over all three associations.
            out.write("Forming the demo consortium and its partnerships…")
            collaboration_seed.derive(demo=association, allies=allies, say=out.write)
        with scope(association=association):
            moved = membership_services.memberships_advance(association=association)
        out.write("Daily lifecycle advance: "
                  + (", ".join(f"{k}={v}" for k, v in sorted(moved.items())) or "nothing to change"))
        director = get_user_model().objects.get(email__iexact=staff_email(DEMO_SLUG, "director"))
        token = tenancy_services.api_token_create(association=association, user=director,
                                                  name="demo")
        with scope(association=association):
            member = Person.objects.filter(user__isnull=False).select_related("user").first()

        url = f"http://127.0.0.1:{port}"
        worker = server = None
        if not no_serve:
            env = child_env()
            worker = subprocess.Popen([sys.executable, "-m", "commonground.cli", "worker",
                                       "--verbosity", "0"], env=env)
            server = subprocess.Popen(gunicorn_argv(host="127.0.0.1", port=port, workers=workers),
                                      env=env)
        try:
            if server is not None:
                wait_until_up(f"{url}/healthz", server)
            self._banner(url, token, member, served=server is not None,
                         seconds=time.monotonic() - started)
            if server is None:
                return
            # Serve until Ctrl-C (SIGINT reaches the whole foreground group) or SIGTERM.
            # Explicit handlers: a shell may start us with SIGINT ignored (a background job).
            signal.signal(signal.SIGTERM, _interrupt)
            signal.signal(signal.SIGINT, _interrupt)
            while server.poll() is None and worker.poll() is None:
                time.sleep(0.5)
            if server.returncode is not None:
                raise CommandError(f"The server exited with code {server.returncode}")
            raise CommandError(f"The worker exited with code {worker.returncode}")
        except KeyboardInterrupt:
            out.write("\nStopping the server and the worker…")
        finally:
            stop(server)
            stop(worker)
        out.write("Stopped.")

    def _banner(self, url: str, token: str, member: Person | None, *, served: bool,
                seconds: float) -> None:
        w = self.stdout.write
        line = "=" * 72
        w(line)
        if served:
            w(f"commonground demo is up at {url}/   (ready in {seconds:.0f}s; Ctrl-C to stop)")
        else:
            w(f"commonground demo is ready (not serving; start it with: commonground serve); "
              f"{seconds:.0f}s")
        w(f"Staff workspace:  {url}/a/{DEMO_SLUG}/    password for every demo login: {DEMO_PASSWORD}")
        for _role, local, _first, _last, label in STAFF:
            w(f"  {label:<22} {staff_email(DEMO_SLUG, local)}")
        for slug, name, _offset in collaboration_seed.ALLIES:
            w(f"In the consortium: {url}/a/{slug}/  ({name}), "
              f"director {staff_email(slug, 'director')}")
        if member is not None and member.user is not None:
            w(f"Member portal:    {url}/m/{DEMO_SLUG}/   login {member.user.email}")
        w(f"API ({url}/api/v1/docs), token for the membership director:")
        w(f"  curl -H 'Authorization: Bearer {token}' {url}/api/v1/people")
        w(line)
        self.stdout.flush()
