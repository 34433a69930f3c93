"""Issue 14 item 7 — points (先锋指数): a secretary records an entry that needs approval on a member's page, a
committee member approves it from the review queue (htmx), and the ranking shows the member on top."""
from datetime import date

import pytest

from dangjian.accounts.models import Role
from dangjian.core.testing import browser_login, make_tree, make_user
from dangjian.points import services
from dangjian.points.models import PointEntry, PointRule
from dangjian.points.tests.helpers import RULES, make_member

from .guard import Guard, _close_db_connections  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_record_approve_and_rank(browser, page, live_server):
    tree = make_tree()
    branch = tree["branch_one"]
    zhang = make_user("zhang", tree["root"], Role.Kind.ADMIN)
    make_user("li", branch, Role.Kind.SECRETARY)
    make_user("deputy", branch, Role.Kind.COMMITTEE_MEMBER)
    for code in ("MEET", "HONOR"):
        services.rule_create(actor=zhang, org=tree["root"], code=code, data=RULES[code], valid_from=date(2020, 1, 1),
                             subject=PointRule.Subject.MEMBER)
    hero = make_member(branch, "钱一")
    make_member(branch, "孙二")
    guard = Guard(page)
    browser_login(page, live_server, "li")
    guard.check()

    guard.goto(f"{live_server.url}/points/members/{hero.id}/")
    page.get_by_label("积分标准").select_option("HONOR")
    page.get_by_label("事由", exact=True).fill("获评县级优秀共产党员")
    with page.expect_navigation():  # the POST and its redirect
        page.get_by_role("button", name="记录", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-success", has_text="县级以上表彰").count() == 1, page.locator(
        ".field-error, .alert-danger").all_inner_texts()
    entry = PointEntry.objects.get(member=hero)
    assert entry.status == PointEntry.Status.PENDING
    guard.check()

    # Another committee member approves it from the queue (the recorder may not approve their own entry).
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    other = desk.new_page()
    other_guard = Guard(other)
    browser_login(other, live_server, "deputy")
    other_guard.goto(f"{live_server.url}/points/queue/?org={branch.id}")
    row = other.locator(f"#entry-{entry.id}")
    row.get_by_placeholder("审核意见").fill("材料齐全")
    row.get_by_role("button", name="通过").click()
    other.locator(f"#entry-{entry.id} .badge", has_text="已生效").wait_for()
    other.wait_for_load_state("networkidle")
    other_guard.check()
    desk.close()
    entry.refresh_from_db()
    assert entry.status == PointEntry.Status.APPROVED and entry.decision_note == "材料齐全"

    # The ranking of the branch for the current period: 钱一 first with base + 10, 孙二 behind.
    guard.goto(f"{live_server.url}/points/ranking/?org={branch.id}")
    rows = page.locator("#ranking-table tbody tr")
    assert rows.count() == 2
    assert "钱一" in rows.nth(0).inner_text() and "孙二" in rows.nth(1).inner_text()
    top, second = (float(rows.nth(i).locator("td.fw-bold").inner_text()) for i in (0, 1))
    assert top > second  # +10 points, times the category weight of the scheme
    page.wait_for_function("document.querySelector('#ranking-chart canvas') !== null")
    guard.check()
