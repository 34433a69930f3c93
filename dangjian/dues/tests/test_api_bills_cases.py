"""API and pages of the stored bills and the R-ABSENT-6M cases: contract, scope (wang 404, zhao 404,
anonymous 401 / login redirect) and malformed input that changes nothing."""
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient
from dangjian.dues.models import ArrearsCase, ArrearsContact, DuesBill
from dangjian.members.models import Disposal

from .helpers import ml
from .test_api import DuesApiTestCase

TODAY = timezone.localdate().isoformat()


class BillApiTests(DuesApiTestCase):
    def test_member_bills_and_months_cite_the_bill(self):
        r = self.api_as(self.li).get(f"/dues/members/{self.liu.id}/bills", {"year": int(ml(0)[:4])})
        self.assertEqual(r.status_code, 200)
        this = [b for b in r.json() if b["month"] == ml(0)][0]
        self.assertEqual((this["amount"], this["due"], this["rule"], this["state"], this["rate"]),
                         ("40.00", "40.00", "R-DUES-BRACKET", "open", "0.01"))
        months = self.api_as(self.li).get(f"/dues/members/{self.liu.id}").json()["months"]
        cell = [m for m in months if m["month"] == ml(0)][0]
        self.assertEqual((cell["bill_id"], cell["rule"]), (this["id"], "R-DUES-BRACKET"))
        pid = self.api_as(self.li).post("/dues/payments", {"member_id": self.liu.id, "months": [ml(0)],
                                                           "amount": "40.00", "method": "cash"}).json()["id"]
        paid = self.api_as(self.li).get(f"/dues/members/{self.liu.id}/bills").json()
        self.assertEqual([(b["state"], b["payment_id"]) for b in paid if b["month"] == ml(0)], [("paid", pid)])

    def test_issue_bills_is_idempotent(self):
        api = self.api_as(self.li)
        r = api.post(f"/dues/orgs/{self.branch_one.id}/bills")
        self.assertEqual((r.status_code, r.json()["created"]), (201, 0))  # the bases billed up to now already
        self.assertEqual(api.post(f"/dues/orgs/{self.branch_one.id}/bills").json()["created"], 0)

    def test_scope_and_anonymous(self):
        before = DuesBill.objects.count()
        for user in (self.wang, self.zhao):
            api = self.api_as(user)
            self.assertEqual(api.get(f"/dues/members/{self.liu.id}/bills").status_code, 404)
            self.assertEqual(api.post(f"/dues/orgs/{self.branch_one.id}/bills").status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get(f"/dues/members/{self.me.id}/bills").status_code, 200)
        anon = ApiClient()
        self.assertEqual(anon.get(f"/dues/members/{self.liu.id}/bills").status_code, 401)
        self.assertEqual(anon.post(f"/dues/orgs/{self.branch_one.id}/bills").status_code, 401)
        self.assertEqual(self.api_as(self.li).get(f"/dues/members/{self.liu.id}/bills", {"year": "x"}).status_code,
                         422)
        self.assertEqual(DuesBill.objects.count(), before)


class CaseApiTests(DuesApiTestCase):
    def counts(self):
        return (ArrearsCase.objects.count(), ArrearsContact.objects.count(), Disposal.objects.count())

    def contact(self, user, **kw):
        body = {"member_id": self.liu.id, "kind": "talk", "contacted_on": TODAY, "summary": "上门谈话", **kw}
        return self.api_as(user).post("/dues/arrears-cases/contacts", body)

    def test_list_talk_dispose(self):
        api = self.api_as(self.li)
        r = api.get("/dues/arrears-cases", {"org": self.branch_one.id})
        self.assertEqual(r.status_code, 200)
        row = [i for i in r.json()["items"] if i["member_id"] == self.liu.id][0]
        self.assertEqual((row["months"], row["state"], row["rule"], row["article"]),
                         (12, "new", "R-ABSENT-6M", "党章第三十八条"))
        c = self.contact(self.li)
        self.assertEqual(c.status_code, 201, c.content)
        case_id = c.json()["case_id"]
        r = api.post(f"/dues/arrears-cases/{case_id}/dispose", {"decided_on": TODAY, "reason": "支部大会决定"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["kind"], r.json()["source"]), ("lapsed", f"dues:{case_id}"))
        ids = [i["member_id"] for i in api.get("/dues/arrears-cases", {"org": self.branch_one.id}).json()["items"]]
        self.assertNotIn(self.liu.id, ids)  # off the rolls now

    def test_malformed_input_changes_nothing(self):
        before, audits = self.counts(), AuditEvent.objects.count()
        for bad in ({"kind": "sms"}, {"summary": ""}, {"contacted_on": "2026-02-30"}, {"contacted_on": "2999-01-01"},
                    {"good_reason": "maybe"}, {"member_id": "abc"}, {"summary": "x" * 501}):
            with self.subTest(**bad):
                r = self.contact(self.li, **bad)
                self.assertIn(r.status_code, (400, 422), r.content)
                self.assertIn("detail", r.json())
        r = self.api_as(self.li).post("/dues/arrears-cases/contacts", {"member_id": self.liu.id})
        self.assertEqual(r.status_code, 422)
        case_id = self.contact(self.li).json()["case_id"]
        before, audits = self.counts(), AuditEvent.objects.count()
        for bad in ({"decided_on": "x", "reason": "r"}, {"decided_on": TODAY, "reason": " "}, {"reason": "r"},
                    {"decided_on": "2999-01-01", "reason": "r"}):
            with self.subTest(**bad):
                r = self.api_as(self.li).post(f"/dues/arrears-cases/{case_id}/dispose", bad)
                self.assertIn(r.status_code, (400, 422), r.content)
        self.assertEqual(self.counts(), before)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_outsider_member_and_anonymous(self):
        case_id = self.contact(self.li).json()["case_id"]
        before = self.counts()
        for user in (self.wang, self.zhao):
            api = self.api_as(user)
            self.assertEqual(api.get("/dues/arrears-cases", {"org": self.branch_one.id}).status_code, 404)
            self.assertEqual(self.contact(user).status_code, 404)
            self.assertEqual(api.post(f"/dues/arrears-cases/{case_id}/dispose",
                                      {"decided_on": TODAY, "reason": "x"}).status_code, 404)
        ids = [i["member_id"] for i in self.api_as(self.wang).get(
            "/dues/arrears-cases", {"org": self.branch_two.id}).json()["items"]]
        self.assertNotIn(self.liu.id, ids)
        anon = ApiClient()
        self.assertEqual(anon.get("/dues/arrears-cases", {"org": self.branch_one.id}).status_code, 401)
        self.assertEqual(anon.post("/dues/arrears-cases/contacts", {}).status_code, 401)
        self.assertEqual(anon.post(f"/dues/arrears-cases/{case_id}/dispose", {}).status_code, 401)
        self.assertEqual(self.counts(), before)


class CasePageTests(DuesApiTestCase):
    def test_arrears_page_lists_cases_and_case_page_works(self):
        web = self.web_as(self.li)
        r = web.get(f"/dues/org/{self.branch_one.id}/arrears/")
        self.assertContains(r, "党章第三十八条")
        self.assertContains(r, f"/dues/member/{self.liu.id}/arrears/")
        r = web.get(f"/dues/member/{self.liu.id}/arrears/")
        self.assertContains(r, "连续 12 个月未交纳")
        r = web.post(f"/dues/member/{self.liu.id}/arrears/", {"kind": "reminder", "contacted_on": TODAY,
                                                               "summary": "电话提醒"})
        self.assertEqual(r.status_code, 302)
        case = ArrearsCase.objects.get()
        r = web.post(f"/dues/cases/{case.id}/dispose/", {"decided_on": "bad", "reason": ""})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Disposal.objects.count(), 0)
        r = web.post(f"/dues/cases/{case.id}/dispose/", {"decided_on": TODAY, "reason": "支部大会决定"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Disposal.objects.get().source, f"dues:{case.id}")

    def test_bad_contact_form_writes_nothing(self):
        r = self.web_as(self.li).post(f"/dues/member/{self.liu.id}/arrears/", {"kind": "talk", "summary": ""})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(ArrearsContact.objects.count(), 0)

    def test_issue_bills_button(self):
        r = self.web_as(self.li).post(f"/dues/org/{self.branch_one.id}/bills/issue/")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.web_as(self.wang).post(f"/dues/org/{self.branch_one.id}/bills/issue/").status_code, 404)

    def test_outsider_member_404_anonymous_redirect(self):
        self.web_as(self.li).post(f"/dues/member/{self.liu.id}/arrears/", {"kind": "talk", "contacted_on": TODAY,
                                                                            "summary": "谈话"})
        case = ArrearsCase.objects.get()
        for user in (self.wang, self.zhao):
            web = self.web_as(user)
            self.assertEqual(web.get(f"/dues/member/{self.liu.id}/arrears/").status_code, 404)
            self.assertEqual(web.post(f"/dues/member/{self.liu.id}/arrears/",
                                      {"kind": "talk", "contacted_on": TODAY, "summary": "x"}).status_code, 404)
            self.assertEqual(web.post(f"/dues/cases/{case.id}/dispose/",
                                      {"decided_on": TODAY, "reason": "x"}).status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get(f"/dues/member/{self.me.id}/arrears/").status_code, 404)
        for url in (f"/dues/member/{self.liu.id}/arrears/", f"/dues/org/{self.branch_one.id}/arrears/"):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("/login/", r["Location"])
        self.assertEqual(ArrearsContact.objects.count(), 1)
        self.assertEqual(Disposal.objects.count(), 0)
