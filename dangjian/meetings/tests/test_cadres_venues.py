"""双重组织生活 (report, export, 提醒卡) and meetings held at a venue (阵地, issue 15)."""
from datetime import date, timedelta

from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient
from dangjian.standards.models import Venue

from ..models import Meeting
from .helpers import MeetingTestCase, held_meeting, make_member


class CadreTests(MeetingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cadre = make_member(cls.branch_one, "钱镇长", cadre=True)
        cls.cadre_two = make_member(cls.branch_two, "孙副镇长", cadre=True)
        year = timezone.localdate().year
        members = [cls.cadre, cls.zhao_member]
        held_meeting(cls.branch_one, "theme_day", date(year, 1, 8), members=members, present=2)
        held_meeting(cls.branch_one, "assembly", date(year, 1, 20), members=members, present=1)  # cadre present
        held_meeting(cls.branch_one, "lecture", date(year, 1, 22), members=[cls.zhao_member, cls.cadre], present=1)

    def test_report_counts_each_kind_of_the_own_branch(self):
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/cadre-attendance")
        self.assertEqual(r.status_code, 200, r.content)
        items = r.json()["items"]
        self.assertEqual([i["name"] for i in items], ["钱镇长"])
        kinds = items[0]["kinds"]
        self.assertEqual((kinds["theme_day"]["present"], kinds["theme_day"]["expected"]), (1, 1))
        self.assertEqual((kinds["assembly"]["present"], kinds["assembly"]["expected"]), (1, 1))
        self.assertEqual((kinds["lecture"]["present"], kinds["lecture"]["absent"]), (0, 1))
        self.assertEqual((items[0]["present"], items[0]["expected"], items[0]["rate"]), (2, 3, 0.6667))
        # the township admin sees both branches' cadres
        names = [i["name"] for i in self.api_as(self.zhang).get(f"/orgs/{self.root.id}/cadre-attendance").json()["items"]]
        self.assertEqual(sorted(names), sorted(["钱镇长", "孙副镇长"]))

    def test_page_export_and_card(self):
        web = self.web_as(self.li)
        r = web.get(f"/meetings/cadres/?org={self.branch_one.id}")
        self.assertContains(r, "钱镇长")
        self.assertContains(r, "1/1")
        r = web.get(f"/meetings/cadres/?org={self.branch_one.id}&format=xlsx")
        self.assertEqual(r.status_code, 200)
        import io

        ws = load_workbook(io.BytesIO(r.content)).active
        self.assertEqual(ws.cell(row=3, column=1).value, "钱镇长")
        self.assertTrue(AuditEvent.objects.filter(verb="meeting.cadre_export").exists())
        upcoming = self.new_meeting(kind="theme_day", starts_in=timedelta(days=3))
        r = web.get(f"/meetings/cadres/{self.cadre.id}/card/")
        self.assertContains(r, "一次不能少")
        self.assertContains(r, upcoming.title)
        r = self.api_as(self.li).get(f"/cadres/{self.cadre.id}/reminder-card")
        self.assertEqual(r.json()["upcoming"][0]["id"], upcoming.id)
        self.assertEqual(r.json()["total"]["expected"], 3)

    def test_member_sees_own_card_only(self):
        self.zhao_member.is_cadre = True
        self.zhao_member.save()
        web = self.web_as(self.zhao)
        self.assertContains(web.get("/meetings/mine/"), "查看我的提醒卡")
        self.assertEqual(web.get(f"/meetings/cadres/{self.zhao_member.id}/card/").status_code, 200)
        self.assertEqual(web.get(f"/meetings/cadres/{self.cadre.id}/card/").status_code, 404)

    def test_outsider_and_anonymous(self):
        api, web = self.api_as(self.wang), self.web_as(self.wang)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/cadre-attendance").status_code, 404)
        self.assertEqual(api.get(f"/cadres/{self.cadre.id}/reminder-card").status_code, 404)
        self.assertEqual(web.get(f"/meetings/cadres/?org={self.branch_one.id}").status_code, 404)
        self.assertEqual(web.get(f"/meetings/cadres/?org={self.branch_one.id}&format=xlsx").status_code, 404)
        self.assertEqual(web.get(f"/meetings/cadres/{self.cadre.id}/card/").status_code, 404)
        own = api.get(f"/orgs/{self.branch_two.id}/cadre-attendance").json()["items"]
        self.assertEqual([i["name"] for i in own], ["孙副镇长"])
        self.assertEqual(ApiClient().get(f"/orgs/{self.branch_one.id}/cadre-attendance").status_code, 401)
        r = self.client.get("/meetings/cadres/")
        self.assertIn("/login/", r["Location"])
        self.assertFalse(AuditEvent.objects.filter(verb="meeting.cadre_export").exists())

    def test_bad_input(self):
        api = self.api_as(self.li)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/cadre-attendance", {"year": 1900}).status_code, 422)
        self.assertEqual(api.get("/cadres/abc/reminder-card").status_code, 422)
        web = self.web_as(self.li)
        r = web.get(f"/meetings/cadres/?org={self.branch_one.id}&year=abc")
        self.assertEqual(r.status_code, 200)  # falls back to this year


class VenueTests(MeetingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        kw = {"kind": "party_home", "address": "某路 1 号"}
        cls.own = Venue.objects.create(org=cls.branch_one, name="第一党支部党员之家", **kw)
        cls.above = Venue.objects.create(org=cls.community, name="社区党群服务中心", **kw)
        cls.sibling = Venue.objects.create(org=cls.branch_two, name="第二党支部活动室", **kw)
        cls.closed = Venue.objects.create(org=cls.branch_one, name="旧活动室", is_active=False, **kw)

    def payload(self, **extra):
        start = timezone.now() + timedelta(days=2)
        return {"org_id": self.branch_one.id, "kind": "theme_day", "title": "在阵地开展主题党日",
                "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(), **extra}

    def test_venue_of_the_org_or_above(self):
        api = self.api_as(self.li)
        for venue in (self.own, self.above):
            r = api.post("/meetings", self.payload(venue_id=venue.id))
            self.assertEqual(r.status_code, 201, r.content)
            self.assertEqual((r.json()["venue_id"], r.json()["venue_name"]), (venue.id, venue.name))
        mid = r.json()["id"]
        r = api.patch(f"/meetings/{mid}", {"venue_id": self.own.id})
        self.assertEqual(r.json()["venue_id"], self.own.id)
        r = api.patch(f"/meetings/{mid}", {"venue_id": None})
        self.assertIsNone(r.json()["venue_id"])
        self.assertEqual(api.get("/meetings", {"org_id": self.branch_one.id}).json()["items"][0]["venue_id"], None)

    def test_other_venues_are_refused_and_nothing_changes(self):
        api = self.api_as(self.zhang)
        for venue_id in (self.sibling.id, self.closed.id, 999999):
            r = api.post("/meetings", self.payload(venue_id=venue_id))
            self.assertEqual(r.status_code, 400, venue_id)
            self.assertEqual(r.json()["field"], "venue_id")
        self.assertEqual(Meeting.objects.count(), 0)
        m = self.new_meeting()
        r = api.patch(f"/meetings/{m.id}", {"venue_id": self.sibling.id, "title": "改了"})
        self.assertEqual(r.status_code, 400)
        m.refresh_from_db()
        self.assertEqual((m.venue_id, m.title), (None, "测试会议"))
        r = api.patch(f"/meetings/{m.id}", {"venue_id": "abc"})
        self.assertEqual(r.status_code, 422)

    def test_form_offers_venues_and_page_shows_it(self):
        web = self.web_as(self.li)
        r = web.get("/meetings/new/")
        self.assertContains(r, "社区党群服务中心")
        self.assertNotContains(r, "第二党支部活动室")
        self.assertNotContains(r, "旧活动室")
        start = timezone.localtime(timezone.now() + timedelta(days=2))
        r = web.post("/meetings/new/", {
            "org_id": self.branch_one.id, "kind": "theme_day", "title": "阵地活动", "venue_id": self.own.id,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
        self.assertEqual(r.status_code, 302, r.content[:500])
        m = Meeting.objects.get(title="阵地活动")
        self.assertEqual(m.venue_id, self.own.id)
        r = web.get(f"/meetings/{m.id}/")
        self.assertContains(r, "第一党支部党员之家")
        self.assertContains(r, "某路 1 号")
        r = web.get(f"/meetings/{m.id}/edit/")
        self.assertContains(r, "社区党群服务中心")
        r = web.post("/meetings/new/", {
            "org_id": self.branch_one.id, "kind": "theme_day", "title": "错阵地", "venue_id": self.sibling.id,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
        self.assertEqual(r.status_code, 200)  # not a choice of the form
        self.assertFalse(Meeting.objects.filter(title="错阵地").exists())
