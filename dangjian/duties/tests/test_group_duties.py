"""党小组长责任清单 (seed 001): a committee defines the items, each 党小组 leader records completion per item and
period, the branch and the committee see completion across groups. Scope, anonymous and bad input."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from dangjian.core.testing import ApiClient, make_user
from dangjian.duties import rules
from dangjian.duties.models import GroupDutyItem, GroupDutyList, GroupDutyRecord
from dangjian.members.models import Member
from dangjian.orgs.models import PartyGroup

from .base import DutiesCase, make_member

ITEMS = [{"content": "组织召开党小组会", "frequency": "month"},
         {"content": "党员日常教育培训", "frequency": "quarter"},
         {"content": "走访困难党员", "frequency": "year"}]


# --- rules ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("day,month,quarter,year", [
    (date(2025, 1, 1), "2025-01", "2025-Q1", "2025"), (date(2025, 3, 31), "2025-03", "2025-Q1", "2025"),
    (date(2025, 4, 1), "2025-04", "2025-Q2", "2025"), (date(2025, 12, 31), "2025-12", "2025-Q4", "2025")])
def test_period_of(day, month, quarter, year):
    assert (rules.duty_period_of("month", day), rules.duty_period_of("quarter", day),
            rules.duty_period_of("year", day)) == (month, quarter, year)


def test_period_bounds():
    assert (rules.period_start("2025-Q2"), rules.period_end("2025-Q2")) == (date(2025, 4, 1), date(2025, 6, 30))
    assert (rules.period_start("2024-02"), rules.period_end("2024-02")) == (date(2024, 2, 1), date(2024, 2, 29))
    assert (rules.period_start("2025"), rules.period_end("2025")) == (date(2025, 1, 1), date(2025, 12, 31))
    for bad in ("2025-13", "2025-00", "2025-Q5", "25-01", "2025-1", "", "2025-Q1x"):
        assert rules.period_start(bad) is None, bad


def test_periods_due_counts_the_current_period_from_its_first_day():
    assert rules.periods_due("month", 2025, on=date(2025, 3, 31)) == ["2025-01", "2025-02", "2025-03"]
    assert rules.periods_due("month", 2025, on=date(2025, 4, 1))[-1] == "2025-04"
    assert rules.periods_due("quarter", 2025, on=date(2025, 3, 31)) == ["2025-Q1"]
    assert rules.periods_due("quarter", 2025, on=date(2025, 4, 1)) == ["2025-Q1", "2025-Q2"]
    assert rules.periods_due("year", 2025, on=date(2024, 12, 31)) == []


def test_check_duty_record_boundaries():
    today = date(2025, 4, 15)
    ok = dict(frequency="month", period="2025-04", year=2025, today=today)
    assert rules.check_duty_record(done_on=date(2025, 4, 1), **ok) is None        # the period's first day
    assert rules.check_duty_record(done_on=today, **ok) is None                    # today
    assert "早于" in rules.check_duty_record(done_on=date(2025, 3, 31), **ok)      # the day before the period
    assert "晚于今天" in rules.check_duty_record(done_on=date(2025, 4, 16), **ok)  # tomorrow
    assert rules.check_duty_record(frequency="month", period="2025-03", year=2025, done_on=today,
                                   today=today) is None                            # a late entry for March
    assert "尚未开始" in rules.check_duty_record(frequency="month", period="2025-05", year=2025,
                                              done_on=today, today=today)
    assert "周期" in rules.check_duty_record(frequency="quarter", period="2025-04", year=2025, done_on=today,
                                           today=today)                            # a month for a quarterly item
    assert "周期" in rules.check_duty_record(frequency="month", period="2024-04", year=2025, done_on=today,
                                           today=today)                            # another year


# --- services, API and pages ----------------------------------------------------------------------

class GroupDutyCase(DutiesCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = timezone.localdate()
        cls.g1 = PartyGroup.objects.create(org=cls.branch_one, name="第一党小组", leader="赵组长")
        cls.g2 = PartyGroup.objects.create(org=cls.branch_one, name="第二党小组", leader="钱组长")
        cls.g3 = PartyGroup.objects.create(org=cls.branch_two, name="二支部党小组", leader="孙组长")
        leader = make_member(cls.zhang, cls.branch_one, "赵组长")
        Member.objects.filter(pk=leader.pk).update(user=cls.zhao, party_group=cls.g1)
        cls.qian = make_user("qian", cls.branch_one, "member")      # a plain member of group 1, not its leader
        plain = make_member(cls.zhang, cls.branch_one, "钱某")
        Member.objects.filter(pk=plain.pk).update(user=cls.qian, party_group=cls.g1)

    def setUp(self):
        r = self.api_as(self.zhang).post("/duties/group-duty-lists", {"org_id": self.community.id,
                                                                      "year": self.today.year, "items": ITEMS})
        self.assertEqual(r.status_code, 201, r.content)
        self.list = r.json()
        self.monthly, self.quarterly, self.yearly = [i["id"] for i in self.list["items"]]
        self.month = rules.duty_period_of("month", self.today)

    def record(self, user, group, **changes):
        body = {"party_group_id": group.id, "item_id": self.monthly, "period": self.month,
                "done_on": str(self.today), "note": "已召开", **changes}
        return self.api_as(user).post(f"/duties/group-duty-lists/{self.list['id']}/records", body)

    def board(self, user, **params):
        return self.api_as(user).get(f"/duties/group-duty-lists/{self.list['id']}/board", params)


class GroupDutyApiTests(GroupDutyCase):
    def test_list_defined_by_the_committee(self):
        self.assertEqual([i["frequency"] for i in self.list["items"]], ["month", "quarter", "year"])
        self.assertEqual(self.list["org_id"], self.community.id)
        r = self.api_as(self.li).get("/duties/group-duty-lists")
        self.assertEqual([d["id"] for d in r.json()["items"]], [self.list["id"]])  # visible from below

    def test_leader_records_and_the_branch_and_committee_see_completion(self):
        r = self.record(self.zhao, self.g1)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(self.record(self.li, self.g1, item_id=self.yearly, period=str(self.today.year))
                         .status_code, 201)
        due = self.today.month + rules.quarter_of(self.today) + 1   # months + quarters + the year begun so far
        body = self.board(self.zhang).json()
        rows = {row["party_group_id"]: row for row in body["items"]}
        self.assertEqual(set(rows), {self.g1.id, self.g2.id, self.g3.id})
        self.assertEqual((rows[self.g1.id]["done"], rows[self.g1.id]["due"]), (2, due))
        self.assertEqual(rows[self.g1.id]["open_now"], [self.quarterly])
        self.assertEqual(rows[self.g2.id]["done"], 0)
        self.assertEqual(body["done"], 2)
        self.assertEqual(body["due"], 3 * due)
        li_rows = [row["party_group_id"] for row in self.board(self.li).json()["items"]]
        self.assertEqual(li_rows, [self.g1.id, self.g2.id])
        self.assertEqual([row["party_group_id"] for row in self.board(self.zhao).json()["items"]], [self.g1.id])
        sheet = self.api_as(self.zhao).get(f"/duties/group-duty-lists/{self.list['id']}/groups/{self.g1.id}").json()
        month_cells = {c["period"]: c for c in sheet["items"][0]["periods"]}
        self.assertEqual(month_cells[self.month]["state"], "done")
        self.assertEqual(month_cells[self.month]["note"], "已召开")
        r = self.board(self.zhang, org=self.branch_two.id)
        self.assertEqual([row["party_group_id"] for row in r.json()["items"]], [self.g3.id])

    def test_outsider_member_and_anonymous(self):
        self.record(self.zhao, self.g1)
        wang = self.api_as(self.wang)
        self.assertEqual([row["party_group_id"] for row in self.board(self.wang).json()["items"]], [self.g3.id])
        self.assertEqual(wang.get(f"/duties/group-duty-lists/{self.list['id']}/groups/{self.g1.id}").status_code,
                         404)
        self.assertEqual(self.record(self.wang, self.g1).status_code, 404)
        self.assertEqual(self.board(self.wang, org=self.branch_one.id).status_code, 404)
        self.assertEqual(wang.get("/duties/group-duty-lists", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(self.record(self.zhao, self.g2).status_code, 404)       # leads group 1 only
        self.assertEqual(self.record(self.qian, self.g1).status_code, 404)       # a member, not the leader
        self.assertEqual(self.api_as(self.qian).get("/duties/group-duty-lists").json()["count"], 0)
        self.assertEqual(ApiClient().get("/duties/group-duty-lists").status_code, 401)
        self.assertEqual(ApiClient().post(f"/duties/group-duty-lists/{self.list['id']}/records", {}).status_code,
                         401)
        # a list issued by branch two is not visible to branch one
        other = self.api_as(self.wang).post("/duties/group-duty-lists", {"org_id": self.branch_two.id,
                                                                         "items": ITEMS[:1]})
        self.assertEqual(other.status_code, 201)
        self.assertEqual(self.api_as(self.li).get(f"/duties/group-duty-lists/{other.json()['id']}").status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get(f"/duties/group-duty-lists/{other.json()['id']}").status_code,
                         404)


class GroupDutyBadInputTests(GroupDutyCase):
    def setUp(self):
        super().setUp()
        self.before = self.counts(GroupDutyList, GroupDutyItem, GroupDutyRecord)

    def tearDown(self):
        self.assertEqual(self.counts(GroupDutyList, GroupDutyItem, GroupDutyRecord), self.before)

    def test_bad_lists(self):
        api = self.api_as(self.zhang)
        body = {"org_id": self.community.id, "year": self.today.year, "title": "另一份清单"}
        self.assert_refused(api.post("/duties/group-duty-lists", {**body, "items": []}), 400, "至少")
        self.assert_refused(api.post("/duties/group-duty-lists", {**body, "items": [{"content": "x",
                                                                                     "frequency": "week"}]}), 400,
                            "周期")
        self.assert_refused(api.post("/duties/group-duty-lists", {**body, "items": [{"content": " "}]}), 400, "内容")
        self.assert_refused(api.post("/duties/group-duty-lists", {**body, "items": ITEMS[:1] * 2}), 400, "重复")
        self.assert_refused(api.post("/duties/group-duty-lists", {**body, "year": 1800, "items": ITEMS}), 400, "年度")
        self.assert_refused(api.post("/duties/group-duty-lists", {**body, "items": "abc"}), 422)
        self.assert_refused(api.post("/duties/group-duty-lists", {**body, "title": self.list["title"],
                                                                  "items": ITEMS}), 409)
        self.assert_refused(self.api_as(self.wang).post("/duties/group-duty-lists",
                                                        {**body, "org_id": self.branch_one.id, "items": ITEMS}), 404)
        self.assert_refused(self.api_as(self.zhao).post("/duties/group-duty-lists",
                                                        {**body, "org_id": self.branch_one.id, "items": ITEMS}), 404)

    def test_bad_records(self):
        first = self.today.replace(day=1)
        for changes, status, fragment in [
            ({"period": "2025-13"}, 400, "周期"), ({"period": "abc"}, 400, "周期"),
            ({"item_id": self.quarterly}, 400, "周期"),                      # a month given for a quarterly item
            ({"done_on": str(first - timedelta(days=1))}, 400, "早于"),
            ({"done_on": str(self.today + timedelta(days=1))}, 400, ""),
            ({"period": f"{self.today.year + 1}-01"}, 400, "周期"),
            ({"item_id": 999999}, 400, "事项"), ({"note": "x" * 301}, 400, "300"),
            ({"done_on": "2025-02-30"}, 422, ""), ({"item_id": "x"}, 422, ""),
        ]:
            self.assert_refused(self.record(self.zhao, self.g1, **changes), status, fragment)
        self.assertEqual(self.record(self.zhao, self.g1).status_code, 201)
        self.before = self.counts(GroupDutyList, GroupDutyItem, GroupDutyRecord)
        self.assert_refused(self.record(self.li, self.g1), 409, "已填报")


class GroupDutyPagesTests(GroupDutyCase):
    def test_pages_render_for_committee_branch_and_leader(self):
        url = f"/duties/group-duties/{self.list['id']}/"
        sheet = f"/duties/group-duties/{self.list['id']}/groups/{self.g1.id}/"
        for user in (self.zhang, self.li):
            web = self.web_as(user)
            for u in ("/duties/group-duties/", url, sheet):
                self.assertEqual(web.get(u).status_code, 200, (user, u))
        self.assertEqual(self.web_as(self.zhang).get("/duties/group-duties/new/").status_code, 200)
        leader = self.web_as(self.zhao)
        r = leader.get("/duties/group-duties/")
        self.assertContains(r, "我担任组长的党小组")
        self.assertContains(r, sheet)
        self.assertContains(leader.get(sheet), "填报完成")
        self.assertContains(leader.get("/study/me/"), "党小组长责任清单")

    def test_create_from_the_form_and_record_from_the_sheet(self):
        web = self.web_as(self.zhang)
        r = web.post("/duties/group-duties/new/", {"year": self.today.year, "title": "网格党小组责任清单",
                                                   "items": "每月|卫生保洁\n每季度|河道养护"})
        d = GroupDutyList.objects.get(title="网格党小组责任清单")
        self.assertRedirects(r, f"/duties/group-duties/{d.id}/")
        self.assertEqual(list(d.items.values_list("frequency", flat=True)), ["month", "quarter"])
        item = d.items.get(frequency="month")
        sheet = f"/duties/group-duties/{d.id}/groups/{self.g1.id}/"
        r = self.web_as(self.zhao).post(sheet, {"item_id": item.id, "period": self.month,
                                                "done_on": str(self.today), "note": "清扫楼道"})
        self.assertRedirects(r, sheet)
        self.assertEqual(GroupDutyRecord.objects.get(duty_list=d).note, "清扫楼道")
        self.assertContains(self.web_as(self.li).get(f"/duties/group-duties/{d.id}/"), "第一党小组")

    def test_outsider_plain_member_anonymous_and_bad_posts_change_nothing(self):
        before = self.counts(GroupDutyList, GroupDutyItem, GroupDutyRecord)
        sheet = f"/duties/group-duties/{self.list['id']}/groups/{self.g1.id}/"
        wang = self.web_as(self.wang)
        self.assertEqual(wang.get(sheet).status_code, 404)
        self.assertEqual(wang.post(sheet, {"item_id": self.monthly, "period": self.month,
                                           "done_on": str(self.today)}).status_code, 404)
        self.assertNotContains(wang.get(f"/duties/group-duties/{self.list['id']}/"), "第一党小组")
        self.assertEqual(wang.get(f"/duties/group-duties/{self.list['id']}/?org={self.branch_one.id}").status_code,
                         404)
        qian = self.web_as(self.qian)
        self.assertEqual(qian.get("/duties/group-duties/").status_code, 404)
        self.assertEqual(qian.get(sheet).status_code, 404)
        self.assertEqual(qian.post(sheet, {"item_id": self.monthly, "period": self.month}).status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get("/duties/group-duties/new/").status_code, 404)
        for u in ("/duties/group-duties/", sheet, "/duties/group-duties/new/"):
            self.assertTrue(self.client.get(u)["Location"].startswith("/login/"), u)
        leader = self.web_as(self.zhao)
        self.assertEqual(leader.post(sheet, {"item_id": self.monthly, "period": "2025-13",
                                             "done_on": str(self.today)}).status_code, 400)
        self.assertEqual(leader.post(sheet, {"item_id": "x", "period": self.month}).status_code, 400)
        r = self.web_as(self.zhang).post("/duties/group-duties/new/", {"year": self.today.year, "title": "坏清单",
                                                                       "items": "每周|卫生保洁"})
        self.assertContains(r, "不是有效的周期", status_code=400)
        self.assertEqual(self.counts(GroupDutyList, GroupDutyItem, GroupDutyRecord), before)
