"""Issue 14 item 7 — dues and care: a secretary ticks a member's month as paid on the 党费收缴表 (htmx, with the
confirmation dialog), and opens the anniversaries calendar (birthdays, 政治生日) of the branch."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.testing import browser_login, make_tree, make_user
from dangjian.dues import services as dues_services
from dangjian.dues.models import DuesPayment
from dangjian.dues.tests.helpers import make_member, ml, this_month

from .guard import Guard, _close_db_connections  # noqa: F401  (autouse fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def years_before(day, years):
    return day.replace(year=day.year - years)


def test_tick_to_pay_then_anniversary_calendar(page, live_server):
    tree = make_tree()
    branch = tree["branch_one"]
    li = make_user("li", branch, Role.Kind.SECRETARY)
    today = timezone.localdate()
    liu = make_member(branch, "刘红梅", joined_on=years_before(today + timedelta(days=10), 20),
                      birth_date=years_before(today + timedelta(days=5), 45))
    dues_services.dues_base_set(actor=li, member=liu, category="employed", income="4000.00", effective_from=ml(-2))
    guard = Guard(page)
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm asks before recording cash
    browser_login(page, live_server, "li")
    guard.check()

    month = ml(0)
    guard.goto(f"{live_server.url}/dues/org/{branch.id}/sheet/?year={this_month().year}&month={month}")
    row = page.locator("tr", has_text="刘红梅")
    button = row.locator(f"button[hx-vals*='{month}']")
    assert button.count() == 1, row.inner_text()
    amount = button.inner_text().strip()
    button.click()
    row.locator("td.dues-cell[data-state=paid]").wait_for()
    page.wait_for_load_state("networkidle")
    guard.check()
    payment = DuesPayment.objects.get(member=liu)
    assert payment.amount == Decimal(amount.replace("减", ""))
    assert row.locator("[role=alert]").count() == 0
    page.reload()  # the sheet itself now shows the month paid
    page.wait_for_load_state("networkidle")
    assert page.locator("tr", has_text="刘红梅").locator("td.dues-cell[data-state=paid]").count() == 1
    guard.check()

    # The member's own dues page lists the payment.
    guard.goto(f"{live_server.url}/dues/member/{liu.id}/")
    assert month in page.locator("body").inner_text()

    # 关怀: the anniversaries calendar of the next 30 days shows the birthday and the 20th 政治生日 (逢十).
    guard.goto(f"{live_server.url}/care/org/{branch.id}/anniversaries/")
    items = page.locator(".list-group-item", has_text="刘红梅")
    assert items.count() == 2, page.locator("body").inner_text()[:2000]
    assert items.filter(has_text="45 岁").count() == 1
    political = items.filter(has_text="入党 20 周年")
    assert political.count() == 1 and "逢十" in political.inner_text()
    page.get_by_label("类型").select_option("birthday")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".list-group-item", has_text="刘红梅").count() == 1
    guard.check()
