import io
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.petitions.models import Mediation, Petition, PetitionStep
from dangjian.visits.tests.helpers import VisitsTestCase

TODAY = timezone.localdate


class PetitionPageTests(VisitsTestCase):
    def make(self, **kw):
        from dangjian.petitions.services import petition_create

        data = {"channel": "wechat", "title": "垃圾清运不及时", "content": "小区东门垃圾堆放三天",
                "submitter_name": "钱阿姨", "submitter_phone": "13655556666", **kw}
        return petition_create(actor=self.li, org=self.branch_one, data=data)

    def test_anonymous_redirected(self):
        p = self.make()
        for url in ["/petitions/", "/petitions/new/", f"/petitions/{p.id}/", "/petitions/export/",
                    "/petitions/mediations/", "/petitions/figures/"]:
            r = Client().get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertTrue(r["Location"].startswith("/login/"))

    def test_queue_shows_sla_badges(self):
        self.make()
        old = self.make(title="逾期的诉求")
        Petition.objects.filter(id=old.id).update(received_on=TODAY() - timedelta(days=30),
                                                  current_due=TODAY() - timedelta(days=20))
        r = self.web_as(self.li).get("/petitions/")
        self.assertContains(r, "垃圾清运不及时")
        self.assertContains(r, "沟通逾期 20 天")
        self.assertContains(r, "bg-danger-lt")
        r = self.web_as(self.li).get("/petitions/?overdue=1")
        self.assertContains(r, "逾期的诉求")
        self.assertNotContains(r, "垃圾清运不及时")

    def test_detail_steps_and_refusal(self):
        p = self.make()
        web = self.web_as(self.li)
        r = web.get(f"/petitions/{p.id}/")
        self.assertContains(r, "首问负责办理环节")
        self.assertContains(r, "13655556666")
        r = web.post(f"/petitions/{p.id}/step/", {"step": "handle", "note": "x"})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "请先完成", status_code=400)
        r = web.post(f"/petitions/{p.id}/step/", {"step": "contact", "note": "已电话沟通",
                                                  "done_on": str(TODAY())})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(PetitionStep.objects.get().step, "contact")

    def test_outsider_and_member_get_404(self):
        p = self.make()
        for user in (self.wang, self.zhao):
            web = self.web_as(user)
            self.assertEqual(web.get(f"/petitions/{p.id}/").status_code, 404)
            self.assertEqual(web.post(f"/petitions/{p.id}/step/", {"step": "contact"}).status_code, 404)
            self.assertEqual(web.post(f"/petitions/{p.id}/transfer/", {"to_org_id": self.branch_two.id,
                                                                       "reason": "x"}).status_code, 404)
        self.assertNotContains(self.web_as(self.wang).get("/petitions/"), "垃圾清运不及时")
        self.assertEqual(self.web_as(self.zhao).get("/petitions/").status_code, 404)
        self.assertEqual(PetitionStep.objects.count(), 0)

    def test_create_page_and_bad_input(self):
        web = self.web_as(self.li)
        r = web.post("/petitions/new/", {"kind": "suggestion", "channel": "phone", "category": "environment",
                                         "title": "增加绿化", "content": "建议在广场增加树木", "received_on": str(TODAY())})
        self.assertEqual(r.status_code, 302)
        count = (Petition.objects.count(), AuditEvent.objects.count())
        for data in [{"title": "", "content": "x"}, {"title": "x", "content": "长" * 2001},
                     {"title": "x", "content": "y", "received_on": str(TODAY() + timedelta(days=2))},
                     {"title": "x", "content": "y", "submitter_phone": "abc"}]:
            base = {"kind": "demand", "channel": "qq", "category": "other", "received_on": str(TODAY())}
            self.assertEqual(web.post("/petitions/new/", {**base, **data}).status_code, 400, data)
        self.assertEqual((Petition.objects.count(), AuditEvent.objects.count()), count)

    def test_ledger_export_masked_and_scoped(self):
        self.make()
        r = self.web_as(self.li).get("/petitions/export/?state=all")
        values = [c.value for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=3) for c in row]
        self.assertIn("136****6666", values)
        self.assertNotIn("13655556666", values)
        self.assertTrue(AuditEvent.objects.filter(verb="petition.export").exists())
        r = self.web_as(self.wang).get("/petitions/export/?state=all")
        values = [c.value for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=3) for c in row]
        self.assertNotIn("垃圾清运不及时", values)
        self.assertEqual(self.web_as(self.zhao).get("/petitions/export/").status_code, 404)

    def test_figures_page(self):
        r = self.web_as(self.zhang).get("/petitions/figures/?from=2024-01-01&to=junk")
        self.assertContains(r, "排查调处矛盾纠纷")


class MediationPageTests(VisitsTestCase):
    def test_register_and_pdf(self):
        web = self.web_as(self.li)
        r = web.post("/petitions/mediations/new/", {"title": "宅基地边界纠纷", "category": "neighbour",
                                                    "occurred_on": str(TODAY()), "parties": "周某、吴某",
                                                    "parties_count": 2, "people_involved": 6, "amount": "12000",
                                                    "outcome": "written", "agreement": "双方以原界桩为界。",
                                                    "mediator": "李秀英"})
        self.assertEqual(r.status_code, 302)
        m = Mediation.objects.get()
        self.assertContains(web.get("/petitions/mediations/"), "宅基地边界纠纷")
        r = web.get(f"/petitions/mediations/{m.id}/pdf/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF"))
        self.assertEqual(self.web_as(self.wang).get(f"/petitions/mediations/{m.id}/pdf/").status_code, 404)
        self.assertEqual(self.web_as(self.wang).get(f"/petitions/mediations/{m.id}/").status_code, 404)
        r = web.post(f"/petitions/mediations/{m.id}/follow-up/", {"follow_up_on": str(TODAY()), "note": "已履行"})
        m.refresh_from_db()
        self.assertEqual(m.follow_up_note, "已履行")

    def test_oral_has_no_pdf_and_bad_input(self):
        m = Mediation.objects.create(org=self.branch_one, title="口角", occurred_on=date(2024, 5, 1),
                                     people_involved=2, outcome="oral")
        web = self.web_as(self.li)
        self.assertEqual(web.get(f"/petitions/mediations/{m.id}/pdf/").status_code, 404)
        for data in [{"people_involved": 1}, {"amount": "-3"}, {"outcome": "x"}, {"parties_count": 5}]:
            base = {"title": "t", "category": "neighbour", "occurred_on": str(TODAY()), "parties_count": 2,
                    "people_involved": 2, "amount": "0", "outcome": "oral"}
            self.assertEqual(web.post("/petitions/mediations/new/", {**base, **data}).status_code, 400, data)
        self.assertEqual(Mediation.objects.count(), 1)


class QueueQueryTests(VisitsTestCase):
    def test_queue_and_mediations_have_constant_queries(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from dangjian.petitions.services import petition_create

        web = self.web_as(self.li)

        def count(url):
            web.get(url)
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(web.get(url).status_code, 200)
            return len(ctx.captured_queries)

        def add(n):
            for i in range(n):
                petition_create(actor=self.li, org=self.branch_one, data={"channel": "qq", "title": f"诉求{i}",
                                                                          "content": "x"})
                Mediation.objects.create(org=self.branch_one, title=f"纠纷{i}", occurred_on=TODAY(), people_involved=2,
                                         outcome="written")

        add(2)
        few = [count("/petitions/"), count("/petitions/mediations/")]
        add(8)
        self.assertEqual([count("/petitions/"), count("/petitions/mediations/")], few)
        self.assertContains(web.get("/"), "办理中的群众诉求")
