"""Browser, on a phone: a branch secretary marks the week's prompt done and grades a member in the 民主评议."""
import pytest
from django.db import connections
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.testing import browser_login, make_tree, make_user

from .. import prompts, reviews, rules
from ..models import ReviewGrade, WorkPromptDone
from .helpers import make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_secretary_works_the_week_and_the_review_on_a_phone(phone, live_server):
    tree = make_tree()
    branch = tree["branch_one"]
    zhang = make_user("zhang", tree["root"], Role.Kind.ADMIN)
    li = make_user("li", branch, Role.Kind.SECRETARY)
    member = make_member(branch, "钱学军")
    prompt = prompts.prompt_publish(actor=zhang, org=tree["community"], week=timezone.localdate(),
                                    title="集中开展冬季民情走访")
    review = reviews.review_open(actor=li, org=branch, year=timezone.localdate().year)

    browser_login(phone, live_server, "li")
    phone.goto(f"{live_server.url}/meetings/prompts/?org={branch.id}")
    phone.fill("input[name=note]", "已走访 30 户")
    phone.tap("text=标记已落实")
    phone.wait_for_selector("#prompt-list >> text=已落实")
    done = WorkPromptDone.objects.get(prompt=prompt)
    assert (done.org_id, done.note) == (branch.id, "已走访 30 户")

    phone.goto(f"{live_server.url}/meetings/reviews/{review.id}/")
    phone.select_option(f"select[name=grade_{member.id}]", "excellent")
    phone.tap("text=保存评定")
    phone.wait_for_selector("text=已保存 1 名党员的评定")
    assert ReviewGrade.objects.get(review=review, member=member).grade == "excellent"
    assert rules.REVIEW_GRADES["excellent"] in phone.content()
    phone.wait_for_load_state("networkidle")
    connections.close_all()
