from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient
from dangjian.petitions.models import Mediation, Petition
from dangjian.visits.models import VisitLog
from dangjian.visits.tests.helpers import VisitsTestCase

TODAY = timezone.localdate


class MediationApiTests(VisitsTestCase):
    def create(self, api=None, **kw):
        data = {"org_id": self.branch_one.id, "title": "邻里漏水纠纷", "occurred_on": str(TODAY()), "parties": "甲、乙",
                "parties_count": 2, "people_involved": 5, "amount": "3000.005", "outcome": "written",
                "agreement": "乙方赔偿甲方维修费三千元", **kw}
        return (api or self.api_as(self.li)).post("/mediations", data)

    def test_create_written_and_oral(self):
        r = self.create()
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["amount"], "3000.01")
        self.assertEqual(Mediation.objects.get().amount, Decimal("3000.01"))
        r = self.create(outcome="oral", amount=0, agreement="")
        self.assertEqual(r.status_code, 201)
        r = self.api_as(self.li).get("/mediations", {"org": self.branch_one.id, "outcome": "oral"})
        self.assertEqual(r.json()["count"], 1)
        self.assertTrue(AuditEvent.objects.filter(verb="mediation.create").exists())

    def test_bad_input_writes_nothing(self):
        before = (Mediation.objects.count(), AuditEvent.objects.count())
        for kw in [{"people_involved": 1}, {"parties_count": 1}, {"parties_count": 4, "people_involved": 3},
                   {"amount": "-5"}, {"amount": "abc"}, {"outcome": "agreed"}, {"title": ""},
                   {"occurred_on": str(TODAY() + timedelta(days=1))}, {"agreement": "字" * 4001}]:
            r = self.create(**kw)
            self.assertEqual(r.status_code, 400, (kw, r.content))
        self.assertEqual(self.create(people_involved="many").status_code, 422)
        self.assertEqual((Mediation.objects.count(), AuditEvent.objects.count()), before)

    def test_follow_up_and_scope(self):
        mid = self.create().json()["id"]
        api = self.api_as(self.li)
        self.assertEqual(api.post(f"/mediations/{mid}/follow-up", {"follow_up_on": str(TODAY()),
                                                                   "note": ""}).status_code, 400)
        r = api.post(f"/mediations/{mid}/follow-up", {"follow_up_on": str(TODAY()), "note": "双方已履行"})
        self.assertEqual(r.status_code, 200)
        wang = self.api_as(self.wang)
        self.assertEqual(wang.get(f"/mediations/{mid}").status_code, 404)
        self.assertEqual(wang.get("/mediations", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(wang.post(f"/mediations/{mid}/follow-up", {"follow_up_on": str(TODAY()),
                                                                    "note": "x"}).status_code, 404)
        self.assertEqual(self.create(api=wang).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get(f"/mediations/{mid}").status_code, 404)
        self.assertEqual(ApiClient().get(f"/mediations/{mid}").status_code, 401)


class ServiceFiguresTests(VisitsTestCase):
    def test_figures_are_computed_for_the_subtree(self):
        y = date(TODAY().year, 1, 1)
        for i in range(3):
            VisitLog.objects.create(org=self.branch_one, member=self.m_li, household=self.h_one, visited_on=y, notes="x")
        VisitLog.objects.create(org=self.branch_one, member=self.m_li, visited_on=y, notes="日记")
        VisitLog.objects.create(org=self.branch_two, member=self.m_wang, household=self.h_two, visited_on=y, notes="x")
        li = self.api_as(self.li)
        for kw in [{"outcome": "oral", "people_involved": 2, "amount": "100"},
                   {"outcome": "written", "people_involved": 3, "amount": "200.50"}]:
            li.post("/mediations", {"org_id": self.branch_one.id, "title": "纠纷", "occurred_on": str(y), **kw})
        self.api_as(self.wang).post("/mediations", {"org_id": self.branch_two.id, "title": "纠纷", "occurred_on": str(y),
                                                    "outcome": "written", "people_involved": 4, "amount": "1"})
        pid = li.post("/petitions", {"org_id": self.branch_one.id, "channel": "qq", "kind": "suggestion",
                                     "title": "建议", "content": "增设座椅", "received_on": str(y)}).json()["id"]
        Petition.objects.filter(id=pid).update(state="closed", resolved=True)
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/service-figures",
                                     {"from": str(y), "to": str(TODAY())})
        self.assertEqual(r.status_code, 200, r.content)
        f = r.json()
        self.assertEqual((f["visits"], f["visit_logs"], f["households_covered"]), (3, 4, 1))
        self.assertEqual((f["mediations"], f["oral_agreements"], f["written_agreements"]), (2, 1, 1))
        self.assertEqual((f["people_involved"], f["amount_involved"]), (5, "300.50"))
        self.assertEqual((f["petitions_received"], f["suggestions_received"], f["suggestions_resolved"]), (1, 1, 1))
        self.assertEqual(f["from"], str(y))
        r = self.api_as(self.zhang).get(f"/orgs/{self.root.id}/service-figures", {"from": str(y)})
        self.assertEqual((r.json()["visits"], r.json()["mediations"], r.json()["people_involved"]), (4, 3, 9))
        self.assertEqual(self.api_as(self.wang).get(f"/orgs/{self.branch_one.id}/service-figures").status_code, 404)
        self.assertEqual(ApiClient().get(f"/orgs/{self.branch_one.id}/service-figures").status_code, 401)
        r = li.get(f"/orgs/{self.branch_one.id}/service-figures", {"from": str(TODAY()), "to": str(y - timedelta(1))})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(li.get(f"/orgs/{self.branch_one.id}/service-figures", {"from": "junk"}).status_code, 422)
