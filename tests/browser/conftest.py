"""Browser journeys: Debian's chromium driven by pytest-playwright against a live server per test.

Every page a journey visits is checked with axe-core (shipped inside axe-playwright-python, so no
network is needed): a serious or critical violation fails the test with a readable list.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.servers.basehttp import ThreadedWSGIServer
from playwright.sync_api import expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = os.environ.get("COMMONGROUND_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags chromium phones home (updates, sync, QUIC probes);
# on a closed network those connections are refused and slow every launch down.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BLOCKING = {"serious", "critical"}
STAFF_PASSWORD = "correct horse battery"  # the `staff_user` fixture's


def log_in(page, axe_check, email: str, password: str) -> None:
    """Sign in through allauth's login form, as a person would (MFA not enrolled)."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    axe_check(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    axe_check(page)  # where the login lands: the dashboard or the member's portal


def log_in_staff(page, axe_check) -> None:
    """The `staff_user` fixture's director logs in."""
    log_in(page, axe_check, "director@acme.example.org", STAFF_PASSWORD)


def open_from_nav(page, axe_check, link: str, heading: str) -> None:
    """Open the navigation section holding a link, follow it, and check the page it opens."""
    nav = page.get_by_role("navigation", name="Main")
    # Sections are <details> dropdowns; a closed one hides its links from the accessibility
    # tree, so find the section by the link's text and open it as a person would.
    section = nav.locator("details", has=page.locator("a", has_text=re.compile(f"^{re.escape(link)}$")))
    if section.count() and not section.first.evaluate("d => d.open"):
        section.first.locator("summary").click()
    nav.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    axe_check(page)


# pytest-playwright keeps one Playwright (and browser) per session. Its sync API runs an asyncio loop
# on the main thread, and Django refuses ORM calls there ("SynchronousOnlyOperation") — for every
# later test on that xdist worker, browser test or not. So here Playwright and the browser live only
# as long as one browser test (≈1.5 s each), and only that test may touch the ORM beside the loop.
@pytest.fixture
def playwright(monkeypatch, _pw_api_request_contexts):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    yield pw
    pw.stop()


@pytest.fixture
def browser_type(playwright, browser_name: str):
    return getattr(playwright, browser_name)


@pytest.fixture
def launch_browser(browser_type_launch_args: dict, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture
def browser(launch_browser, app_server):
    # After the server (so closed before it): the browser's keep-alive connections end first.
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture
def browser_context_args(base_url: str) -> dict:
    return {"base_url": base_url}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Launch the system chromium: Playwright's own browser download is not reachable here."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (make test does).")
    args = [a for a in CHROMIUM_ARGS if a != "--headless" or browser_type_launch_args.get("headless", True)]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


class _JoiningServer(ThreadedWSGIServer):
    """Django's threaded test server, but closing it waits for its request threads.

    Its threads are fire-and-forget: one still finishing a keep-alive connection after the server
    stopped closes the database connections it no longer may share (SQLite in memory), raises, and
    leaves its socket to the garbage collector — an unraisable ResourceWarning in some later test.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.workers: list[threading.Thread] = []

    def process_request(self, request, client_address) -> None:
        worker = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                  daemon=True)
        self.workers.append(worker)
        worker.start()

    def server_close(self) -> None:
        super().server_close()
        for worker in self.workers:
            worker.join(timeout=10)  # the browser is closed by now, so its connections have ended


@pytest.fixture
def app_server(settings, tmp_path, transactional_db):
    """The app on a live server of its own, started after this test's settings are in place.

    pytest-django's `live_server` is started once per session, and the security middleware
    reads the HTTPS settings when the server builds it, so the session server would redirect the
    browser to HTTPS. This one serves plain HTTP like the demo (COMMONGROUND_HTTPS=0): no redirect,
    no HSTS, cookies without Secure. Data the test writes is committed (transactional_db), so the
    server's thread sees it.
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.DATA_DIR = tmp_path / "data"  # uploaded rosters and errors files stay in the test's dir
    server = LiveServer("localhost", start=False)
    server.thread.server_class = _JoiningServer
    server.start()
    yield server
    server.stop()


@pytest.fixture
def base_url(app_server) -> str:
    return app_server.url


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()  # dashboard figures and list counts are cached per tenant id
    yield


@pytest.fixture(scope="session")
def _axe() -> Axe:
    return Axe()


@pytest.fixture
def axe_check(_axe, page):
    """`axe_check(page)`: fail on serious or critical accessibility violations of the current page.

    Every document the page loads must be checked before the next one loads; a journey that
    skips one fails at the end, naming the pages it did not check.
    """
    unchecked: list[str] = []
    page.on("load", lambda p: unchecked.append(p.url))

    def check(page) -> None:
        page.wait_for_load_state("load")
        if len(unchecked) > 1:
            pytest.fail(f"pages loaded without an axe check: {unchecked[:-1]}", pytrace=False)
        unchecked.clear()
        results = _axe.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
        if bad:
            lines = [f"axe-core found {len(bad)} serious/critical violation(s) on {page.url}:"]
            for v in bad:
                lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                for node in v["nodes"][:5]:
                    summary = " ".join(node.get("failureSummary", "").split())
                    lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
            pytest.fail("\n".join(lines), pytrace=False)

    yield check
    if unchecked:
        pytest.fail(f"pages loaded without an axe check: {unchecked}", pytrace=False)
