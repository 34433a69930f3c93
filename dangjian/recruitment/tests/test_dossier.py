"""入党材料档案: checklist through the API and the pages, registering papers, the printable PDF; scope and bad input."""
from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.members.models import Member
from dangjian.recruitment.models import DossierDocument

from .helpers import applicant, days_ago, make_full, walk


class DossierTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.vids = [m.id for m in make_full(cls.zhang, cls.branch_one)]
        cls.person = applicant(cls.li, cls.branch_one, name="材料人", applied_on=days_ago(300))
        walk(cls.li, cls.person, upto="activist_assessment", sponsors=cls.vids, voters=5)

    def counts(self):
        return DossierDocument.objects.count(), AuditEvent.objects.count()

    def url(self, suffix=""):
        return f"/recruitment/{self.person.id}/dossier{suffix}"

    def test_checklist_lists_present_missing_and_not_yet(self):
        r = self.api_as(self.li).get(self.url())
        self.assertEqual(r.status_code, 200)
        items = {i["code"]: i for i in r.json()["items"]}
        self.assertEqual(items["sponsors_record"]["status"], "present")
        self.assertEqual(items["application_letter"]["status"], "missing")
        self.assertEqual(items["application_form"]["status"], "not_yet")
        self.assertEqual(items["thought_report"]["required"], 2)  # activist since day 40 of 300: two quarters and more
        self.assertEqual(r.json()["sponsors"], ["甲党员", "乙党员"])

    def test_registering_a_paper_makes_it_present_and_is_audited(self):
        before = self.counts()
        r = self.api_as(self.li).post(self.url(), {"kind": "application_letter", "received_on": days_ago(299).isoformat()})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(self.counts(), (before[0] + 1, before[1] + 1))
        items = {i["code"]: i for i in self.api_as(self.li).get(self.url()).json()["items"]}
        self.assertEqual(items["application_letter"]["status"], "present")
        doc_id = r.json()["id"]
        r = self.api_as(self.li).post(self.url(f"/{doc_id}/void"), {"reason": "登记错了"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(DossierDocument.objects.filter(pk=doc_id, voided_at__isnull=False).exists())
        items = {i["code"]: i for i in self.api_as(self.li).get(self.url()).json()["items"]}
        self.assertEqual(items["application_letter"]["status"], "missing")
        self.assertEqual(self.api_as(self.li).post(self.url(f"/{doc_id}/void"), {"reason": "再次"}).status_code, 409)

    def test_bad_input_changes_nothing(self):
        before = self.counts()
        api = self.api_as(self.li)
        bad = [{"kind": "nonsense", "received_on": days_ago(1).isoformat()},
               {"kind": "sponsors_record", "received_on": days_ago(1).isoformat()},      # an auto document
               {"kind": "application_form", "received_on": days_ago(-3).isoformat()},    # future (R-FUTURE)
               {"kind": "application_form", "received_on": days_ago(400).isoformat()},   # before the application
               {"kind": "application_form", "received_on": "2025-02-30"},
               {"kind": "application_form", "received_on": days_ago(1).isoformat(), "copies": 0},
               {"kind": "application_form", "received_on": days_ago(1).isoformat(), "note": "x" * 201},
               {"received_on": days_ago(1).isoformat()}]
        for body in bad:
            r = api.post(self.url(), body)
            self.assertIn(r.status_code, (400, 422), body)
            self.assertIn("detail", r.json())
        r = api.post(self.url(), {"kind": "application_form", "received_on": days_ago(-3).isoformat()})
        self.assertEqual(r.json().get("rule"), "R-FUTURE")
        self.assertEqual(api.post(self.url("/999999/void"), {"reason": "x"}).status_code, 404)
        self.assertEqual(self.counts(), before)

    def test_outsider_member_and_anonymous(self):
        before = self.counts()
        wang = self.api_as(self.wang)
        self.assertEqual(wang.get(self.url()).status_code, 404)
        body = {"kind": "application_letter", "received_on": days_ago(1).isoformat()}
        self.assertEqual(wang.post(self.url(), body).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get(self.url()).status_code, 404)   # not his file
        self.assertEqual(ApiClient().get(self.url()).status_code, 401)
        self.assertEqual(ApiClient().post(self.url(), body).status_code, 401)
        web = self.web_as(self.wang)
        self.assertEqual(web.get(self.url("/")).status_code, 404)
        self.assertEqual(web.post(self.url("/"), {"kind": "application_letter",
                                                  "received_on": days_ago(1).isoformat(), "copies": 1}).status_code, 404)
        self.assertEqual(web.get(self.url("/pdf/")).status_code, 404)
        anon = self.client
        self.assertIn("/login/", anon.get(self.url("/")).url)
        self.assertIn("/login/", anon.get(self.url("/pdf/")).url)
        self.assertEqual(self.counts(), before)

    def test_page_registers_and_refuses_bad_forms(self):
        web = self.web_as(self.li)
        r = web.get(self.url("/"))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "思想汇报")
        self.assertContains(r, "doc-missing")
        before = self.counts()
        r = web.post(self.url("/"), {"kind": "application_form", "received_on": days_ago(-2).isoformat(), "copies": 1})
        self.assertEqual(r.status_code, 400)
        r = web.post(self.url("/"), {"kind": "nope", "received_on": "x", "copies": "many"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.counts(), before)
        r = web.post(self.url("/"), {"kind": "recommendation", "received_on": days_ago(260).isoformat(), "copies": 2})
        self.assertEqual(r.status_code, 302)
        doc = DossierDocument.objects.get(record__member=self.person, kind="recommendation")
        self.assertEqual(doc.copies, 2)
        self.assertEqual(web.post(self.url(f"/{doc.id}/void/"), {"reason": ""}).status_code, 400)
        self.assertEqual(web.post(self.url(f"/{doc.id}/void/"), {"reason": "重复登记"}).status_code, 302)
        self.assertEqual(self.web_as(self.wang).post(self.url(f"/{doc.id}/void/"), {"reason": "x"}).status_code, 404)

    def test_printable_pdf_is_rendered_and_the_export_audited(self):
        before = AuditEvent.objects.filter(verb="recruitment.dossier_pdf").count()
        r = self.web_as(self.li).get(self.url("/pdf/"))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF"))
        self.assertEqual(AuditEvent.objects.filter(verb="recruitment.dossier_pdf").count(), before + 1)

    def test_the_person_sees_their_checklist_but_cannot_register_or_print(self):
        Member.objects.filter(pk=self.person.pk).update(user=self.zhao)
        self.assertEqual(self.api_as(self.zhao).get(self.url()).status_code, 200)
        before = self.counts()
        r = self.api_as(self.zhao).post(self.url(), {"kind": "application_letter", "received_on": days_ago(1).isoformat()})
        self.assertEqual(r.status_code, 404)
        web = self.web_as(self.zhao)
        r = web.get(self.url("/"))
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "登记收到的材料")
        self.assertEqual(web.get(self.url("/pdf/")).status_code, 404)
        self.assertEqual(self.counts(), before)
