"""Browser: a secretary creates a meeting and shows its QR code; a member signs in from a phone."""
import os
import shutil
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.testing import PASSWORD, make_tree, make_user

from ..models import Attendance, Meeting
from .helpers import make_member

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


# `browser` comes from the root conftest.py (one Playwright per session).


def login(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_secretary_creates_meeting_and_member_checks_in_on_phone(browser, live_server):
    tree = make_tree()
    branch = tree["branch_one"]
    make_user("li", branch, Role.Kind.SECRETARY)
    zhao = make_user("zhao", branch, Role.Kind.MEMBER)
    zhao_member = make_member(branch, "赵志强", user=zhao)
    other = make_member(branch, "钱学军")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    login(page, live_server.url, "li")
    page.goto(f"{live_server.url}/meetings/new/")
    start = timezone.localtime(timezone.now() + timedelta(minutes=10))
    page.select_option("select[name=org_id]", str(branch.id))
    page.select_option("select[name=kind]", "theme_day")
    page.fill("input[name=title]", "主题党日：环境整治")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "党群服务中心")
    page.click("button[type=submit]")
    page.wait_for_selector("#attendance-sheet")
    meeting = Meeting.objects.get(title="主题党日：环境整治")
    page.wait_for_selector(".qr-panel svg")
    checkin_url = page.locator(".qr-panel .checkin-url").first.get_attribute("href")
    assert "/meetings/c/" in checkin_url

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                has_touch=True)
    mobile = phone.new_page()
    mobile.goto(checkin_url)  # not logged in yet: the login page, then back to the check-in
    mobile.fill("input[name=username]", "zhao")
    mobile.fill("input[name=password]", PASSWORD)
    mobile.click("button[type=submit]")
    mobile.wait_for_selector("#checkin-result[data-ok='1']")
    assert mobile.locator("text=签到成功").is_visible()
    mobile.reload()
    mobile.wait_for_selector("text=您已签到")
    assert Attendance.objects.filter(meeting=meeting, member=zhao_member, status="present", method="qr").count() == 1

    # The secretary ticks another member by hand (htmx, no page reload).
    page.reload()
    page.wait_for_selector(f"#att-{zhao_member.id} button[data-status=present][aria-pressed=true]")
    page.click(f"#att-{other.id} button[data-status=present]")
    page.wait_for_selector(f"#att-{other.id} button[data-status=present][aria-pressed=true]")
    assert Attendance.objects.get(meeting=meeting, member=other).method == "manual"
    for p in (page, mobile):  # let the last htmx requests finish before the live server stops
        p.wait_for_load_state("networkidle")
    phone.close()
    desk.close()
    # ORM calls made while Playwright's loop runs get their own connection: close it, or PostgreSQL
    # cannot drop the test database afterwards.
    connections.close_all()
