"""Issue 14 item 7 — phone layout: a branch secretary opens the main pages of every area on a 390 px phone;
no page scrolls sideways, requests anything off this machine, or logs a console error.

The pages are the first entries of each app's menu (so a new area is covered automatically) plus the
per-branch pages the menus lead to. Every problem is collected, then reported together with its URL."""
from datetime import date

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse

from dangjian.accounts.models import Role
from dangjian.accounts.scope import can
from dangjian.core.idnumber import generate_id_number
from dangjian.core.testing import browser_login, make_tree, make_user
from dangjian.members import services as member_services
from dangjian.visits.tests.helpers import make_household

from .guard import OVERFLOW_JS, Guard, _close_db_connections  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MENU_ENTRIES_PER_APP = 2


def menu_pages(user, org) -> list[str]:
    paths = []
    for config in apps.get_app_configs():
        for _label, name, _icon, perm in list(getattr(config, "menu", []))[:MENU_ENTRIES_PER_APP]:
            if perm and not can(user, perm, org):
                continue
            try:
                paths.append(reverse(name))
            except NoReverseMatch:
                continue
    return paths


def test_main_pages_fit_a_phone(phone, live_server):
    tree = make_tree()
    branch = tree["branch_one"]
    li = make_user("li", branch, Role.Kind.SECRETARY)
    member = member_services.member_create(actor=li, org=branch, data={
        "name": "欧阳明辉", "gender": "M", "birth_date": date(1983, 6, 18), "stage": "full",
        "id_number": generate_id_number(birth_date=date(1983, 6, 18), gender="M", seq=41),
        "joined_on": date(2008, 7, 1), "full_on": date(2009, 7, 1), "phone": "13912345678",
        "unit_name": "绿博园管理处"})
    make_household(branch, "张大爷", tags=",elderly_alone,")
    pages = ["/"] + menu_pages(li, branch) + [
        f"/orgs/{branch.id}/", f"/members/{member.id}/", f"/members/{member.id}/edit/",
        f"/points/members/{member.id}/", f"/dues/org/{branch.id}/sheet/", f"/care/org/{branch.id}/anniversaries/",
        f"/reports/ledgers/?org={branch.id}", "/visits/logs/new/", "/portal/"]
    pages = list(dict.fromkeys(pages))
    guard = Guard(phone)
    browser_login(phone, live_server, "li")
    guard.check()

    overflow, broken, problems = [], [], []
    for path in pages:
        response = phone.goto(live_server.url + path)
        phone.wait_for_load_state("networkidle")
        if response is None or response.status >= 400:
            broken.append(f"{path}: HTTP {response and response.status}")
        if not phone.evaluate(OVERFLOW_JS):
            width = phone.evaluate("document.documentElement.scrollWidth")
            overflow.append(f"{path} (scrollWidth {width} > 390)")
        problems += guard.problems()
    print(f"{len(pages)} pages visited on a phone")
    report = [f"overflow: {o}" for o in overflow] + [f"error page: {b}" for b in broken] + problems
    assert not report, f"{len(report)} problem(s) on {len(pages)} pages:\n" + "\n".join(report)
