"""Browser: a member studies on a phone-sized screen; real time is credited as study hours."""
import time
from datetime import date, timedelta

import pytest
from django.db import connections
from django.db.models import F
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.testing import PASSWORD, make_tree, make_user

from ..models import MaterialProgress, StudyCredit
from ..services import material_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# The browser comes from the root conftest.py (one Playwright per session: a second sync_playwright() in the same
# process fails with "using Playwright Sync API inside the asyncio loop").
def test_member_studies_on_a_phone(browser, live_server):
    from dangjian.members.services import member_create

    tree = make_tree()
    zhang = make_user("zhang", tree["root"], Role.Kind.ADMIN)
    zhao = make_user("zhao", tree["branch_one"], Role.Kind.MEMBER)
    member = member_create(actor=zhang, org=tree["branch_one"], data={
        "name": "赵志强", "gender": "M", "birth_date": date(1985, 3, 21), "stage": "full",
        "joined_on": date(2012, 6, 30), "full_on": date(2013, 6, 30)})
    member.user = zhao
    member.save(update_fields=["user"])
    material = material_create(actor=zhang, org=tree["root"], title="指尖党课：学习党章", kind="article",
                               series="weekly", duration_seconds=600, published_on=timezone.localdate(),
                               body="党章是党的根本大法。")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "zhao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/study/me/")
    assert page.locator("#my-goal").inner_text().count("32.00") >= 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.clock.install()  # the page's timers run on a fake clock from here on; the server keeps real time
    with page.expect_response(lambda r: r.url.endswith(f"/study/materials/{material.id}/open")) as opened:
        page.click("text=指尖党课：学习党章")
    assert opened.value.status == 200, opened.value.text()
    page.wait_for_selector("#study-timer")

    # A minute of real time passes on the server's clock; the page's own timer is fast-forwarded.
    MaterialProgress.objects.filter(member=member).update(anchor_at=F("anchor_at") - timedelta(seconds=60))
    with page.expect_response(lambda r: r.url.endswith("/api/v1/study/progress"), timeout=10_000) as resp:
        page.clock.run_for(31_000)
    assert resp.value.status == 200, resp.value.text()
    credited = sum(StudyCredit.objects.filter(member=member, material=material).values_list("seconds", flat=True))
    assert 30 <= credited <= 31
    assert "记录失败" not in page.locator("#study-status").inner_text()
    page.route("**/api/v1/study/**", lambda route: route.abort())  # no last report racing the teardown on close
    phone.close()
    # A report the page sends while it closes (pagehide) may still reach the live server: let it finish before the
    # test database is flushed, or SQLite's flush can fail on a half-done request.
    time.sleep(1.5)
    connections.close_all()  # the ORM ran inside Playwright's event loop on its own connection: release it
