"""The pages: every one for its personas, the outsider's 404, anonymous redirects and bad input."""
import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.core.testing import tiny_image
from dangjian.points import services
from dangjian.points.models import Objection, PointEntry, PointRule, PointScheme

from .helpers import PointsTestCase

MEDIA = "/tmp/dangjian-points-test-media"


class PageAccessTests(PointsTestCase):
    def pages(self):
        return ["/points/", f"/points/ranking/?org={self.branch_one.id}", f"/points/ledger/?org={self.branch_one.id}",
                f"/points/queue/?org={self.branch_one.id}", f"/points/rules/?org={self.branch_one.id}",
                f"/points/scheme/?org={self.branch_one.id}", f"/points/members/{self.m_one.id}/",
                "/points/publications/", "/points/me/", f"/points/ledger/export/?org={self.branch_one.id}"]

    def test_anonymous_redirected_to_login(self):
        for url in self.pages():
            r = Client().get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertIn("/login/", r["Location"])

    def test_secretary_sees_every_page(self):
        web = self.web_as(self.li)
        for url in self.pages():
            r = web.get(url, follow=url == "/points/")
            self.assertEqual(r.status_code, 200, url)

    def test_ranking_page_has_chart_and_explains_formula(self):
        self.award(self.m_one, "MEET")
        r = self.web_as(self.zhang).get("/points/ranking/", {"org": self.root.id, "period": "2026Q3"})
        self.assertContains(r, "vendor/echarts/echarts.min.js")
        self.assertContains(r, 'id="ranking-chart"')
        self.assertContains(r, "平均值")
        self.assertContains(r, "第一党支部")
        r = self.web_as(self.li).get("/points/ranking/", {"org": self.branch_one.id, "period": "2026Q3"})
        self.assertContains(r, "钱一")
        self.assertContains(r, "同分同名次")

    def test_outsider_gets_404(self):
        entry = self.award(self.m_one, "MEET")
        rule = services.rule_create(actor=self.li, org=self.branch_one, code="ABSENT", data={
            "name": "缺席", "points": "-2", "category": "discipline", "cap_per_period": "10"})
        pub = services.publication_create(actor=self.li, org=self.branch_one, period="2026Q3")
        web = self.web_as(self.wang)
        for url in (f"/points/ranking/?org={self.branch_one.id}", f"/points/ledger/?org={self.branch_one.id}",
                    f"/points/ledger/export/?org={self.branch_one.id}", f"/points/queue/?org={self.branch_one.id}",
                    f"/points/rules/?org={self.branch_one.id}", f"/points/members/{self.m_one.id}/",
                    f"/points/entries/{entry.id}/evidence/", f"/points/rules/{rule.id}/",
                    f"/points/publications/{pub.id}/", f"/points/publications/{pub.id}/pdf/",
                    f"/points/scheme/?org={self.branch_one.id}", f"/points/ranking/?org={self.community.id}"):
            self.assertEqual(web.get(url).status_code, 404, url)
        before = self.counts()
        for url, data in ((f"/points/entries/{entry.id}/reverse/", {"reason": "越权冲正"}),
                          (f"/points/members/{self.m_one.id}/", {"rule_code": "MEET", "occurred_on": "2026-08-01"}),
                          ("/points/ledger/org-entry/", {"org": self.branch_one.id, "rule_code": "BRMISS",
                                                         "occurred_on": "2026-08-01"}),
                          (f"/points/publications/{pub.id}/", {"text": "外支部异议"})):
            self.assertEqual(web.post(url, data).status_code, 404, url)
        self.assertEqual(self.counts(), before)
        r = web.get("/points/ledger/", {"org": self.branch_two.id, "member": self.m_one.id})
        self.assertNotContains(r, "钱一")

    def test_member_has_no_staff_pages_but_sees_self(self):
        self.award(self.m_zhao, "MEET")
        web = self.web_as(self.zhao)
        self.assertEqual(web.get("/points/ranking/").status_code, 404)
        self.assertEqual(web.get(f"/points/ledger/?org={self.branch_one.id}").status_code, 404)
        self.assertEqual(web.get(f"/points/members/{self.m_one.id}/").status_code, 404)
        r = web.get(f"/points/members/{self.m_zhao.id}/", {"period": "2026Q3"})
        self.assertContains(r, "102.00")
        self.assertNotContains(r, "记分（加分 / 扣分）")
        r = web.get("/points/me/", {"period": "2026Q3"})
        self.assertContains(r, "参加组织生活")
        self.assertContains(r, "申报积分")

    def test_bad_period_is_400(self):
        web = self.web_as(self.li)
        for url in ("/points/ranking/", "/points/ledger/", f"/points/members/{self.m_one.id}/", "/points/me/"):
            r = web.get(url, {"org": self.branch_one.id, "period": "2026Q5"})
            self.assertEqual(r.status_code, 400, url)
            self.assertContains(r, "考评周期格式不正确", status_code=400)
        r = web.get("/points/ranking/", {"org": self.branch_one.id, "level": "branch"})
        self.assertEqual(r.status_code, 400)


class PageWriteTests(PointsTestCase):
    def test_award_from_member_page(self):
        web = self.web_as(self.li)
        r = web.post(f"/points/members/{self.m_one.id}/", {"rule_code": "MEET", "occurred_on": "2026-08-01",
                                                            "note": "主题党日"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(PointEntry.objects.get(member=self.m_one).points, 2)
        for _ in range(2):
            self.award(self.m_one, "MEET")
        before = self.counts()
        r = web.post(f"/points/members/{self.m_one.id}/", {"rule_code": "MEET", "occurred_on": "2026-08-01"})
        self.assertContains(r, "还可记 0", status_code=400)
        r = web.post(f"/points/members/{self.m_one.id}/", {"rule_code": "NOPE", "occurred_on": "2026-08-01"})
        self.assertEqual(r.status_code, 400)
        r = web.post(f"/points/members/{self.m_one.id}/", {"rule_code": "VOL", "occurred_on": "not a date"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.counts(), before)

    def test_reverse_from_page_needs_reason(self):
        entry = self.award(self.m_one, "MEET")
        web = self.web_as(self.li)
        before = self.counts()
        r = web.post(f"/points/entries/{entry.id}/reverse/", {"reason": ""})
        self.assertContains(r, "冲正原因", status_code=400)
        self.assertEqual(self.counts(), before)
        r = web.post(f"/points/entries/{entry.id}/reverse/", {"reason": "录错人", "next": "https://evil.example/"})
        self.assertEqual(r.status_code, 302)
        self.assertFalse(r["Location"].startswith("https://evil"))
        self.assertTrue(PointEntry.objects.filter(reverses=entry).exists())

    def test_queue_htmx_approve_and_self_approval_refused(self):
        pending = services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 8, 1),
                                             note="义务清扫")
        own = services.entry_self_report(actor=self.li, rule_code="VOL", occurred_on=date(2026, 8, 1), note="x")
        # e.g. imported: no submitter (raw SQL: the ledger refuses ORM updates, which is the point of it)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {PointEntry._meta.db_table} SET created_by_id = NULL WHERE id = %s", [pending.pk])
        services.points_award_automatic(rule_code="MEET", member=self.m_one, occurred_on=date(2026, 8, 1),
                                        source="meetings.attendance", source_event_id=1)
        web = self.web_as(self.li)
        r = web.get("/points/queue/", {"org": self.branch_one.id})
        self.assertContains(r, "义务清扫")
        self.assertContains(web.get("/points/ledger/", {"org": self.branch_one.id}), "系统")
        r = web.post(f"/points/entries/{pending.id}/approve/", {"note": "属实"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "已生效")
        r = web.post(f"/points/entries/{own.id}/approve/", {}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "不能审核本人")
        own.refresh_from_db()
        self.assertEqual(own.status, "pending")
        r = web.post(f"/points/entries/{own.id}/approve/", {})
        self.assertEqual(r.status_code, 400)

    @override_settings(MEDIA_ROOT=MEDIA)
    def test_self_report_on_phone_and_evidence_access(self):
        web = self.web_as(self.zhao)
        r = web.post("/points/me/", {"rule_code": "EVID", "occurred_on": "2026-08-01", "note": "获评优秀党员",
                                     "evidence": SimpleUploadedFile("证书.jpg", tiny_image("JPEG"), "image/jpeg")})
        self.assertEqual(r.status_code, 302)
        entry = PointEntry.objects.get(member=self.m_zhao)
        self.assertEqual(entry.status, "pending")
        self.assertEqual(web.get(f"/points/entries/{entry.id}/evidence/").status_code, 200)
        self.assertEqual(self.web_as(self.li).get(f"/points/entries/{entry.id}/evidence/").status_code, 200)
        self.assertEqual(self.web_as(self.wang).get(f"/points/entries/{entry.id}/evidence/").status_code, 404)
        before = self.counts()
        r = web.post("/points/me/", {"rule_code": "MEET", "occurred_on": "2026-08-01", "note": "x"})
        self.assertEqual(r.status_code, 400)  # not a self-report rule: not even offered
        r = web.post("/points/me/", {"rule_code": "VOL", "occurred_on": "2026-08-01", "note": ""})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.counts(), before)

    def test_export_xlsx_is_scoped_and_audited(self):
        self.award(self.m_one, "MEET", note="=cmd|' /C calc'!A0")
        self.award(self.m_two, "MEET", actor=self.wang)
        r = self.web_as(self.li).get("/points/ledger/export/", {"org": self.branch_one.id, "period": "2026Q3"})
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(io.BytesIO(r.content)).active
        values = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
        self.assertEqual(len(values), 1)
        self.assertEqual(values[0][2], "钱一")
        self.assertTrue(values[0][11].startswith("'="))
        self.assertTrue(AuditEvent.objects.filter(verb="points.export", actor=self.li).exists())
        self.assertEqual(self.web_as(self.zhao).get("/points/ledger/export/",
                                                    {"org": self.branch_one.id}).status_code, 404)

    def test_rules_pages(self):
        web = self.web_as(self.zhang)
        r = web.post(f"/points/rules/new/?org={self.root.id}", {
            "code": "STUDY", "subject": "member", "name": "学习强国", "category": "political", "points": "1",
            "cap_per_period": "3", "valid_from": "2026-01-01"})
        self.assertEqual(r.status_code, 302, getattr(r, "context", None) and r.context["form"].errors)
        rule = PointRule.objects.get(code="STUDY")
        r = web.get(f"/points/rules/{rule.id}/")
        self.assertContains(r, "版本历史")
        r = web.post(f"/points/rules/{rule.id}/", {"action": "revise", "name": "学习强国", "category": "political",
                                                   "points": "2", "cap_per_period": "4", "valid_from": "2026-10-01"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(rule.versions.count(), 2)
        before = self.counts()
        r = web.post(f"/points/rules/{rule.id}/", {"action": "revise", "name": "学习强国", "category": "political",
                                                   "points": "2", "valid_from": "2025-01-01"})
        self.assertContains(r, "须晚于", status_code=400)
        r = web.post(f"/points/rules/new/?org={self.root.id}", {"code": "", "name": "", "points": "x"})
        self.assertEqual(r.status_code, 400)
        r = self.web_as(self.li).post(f"/points/rules/new/?org={self.branch_one.id}", {
            "code": "MINE", "name": "自设", "category": "duty", "points": "1", "valid_from": "2026-01-01"})
        self.assertContains(r, "党支部不能新设", status_code=400)
        self.assertEqual(self.counts(), before)
        r = self.web_as(self.li).get(f"/points/rules/new/?org={self.branch_one.id}&code=ABSENT")
        self.assertContains(r, "调整")

    def test_scheme_page(self):
        web = self.web_as(self.zhang)
        data = {"base": "100", "period_kind": "quarter", "objection_days": "7", "warn_below": "85",
                "star_thresholds": "120:5, 110:4,100:3", "note": "镇党委2026年方案"}
        data.update({f"weight_{c}": "1" for c in ("political", "org_life", "duty", "service", "discipline", "other")})
        data["weight_service"] = "1.5"
        r = web.post(f"/points/scheme/?org={self.root.id}", data)
        self.assertEqual(r.status_code, 302)
        scheme = PointScheme.objects.get(org=self.root)
        self.assertEqual((scheme.objection_days, scheme.category_weights), (7, {"service": "1.50"}))
        r = web.post(f"/points/scheme/?org={self.root.id}", {**data, "star_thresholds": "abc"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.web_as(self.li).post(f"/points/scheme/?org={self.branch_one.id}", data).status_code, 404)
        self.assertContains(self.web_as(self.li).get(f"/points/scheme/?org={self.branch_one.id}"), "类别权重：服务群众×1.5")


class PublicationPageTests(PointsTestCase):
    def test_publish_view_object_answer_and_pdf(self):
        self.award(self.m_one, "MEET")
        web = self.web_as(self.li)
        r = web.post("/points/publications/", {"period": "2026Q3", "level": "member"})
        # li's current org is branch one (the highest org in scope)
        self.assertEqual(r.status_code, 302)
        pub_url = r["Location"]
        zhao = self.web_as(self.zhao)
        self.assertContains(zhao.get("/points/publications/"), "第一党支部")
        r = zhao.get(pub_url)
        self.assertContains(r, "钱一")
        self.assertContains(r, "提出异议")
        r = zhao.post(pub_url, {"text": "我参加了8月的主题党日"})
        self.assertEqual(r.status_code, 302)
        objection = Objection.objects.get()
        r = web.post(f"/points/objections/{objection.id}/resolve/", {"status": "dismissed", "response": "经核实未参加"})
        self.assertEqual(r.status_code, 302)
        objection.refresh_from_db()
        self.assertEqual(objection.status, "dismissed")
        r = zhao.get(pub_url.rstrip("/") + "/pdf/")
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF"))
        before = self.counts()
        r = web.post("/points/publications/", {"period": "2026Q3", "level": "member"})
        self.assertContains(r, "已公示", status_code=400)
        r = zhao.post(pub_url, {"text": ""})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.counts(), before)


class HomeAndAdminTests(PointsTestCase):
    def test_home_cards_for_staff_only(self):
        from dangjian.points.selectors import home_cards

        services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 10, 2), note="x")
        cards = {c["label"]: c["value"] for c in home_cards(actor=self.li, org=self.branch_one)}
        self.assertEqual(cards["积分待审核"], 1)
        self.assertEqual(cards["2026年第4季度积分记录"], 1)
        self.assertEqual(home_cards(actor=self.wang, org=self.branch_one), [])

    def test_admin_cannot_add_change_or_delete_ledger_rows(self):
        from django.contrib import admin
        from django.test import RequestFactory

        self.zhang.is_superuser = self.zhang.is_staff = True
        request = RequestFactory().get("/admin/")
        request.user = self.zhang
        entry = self.award(self.m_one, "MEET")
        model_admin = admin.site._registry[PointEntry]
        self.assertFalse(model_admin.has_add_permission(request))
        self.assertFalse(model_admin.has_change_permission(request, entry))
        self.assertFalse(model_admin.has_delete_permission(request, entry))
        self.assertEqual(model_admin.get_actions(request), {})
