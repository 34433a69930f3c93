"""Project-wide pytest setup, including the browser fixtures every app's Playwright tests share."""
import os
import shutil

import pytest

os.environ.setdefault("DANGJIAN_TESTING", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by browser tests
# are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (pip installs no browser)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run scripts/install_system_deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A desktop-sized page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()
    _close_connections()


def _close_connections():
    # Playwright's event loop gives the live server's requests their own connections: close them, or PostgreSQL
    # cannot drop the test database at the end of the session.
    from django.db import connections

    connections.close_all()


@pytest.fixture
def phone(browser):
    """A phone-sized page with touch, as a member on a Tuesday evening holds it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()
    _close_connections()
