import io
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.petitions.models import Petition
from dangjian.visits import rules
from dangjian.visits.models import (AnalysisMeeting, HelpRecord, Household, MonthlyPublication, Pairing, SpotCheck,
                                    VisitLog, VisitPlan)

from .helpers import VisitsTestCase

TODAY = timezone.localdate


class PageAccessTests(VisitsTestCase):
    def test_anonymous_redirected_to_login(self):
        for url in ["/visits/", "/visits/my/", "/visits/logs/", "/visits/logs/new/", "/visits/plans/",
                    "/visits/coverage/", "/visits/checks/", f"/visits/households/{self.h_one.id}/",
                    "/visits/logs/export/"]:
            r = Client().get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertTrue(r["Location"].startswith("/login/"), url)

    def test_pages_render_for_the_secretary(self):
        log = VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one, visited_on=TODAY(),
                                      notes="张大爷想申请居家养老服务", needs="申请助餐")
        web = self.web_as(self.li)
        for url, text in [("/visits/", "张大爷"), ("/visits/logs/", "居家养老"), ("/visits/plans/", "走访计划"),
                          ("/visits/coverage/", "未结对党员"), ("/visits/checks/", "民情分析会"),
                          (f"/visits/households/{self.h_one.id}/", "13812345678"), (f"/visits/logs/{log.id}/", "助餐"),
                          ("/visits/households/new/", "户主姓名"), ("/visits/logs/new/", "民情记录"),
                          ("/visits/plans/new/", "走访户"), ("/visits/meetings/new/", "议题")]:
            r = web.get(url)
            self.assertContains(r, text, msg_prefix=url)

    def test_list_masks_phone(self):
        r = self.web_as(self.li).get("/visits/")
        self.assertContains(r, "138****5678")
        self.assertNotContains(r, "13812345678")

    def test_outsider_gets_404(self):
        log = VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one, visited_on=TODAY(),
                                      notes="x")
        web = self.web_as(self.wang)
        for url in [f"/visits/households/{self.h_one.id}/", f"/visits/households/{self.h_one.id}/edit/",
                    f"/visits/logs/{log.id}/"]:
            self.assertEqual(web.get(url).status_code, 404, url)
        r = web.get("/visits/")
        self.assertNotContains(r, "张大爷")
        r = web.get("/visits/logs/export/")
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(io.BytesIO(r.content)).active
        self.assertNotIn("张大爷", str([c.value for row in ws.iter_rows() for c in row]))

    def test_plain_member_has_no_office_pages(self):
        web = self.web_as(self.zhao)
        for url in ["/visits/", "/visits/logs/", "/visits/plans/", "/visits/checks/", "/visits/logs/export/",
                    f"/visits/households/{self.h_one.id}/"]:
            self.assertEqual(web.get(url).status_code, 404, url)


class MemberPhoneTests(VisitsTestCase):
    def test_my_plan_and_self_service_log(self):
        month = rules.month_of(TODAY())
        plan = VisitPlan.objects.create(org=self.branch_one, member=self.m_zhao, month=month)
        plan.households.set([self.h_one, self.h_one_b])
        web = self.web_as(self.zhao)
        r = web.get("/visits/my/")
        self.assertContains(r, "张大爷")
        self.assertContains(r, "0 / 2")
        self.assertNotContains(r, "13812345678")
        r = web.get(f"/visits/logs/new/?household={self.h_one.id}")
        self.assertContains(r, "张大爷")
        self.assertNotContains(r, "孙叔叔")
        r = web.post("/visits/logs/new/", {"member_id": self.m_zhao.id, "household_id": self.h_one.id,
                                           "visited_on": str(TODAY()), "notes": "陪老人聊天，帮忙买菜",
                                           "needs": "楼道扶手松动", "create_petition": "on"})
        self.assertEqual(r.status_code, 302, r.content.decode()[:2000])
        log = VisitLog.objects.get()
        self.assertEqual((log.member_id, log.created_by_id), (self.m_zhao.id, self.zhao.id))
        self.assertEqual(Petition.objects.get().visit_log_id, log.id)
        self.assertContains(web.get("/visits/my/"), "1 / 2")
        self.assertEqual(web.get(f"/visits/logs/{log.id}/").status_code, 200)

    def test_member_cannot_log_outside_area_or_for_others(self):
        web = self.web_as(self.zhao)
        for data in [{"member_id": self.m_zhao.id, "household_id": self.h_two.id},
                     {"member_id": self.m_li.id, "household_id": self.h_one.id}]:
            r = web.post("/visits/logs/new/", {**data, "visited_on": str(TODAY()), "notes": "x"})
            self.assertEqual(r.status_code, 400)
        self.assertEqual(VisitLog.objects.count(), 0)

    def test_user_without_member_record(self):
        r = self.web_as(self.wang).get("/visits/my/")
        self.assertContains(r, "没有关联的党员信息")


class FormPageTests(VisitsTestCase):
    def test_household_create_and_bad_input(self):
        web = self.web_as(self.li)
        web.post("/pick-org/", {"org_id": self.branch_one.id})
        r = web.post("/visits/households/new/", {"name": "郑大姐", "address": "6号楼", "size": 3, "tags": ["disabled"],
                                                 "residents": "郑大姐 户主 1960\n刘强 子女 1985"})
        self.assertEqual(r.status_code, 302)
        h = Household.objects.get(name="郑大姐")
        self.assertEqual((h.tag_list, h.residents.count()), (["disabled"], 2))
        count = (Household.objects.count(), AuditEvent.objects.count())
        for data in [{"name": "", "address": "x", "size": 1}, {"name": "x", "address": "址" * 201, "size": 1},
                     {"name": "x", "address": "x", "size": 1, "residents": "甲 朋友"},
                     {"name": "x", "address": "x", "size": 0}, {"name": "x", "address": "x", "size": 1,
                                                                "tags": ["rich"]}]:
            self.assertEqual(web.post("/visits/households/new/", data).status_code, 400, data)
        self.assertEqual((Household.objects.count(), AuditEvent.objects.count()), count)

    def test_pairing_and_help_from_household_page(self):
        web = self.web_as(self.li)
        r = web.post("/visits/pairings/new/", {"member_id": self.m_li.id, "household_id": self.h_one.id,
                                               "started_on": str(TODAY())})
        self.assertEqual(r.status_code, 302)
        p = Pairing.objects.get()
        web.post(f"/visits/pairings/{p.id}/help/", {"given_on": str(TODAY()), "kind": "money", "amount": "200.5",
                                                    "description": "临时救助"})
        self.assertEqual(str(HelpRecord.objects.get().amount), "200.50")
        r = web.post(f"/visits/pairings/{p.id}/help/", {"given_on": str(TODAY()), "kind": "money", "amount": "-1",
                                                        "description": "x"})
        self.assertEqual(HelpRecord.objects.count(), 1)
        self.assertEqual(self.web_as(self.wang).post(f"/visits/pairings/{p.id}/end/", {"reason": "x"}).status_code, 404)
        self.assertContains(web.get("/visits/coverage/"), "赵志强")

    def test_plan_meeting_publication_and_spot_check_pages(self):
        web = self.web_as(self.li)
        month = rules.month_of(TODAY())
        r = web.post("/visits/plans/new/", {"member_id": self.m_li.id, "month": month,
                                            "household_ids": [self.h_one.id]})
        self.assertEqual(r.status_code, 302)
        self.assertContains(web.get(f"/visits/plans/?month={month}"), "刘一")
        first = TODAY().replace(day=1) - timedelta(days=1)
        logs = [VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one,
                                        visited_on=first, notes=f"日记{i}") for i in range(6)]
        r = web.post("/visits/meetings/new/", {"held_on": str(TODAY()), "topic": "本周分析",
                                               "log_ids": [logs[0].id]})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(AnalysisMeeting.objects.get().logs.count(), 1)
        r = web.post("/visits/publications/new/", {"month": rules.month_of(first)})
        self.assertEqual(r.status_code, 302)
        pub = MonthlyPublication.objects.get()
        self.assertContains(web.get(f"/visits/publications/{pub.id}/"), "民情走访情况公示")
        r = web.post("/visits/spot-checks/new/", {"month": rules.month_of(first), "sample_size": 3, "seed": 7})
        check = SpotCheck.objects.get()
        self.assertRedirects(r, f"/visits/spot-checks/{check.id}/")
        r = web.get(f"/visits/spot-checks/{check.id}/")
        self.assertContains(r, "可复现")
        item = check.items.first()
        url = f"/visits/spot-checks/{check.id}/items/{item.id}/"
        r = web.post(url, {"confirmed": "0", "remark": ""}, HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "不属实时请填写说明", status_code=400)
        r = web.post(url, {"confirmed": "1"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "属实")
        item.refresh_from_db()
        self.assertTrue(item.confirmed)
        self.assertEqual(self.web_as(self.wang).get(f"/visits/spot-checks/{check.id}/").status_code, 404)
        self.assertEqual(self.web_as(self.wang).post(url, {"confirmed": "1"}).status_code, 404)

    def test_export_is_xlsx_masked_and_audited(self):
        VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one, visited_on=TODAY(),
                                notes="=HYPERLINK(\"http://x\")", needs="修灯")
        r = self.web_as(self.li).get("/visits/logs/export/")
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(io.BytesIO(r.content)).active
        values = [c.value for row in ws.iter_rows(min_row=3) for c in row]
        self.assertIn("138****5678", values)
        self.assertNotIn("13812345678", values)
        self.assertIn("'=HYPERLINK(\"http://x\")", values)
        self.assertTrue(AuditEvent.objects.filter(verb="visit_log.export").exists())


class QueryCountTests(VisitsTestCase):
    """Lists cost the same number of queries for 3 rows as for 12 (no N+1)."""

    def count(self, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        web = self.web_as(self.li)
        web.get(url)  # warm the session and the role cache
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(web.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def add_rows(self, n):
        from .helpers import make_household

        month = rules.month_of(TODAY())
        for i in range(n):
            h = make_household(self.branch_one, f"户{i}", tags=",hardship,")
            Pairing.objects.create(org=self.branch_one, member=self.m_li, household=h, started_on=TODAY())
            VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=h, visited_on=TODAY(), notes="x")
            plan, _ = VisitPlan.objects.get_or_create(org=self.branch_one, member=self.m_li, month=month)
            plan.households.add(h)

    def test_lists_have_constant_queries(self):
        urls = ["/visits/", "/visits/logs/", "/visits/plans/", "/visits/coverage/"]
        self.add_rows(3)
        few = [self.count(u) for u in urls]
        self.add_rows(9)
        self.assertEqual([self.count(u) for u in urls], few)

    def test_home_cards(self):
        r = self.web_as(self.li).get("/")
        self.assertContains(r, "在册居民户")
