"""Issue 14 item 7 — 民情通: a secretary writes a visit diary for a household, turns the resident's need into a
petition, and follows that petition's first-responsibility deadline on the secretary side."""
import pytest

from dangjian.accounts.models import Role
from dangjian.core.testing import browser_login, make_tree, make_user
from dangjian.petitions.models import Petition
from dangjian.visits.models import VisitLog
from dangjian.visits.tests.helpers import make_household, make_member

from .guard import Guard, _close_db_connections  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visit_diary_becomes_a_petition_with_its_deadline(page, live_server):
    tree = make_tree()
    branch = tree["branch_one"]
    make_user("li", branch, Role.Kind.SECRETARY)
    visitor = make_member(branch, "刘一")
    household = make_household(branch, "张大爷", tags=",elderly_alone,")
    guard = Guard(page)
    browser_login(page, live_server, "li")
    guard.check()

    guard.goto(f"{live_server.url}/visits/")
    assert page.get_by_text("张大爷").count() >= 1

    guard.goto(f"{live_server.url}/visits/logs/new/")
    page.get_by_label("走访党员", exact=True).select_option(str(visitor.id))
    page.get_by_label("走访户", exact=True).select_option(str(household.id))
    page.get_by_label("民情记录（听到了什么）", exact=True).fill("张大爷独居，身体尚可，反映楼道灯坏了。")
    page.get_by_label("群众诉求", exact=True).fill("3 号楼楼道灯不亮，请物业维修。")
    page.locator("input[name=create_petition]").check()
    page.get_by_label("跨区域走访说明", exact=True).fill("网格员请假，代为走访")
    with page.expect_navigation():  # the POST and its redirect
        page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".alert-success", has_text="并已转为诉求").count() == 1, page.locator(
        ".field-error, .alert-danger").all_inner_texts()
    guard.check()
    log = VisitLog.objects.get()
    assert (log.member_id, log.household_id) == (visitor.id, household.id)
    petition = Petition.objects.get(visit_log=log)
    assert petition.current_due is not None

    # The secretary side: the queue shows it with its SLA badge; the detail lists each step's deadline.
    guard.goto(f"{live_server.url}/petitions/")
    row = page.locator("tbody tr", has_text=petition.title[:12])
    assert row.count() == 1
    badge = row.locator(".badge[title]").first
    assert badge.get_attribute("title") == f"时限 {petition.current_due:%Y-%m-%d}"
    row.get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    guard.check()
    assert page.url.rstrip("/").endswith(f"/petitions/{petition.id}")
    steps = page.locator("table", has_text="时限（工作日）")
    pending = steps.locator("tr.table-warning, tr.table-danger")
    assert pending.count() == 1
    assert f"{petition.current_due:%Y-%m-%d}" in pending.inner_text()
    assert "民情日记" in page.locator("body").inner_text()  # linked back to its diary
