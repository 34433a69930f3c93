"""Shared checks for the journey modules: every page stays on loopback and logs no console error.

`Guard(page)` listens to the page's requests, console messages and uncaught errors; `guard.check()` fails
the test with the exact URL and message of anything seen since the last check. `no_overflow(page)` is
the phone layout check (no horizontal scroll)."""
from urllib.parse import urlsplit

import pytest
from django.db import connections

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Known and reported (issue 14 note): the browser's automatic /favicon.ico request gets a 404 on every page.
IGNORED_FAILURES = ("/favicon.ico",)
OVERFLOW_JS = "document.documentElement.scrollWidth <= window.innerWidth + 1"


class Guard:
    def __init__(self, page):
        self.page = page
        # Generous limits: CI machines and shared boxes can be slow to serve the first page.
        page.set_default_navigation_timeout(90_000)
        page.set_default_timeout(45_000)
        self.external: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: uncaught {exc}"))

    def _request(self, request):
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in LOOPBACK:
            self.external.append(f"{self.page.url} -> {request.url}")

    def _response(self, response):
        if response.status >= 400 and not urlsplit(response.url).path.endswith(IGNORED_FAILURES):
            self.errors.append(f"{self.page.url}: HTTP {response.status} for {response.url}")

    def _console(self, msg):
        # "Failed to load resource" carries no URL: the response listener records those with theirs.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.errors.append(f"{self.page.url}: {msg.text}")

    def problems(self) -> list[str]:
        found = [f"external request: {e}" for e in self.external] + [f"console error: {e}" for e in self.errors]
        self.external.clear()
        self.errors.clear()
        return found

    def check(self):
        found = self.problems()
        assert not found, "\n".join(found)

    def goto(self, url: str):
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        assert response is not None and response.status < 400, f"{url}: HTTP {response and response.status}"
        self.check()
        return response


def no_overflow(page) -> bool:
    return bool(page.evaluate(OVERFLOW_JS))


@pytest.fixture(autouse=True)
def _close_db_connections():
    """Playwright's loop gives the live server thread its own connections: close them, or PostgreSQL
    cannot drop the test database at the end of the session."""
    yield
    connections.close_all()
