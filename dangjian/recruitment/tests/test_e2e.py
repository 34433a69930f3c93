"""Browser: a secretary takes an applicant from the application to full member through the pages."""
import os
import shutil
from datetime import date, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.testing import PASSWORD, make_tree, make_user
from dangjian.members.models import Member
from dangjian.recruitment import rules

from .helpers import make_full

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# (step, how to fill its form) in the order the secretary records them; dates keep the prefilled earliest.
FILL = {
    "application_talk": [("select", "talker_id", 1)],
    "sponsors_assigned": [("check", "sponsor_ids", 0), ("check", "sponsor_ids", 1)],
    "activist_assessment": [("fill", "summary", "按时提交思想汇报")],
    "introducers_assigned": [("check", "introducer_ids", 0), ("check", "introducer_ids", 1)],
    "political_review": [("fill", "conclusion", "政治历史清楚，政审合格"), ("radio", "passed", "true")],
    "candidate_training": [("fill", "days", "3")],
    "admission_vote": [("fill", "present", "5"), ("fill", "for", "5"), ("fill", "against", "0"), ("fill", "abstain", "0")],
    "approval_talk": [("fill", "talker_name", "镇党委组织委员")],
    "admission_approval": [("radio", "approved", "true")],
    "probation_assessment": [("fill", "summary", "预备期表现良好")],
    "conversion_vote": [("fill", "present", "5"), ("fill", "for", "5"), ("fill", "against", "0"), ("fill", "abstain", "0")],
    "conversion_approval": [("radio", "approved", "true")],
}
ORDER = ["application_talk", "activist_recommendation", "activist_filing", "sponsors_assigned", "activist_assessment",
         "candidate_designation", "candidate_filing", "introducers_assigned", "political_review", "candidate_training",
         "branch_review", "pre_review", "application_form", "admission_vote", "approval_talk", "admission_approval",
         "department_filing", "group_assignment", "oath", "probation_assessment", "conversion_application",
         "conversion_vote", "conversion_approval", "archiving"]


# `browser` comes from the root conftest.py (one Playwright per session).


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    # Playwright's loop gives the live server its own connections: close them, or PostgreSQL cannot drop the
    # test database at the end of the session.
    connections.close_all()


def login(page, url, username):
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def record(page, code, *, date_value=None):
    box = page.locator(f"#form-{code}")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    form = box.locator("form")
    if date_value:
        form.locator(f"input[name='{code}-date']").fill(date_value)
    for action, name, value in FILL.get(code, []):
        field = f"{code}-{name}"
        if action == "fill":
            form.locator(f"[name='{field}']").fill(value)
        elif action == "select":
            form.locator(f"select[name='{field}']").select_option(index=value)
        elif action == "check":
            form.locator(f"input[name='{field}']").nth(value).check()
        elif action == "radio":
            form.locator(f"input[name='{field}'][value='{value}']").check()
    if code == "pre_review":
        start = date.fromisoformat(form.locator(f"input[name='{code}-date']").input_value())
        form.locator("input[name='pre_review-publicity_from']").fill(start.isoformat())
        form.locator("input[name='pre_review-publicity_to']").fill((start + timedelta(days=20)).isoformat())
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_application_to_full_member_through_the_pages(browser, live_server):
    tree = make_tree()
    li = make_user("li", tree["branch_one"], Role.Kind.SECRETARY)
    make_full(li, tree["branch_one"])
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    login(page, live_server.url, "li")
    page.goto(f"{live_server.url}/recruitment/new/")
    applied = timezone.localdate() - timedelta(days=1000)
    page.fill("input[name=name]", "俞小明")
    page.select_option("select[name=gender]", "M")
    page.fill("input[name=birth_date]", "1986-04-12")
    page.fill("input[name=applied_on]", applied.isoformat())
    page.fill("input[name=unit_name]", "华强公司")
    page.click("button[type=submit]")
    page.wait_for_selector("#timeline")
    assert "已登记入党申请人" in page.content()
    member = Member.objects.get(name="俞小明")
    assert member.stage == "applicant"

    for code in ORDER:
        if code == "candidate_designation":  # the day before one year as activist is refused, with its rule
            earliest = page.locator("input[name='candidate_designation-date']").input_value()
            before = (date.fromisoformat(earliest) - timedelta(days=1)).isoformat()
            record(page, code, date_value=before)
            assert page.locator("text=R-ACTIVIST-1Y").count() >= 1
            page.goto(f"{live_server.url}/recruitment/{member.id}/")
        record(page, code)
        assert page.locator(".alert-success").count() == 1, (code, page.locator(".alert-danger, .field-error").all_inner_texts())
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), code

    member.refresh_from_db()
    assert (member.stage, member.recruitment.state) == ("full", "completed")
    assert member.full_on == rules.add_years(member.joined_on, 1)
    assert "正式党员" in page.locator(".page-title").inner_text()
    page.goto(f"{live_server.url}/recruitment/")
    assert page.locator("#pipeline-list").inner_text().count("俞小明") == 0  # completed files leave the board

    # The dossier: every step's documents listed; register the application letter that was handed in.
    page.goto(f"{live_server.url}/recruitment/{member.id}/dossier/")
    assert page.locator("#checklist .doc-missing").count() > 0
    page.select_option("select[name=kind]", "application_letter")
    page.fill("input[name=received_on]", applied.isoformat())
    page.click("#document-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    pdf = page.request.get(f"{live_server.url}/recruitment/{member.id}/dossier/pdf/")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    page.wait_for_load_state("networkidle")
    page.context.close()


def test_the_applicant_follows_their_own_progress_on_a_phone(browser, live_server):
    from .helpers import applicant, walk

    tree = make_tree()
    li = make_user("li", tree["branch_one"], Role.Kind.SECRETARY)
    vids = [m.id for m in make_full(li, tree["branch_one"])]
    me = applicant(li, tree["branch_one"], name="杨玲玲", applied_on=timezone.localdate() - timedelta(days=120))
    walk(li, me, upto="sponsors_assigned", sponsors=vids, voters=5)
    other = applicant(li, tree["branch_one"], name="别人", applied_on=timezone.localdate() - timedelta(days=3))
    zhao = make_user("zhao", tree["branch_one"], Role.Kind.MEMBER)
    Member.objects.filter(pk=me.pk).update(user=zhao)
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    login(page, live_server.url, "zhao")
    page.goto(f"{live_server.url}/recruitment/me/")
    assert "杨玲玲" in page.locator("#my-stage").inner_text()
    assert "培养教育考察" in page.locator("#my-next").inner_text()
    assert "甲党员、乙党员" in page.locator("#my-contacts").inner_text()
    assert "别人" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.goto(f"{live_server.url}/recruitment/{other.id}/").status == 404
    page.wait_for_load_state("networkidle")
    page.context.close()
