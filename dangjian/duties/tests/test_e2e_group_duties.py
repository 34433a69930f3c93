"""Browser: the committee defines the 党小组长责任清单, the group leader records on a phone, the branch secretary
sees the group's completion (seed 001)."""
from datetime import date

import pytest
from django.db import connections
from django.utils import timezone

from dangjian.accounts.models import Role
from dangjian.core.testing import browser_login, make_tree, make_user
from dangjian.duties import rules
from dangjian.duties.models import GroupDutyList, GroupDutyRecord
from dangjian.members.models import Member
from dangjian.orgs.models import PartyGroup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_leader_records_on_a_phone_and_the_branch_sees_it(browser, page, phone, live_server):
    from dangjian.members.services import member_create

    tree = make_tree()
    zhang = make_user("zhang", tree["root"], Role.Kind.ADMIN)
    make_user("li", tree["branch_one"], Role.Kind.SECRETARY)
    zhao = make_user("zhao", tree["branch_one"], Role.Kind.MEMBER)
    group = PartyGroup.objects.create(org=tree["branch_one"], name="第一党小组", leader="赵志强")
    PartyGroup.objects.create(org=tree["branch_one"], name="第二党小组", leader="钱学军")
    member = member_create(actor=zhang, org=tree["branch_one"], data={
        "name": "赵志强", "gender": "M", "birth_date": date(1985, 3, 21), "stage": "full",
        "joined_on": date(2012, 6, 30), "full_on": date(2013, 6, 30)})
    Member.objects.filter(pk=member.pk).update(user=zhao, party_group=group)
    month = rules.duty_period_of("month", timezone.localdate())

    # 1. The township committee defines the list (the form comes with seed 001's duties filled in).
    browser_login(page, live_server, "zhang")
    page.goto(f"{live_server.url}/duties/group-duties/new/")
    page.fill("input[name=title]", "党小组长责任清单")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    duty_list = GroupDutyList.objects.get()
    assert page.url.endswith(f"/duties/group-duties/{duty_list.id}/")
    assert page.locator("text=各党小组完成情况").is_visible()
    assert duty_list.items.count() == len(rules.DEFAULT_GROUP_DUTIES)

    # 2. The group leader, a plain member, finds it from 我的学习 on a phone and records this month's meeting.
    browser_login(phone, live_server, "zhao")
    phone.goto(f"{live_server.url}/study/me/")
    phone.get_by_text("党小组长责任清单：填报本小组完成情况").tap()
    phone.wait_for_load_state()
    phone.get_by_text("我担任组长的党小组").wait_for()
    phone.locator("a.list-group-item", has_text="第一党小组").tap()
    phone.wait_for_load_state()
    first = phone.locator(".list-group-item").first
    first.locator("input[name=note]").fill("学习党章，8 人参加")
    first.locator("button", has_text="填报完成").tap()
    phone.wait_for_load_state()
    phone.get_by_text(f"已填报 {month} 的完成情况").wait_for()
    assert phone.locator(".badge", has_text=f"{month} ✓").count() >= 1
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, scroll_width                                 # nothing overflows the phone
    record = GroupDutyRecord.objects.get()
    assert (record.party_group_id, record.period, record.note, record.recorded_by_id) == \
        (group.id, month, "学习党章，8 人参加", zhao.id)

    # 3. The branch secretary sees both groups; group one has one item done, group two none.
    li = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    browser_login(li, live_server, "li")
    li.goto(f"{live_server.url}/duties/group-duties/{duty_list.id}/")
    rows = li.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(0).inner_text().strip() == "第一党小组"
    assert rows.nth(0).locator("td").nth(3).inner_text().strip().startswith("1 /")
    assert rows.nth(1).locator("td").nth(3).inner_text().strip().startswith("0 /")
    li.context.close()
    connections.close_all()  # the ORM ran inside Playwright's event loop on its own connection: release it
