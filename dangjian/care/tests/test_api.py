"""/api/v1/care and /api/v1/funds: contract, overdraw, scope (wang 404), bad input writes nothing."""
from datetime import date, timedelta
from decimal import Decimal

from dangjian.care.models import CarePlan, CareVisit, Fund, FundLedger, Greeting, Relief
from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient, PersonaTestCase

from .helpers import make_member


class CareApiTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.old = make_member(cls.branch_one, "姚国俊", joined_on=date(1976, 7, 1), birth_date=date(1944, 2, 29),
                              in_hardship=True)
        cls.qian = make_member(cls.branch_two, "钱立平", joined_on=date(2006, 7, 1))
        cls.fund = Fund.objects.create(org=cls.branch_one, name="第一支部帮扶基金", kind="assistance")
        cls.fund_two = Fund.objects.create(org=cls.branch_two, name="第二支部帮扶基金", kind="assistance")

    def counts(self):
        return (FundLedger.objects.count(), Relief.objects.count(), CareVisit.objects.count(),
                Greeting.objects.count(), CarePlan.objects.count(), Fund.objects.count(), AuditEvent.objects.count())


class AnniversaryApiTests(CareApiTestCase):
    def test_contract(self):
        r = self.api_as(self.li).get("/care/anniversaries", {"org": self.branch_one.id, "from": "2026-02-01",
                                                             "to": "2026-07-31"})
        self.assertEqual(r.status_code, 200, r.content)
        items = [(i["member_id"], i["kind"], i["date"], i["years"]) for i in r.json()["items"]]
        self.assertEqual(items, [(self.old.id, "birthday", "2026-02-28", 82),  # 29 Feb → 28 Feb
                                 (self.old.id, "party_anniversary", "2026-07-01", 50)])
        self.assertTrue(r.json()["items"][1]["milestone"])

    def test_scope_and_bad_input(self):
        self.assertEqual(self.api_as(self.wang).get("/care/anniversaries", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get("/care/anniversaries", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(ApiClient().get("/care/anniversaries", {"org": self.branch_one.id}).status_code, 401)
        r = self.api_as(self.li).get("/care/anniversaries", {"org": self.branch_one.id, "from": "2026-01-01",
                                                             "to": "2028-01-01"})
        self.assertEqual(r.status_code, 400)
        r = self.api_as(self.li).get("/care/anniversaries", {"org": self.branch_one.id, "from": "2026-02-30"})
        self.assertEqual(r.status_code, 422)
        # wang's own org never lists li's members
        r = self.api_as(self.wang).get("/care/anniversaries", {"org": self.branch_two.id, "from": "2026-07-01",
                                                               "to": "2026-07-01"})
        self.assertEqual([i["member_id"] for i in r.json()["items"]], [self.qian.id])

    def test_medal50(self):
        r = self.api_as(self.zhang).get("/care/medal50", {"org": self.root.id, "year": 2026})
        self.assertEqual([(i["member_id"], i["new"]) for i in r.json()["items"]], [(self.old.id, True)])
        self.assertEqual(self.api_as(self.wang).get("/care/medal50", {"org": self.branch_one.id}).status_code, 404)


class FundApiTests(CareApiTestCase):
    def test_income_disburse_overdraw_and_reverse(self):
        api = self.api_as(self.li)
        r = api.post(f"/funds/{self.fund.id}/income", {"amount": "1000.00", "purpose": "镇党委拨付"})
        self.assertEqual(r.status_code, 201, r.content)
        r = api.post(f"/funds/{self.fund.id}/disbursements", {"amount": "1000.01", "purpose": "慰问",
                                                               "member_id": self.old.id})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["rule"], "R-FUND-BALANCE")
        r = api.post(f"/funds/{self.fund.id}/disbursements", {"amount": "600", "purpose": "慰问",
                                                               "member_id": self.old.id})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["amount"], r.json()["balance_after"]), ("-600.00", "400.00"))
        entry_id = r.json()["id"]
        r = api.post(f"/funds/{self.fund.id}/entries/{entry_id}/reverse", {"reason": "重复发放"})
        self.assertEqual((r.status_code, r.json()["balance_after"]), (201, "1000.00"))
        self.assertEqual(api.get(f"/funds/{self.fund.id}").json()["balance"], "1000.00")
        self.assertEqual(api.get(f"/funds/{self.fund.id}/ledger").json()["count"], 3)
        rep = api.get(f"/funds/{self.fund.id}/report").json()
        self.assertEqual(Decimal(rep["closing"]), Decimal(rep["opening"]) + Decimal(rep["income"]) - Decimal(rep["spending"]))

    def test_relief(self):
        api = self.api_as(self.li)
        api.post(f"/funds/{self.fund.id}/income", {"amount": "5000", "purpose": "拨付"})
        r = api.post(f"/funds/{self.fund.id}/reliefs", {"member_id": self.old.id, "kind": "major_illness_relief",
                                                         "amount": "3000", "reason": "脑梗住院"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(FundLedger.objects.get(id=r.json()["ledger_entry_id"]).amount, Decimal("-3000.00"))

    def test_bad_input_writes_nothing(self):
        api = self.api_as(self.li)
        api.post(f"/funds/{self.fund.id}/income", {"amount": "100", "purpose": "拨付"})
        before = self.counts()
        bad = [("disbursements", {"amount": "-1", "purpose": "x"}), ("disbursements", {"amount": "x", "purpose": "x"}),
               ("disbursements", {"amount": "1.234", "purpose": "x"}), ("disbursements", {"amount": "1"}),
               ("disbursements", {"amount": "1", "purpose": "x", "member_id": self.qian.id}),
               ("income", {"amount": "0", "purpose": "x"}), ("income", {"amount": "5", "purpose": "x", "category": "?"}),
               ("reliefs", {"member_id": self.old.id, "kind": "lottery", "amount": "5", "reason": "x"}),
               ("reliefs", {"member_id": self.old.id, "kind": "relief", "amount": "500", "reason": "x"})]
        for path, data in bad:
            with self.subTest(path=path, **{k: str(v) for k, v in data.items()}):
                r = api.post(f"/funds/{self.fund.id}/{path}", data)
                self.assertIn(r.status_code, (400, 404, 422), r.content)
        self.assertEqual(self.counts(), before)

    def test_outsider_gets_404_everywhere(self):
        self.api_as(self.li).post(f"/funds/{self.fund.id}/income", {"amount": "100", "purpose": "拨付"})
        entry = FundLedger.objects.get(fund=self.fund)
        api = self.api_as(self.wang)
        before = self.counts()
        for path in (f"/funds/{self.fund.id}", f"/funds/{self.fund.id}/ledger", f"/funds/{self.fund.id}/report"):
            self.assertEqual(api.get(path).status_code, 404, path)
        self.assertEqual(api.get("/funds", {"org": self.branch_one.id}).status_code, 404)
        for path, data in ((f"/funds/{self.fund.id}/income", {"amount": "1", "purpose": "x"}),
                           (f"/funds/{self.fund.id}/disbursements", {"amount": "1", "purpose": "x"}),
                           (f"/funds/{self.fund.id}/reliefs", {"member_id": self.old.id, "kind": "relief",
                                                                "amount": "1", "reason": "x"}),
                           (f"/funds/{self.fund.id}/entries/{entry.id}/reverse", {"reason": "x"}),
                           # wang's own fund, li's member
                           (f"/funds/{self.fund_two.id}/disbursements", {"amount": "1", "purpose": "x",
                                                                         "member_id": self.old.id}),
                           ("/care/greetings", {"member_id": self.old.id, "kind": "party_anniversary",
                                                "date": "2026-07-01"}),
                           ("/care/visits", {"member_id": self.old.id, "visited_on": "2026-07-01",
                                             "occasion": "party_day", "visitors": "x"}),
                           ("/care/plans", {"org_id": self.branch_one.id, "title": "x", "occasion": "party_day",
                                            "starts_on": "2026-07-01", "ends_on": "2026-07-02"}),
                           ("/funds", {"org_id": self.branch_one.id, "name": "x", "kind": "assistance"})):
            self.assertEqual(api.post(path, data).status_code, 404, path)
        self.assertEqual([f["id"] for f in api.get("/funds", {"org": self.branch_two.id}).json()["items"]],
                         [self.fund_two.id])
        self.assertEqual(self.counts(), before)

    def test_anonymous_401(self):
        self.assertEqual(ApiClient().post(f"/funds/{self.fund.id}/disbursements",
                                          {"amount": "1", "purpose": "x"}).status_code, 401)


class VisitApiTests(CareApiTestCase):
    def test_plan_due_and_visit(self):
        api = self.api_as(self.li)
        today = date.today()
        r = api.post("/care/plans", {"org_id": self.branch_one.id, "title": "重阳慰问", "occasion": "double_ninth",
                                     "starts_on": str(today), "ends_on": str(today + timedelta(days=7))})
        self.assertEqual(r.status_code, 201, r.content)
        pid = r.json()["id"]
        due = api.get(f"/care/plans/{pid}/due").json()["items"]
        self.assertEqual([(d["member_id"], d["visited"]) for d in due], [(self.old.id, False)])
        r = api.post("/care/visits", {"member_id": self.old.id, "plan_id": pid, "visited_on": str(today),
                                      "visitors": "李秀英", "gifts": "牛奶", "money": "0"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertTrue(api.get(f"/care/plans/{pid}/due").json()["items"][0]["visited"])
        self.assertEqual(self.api_as(self.wang).get(f"/care/plans/{pid}/due").status_code, 404)

    def test_greeting_api(self):
        api = self.api_as(self.li)
        today = date.today()
        last = date(today.year if (today.month, today.day) >= (7, 1) else today.year - 1, 7, 1)
        body = {"member_id": self.old.id, "kind": "party_anniversary", "date": str(last),
                "gifts": ["card", "badge", "book", "plaque", "message"]}
        r = api.post("/care/greetings", body)
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["years"], last.year - 1976)
        self.assertEqual(api.post("/care/greetings", body).status_code, 409)
        self.assertEqual(api.post("/care/greetings", {**body, "date": str(last + timedelta(days=1))}).status_code, 400)
        self.assertEqual(api.post("/care/greetings", {**body, "gifts": ["gold"], "kind": "birthday"}).status_code, 400)
        self.assertEqual(Greeting.objects.count(), 1)


class OddInputTests(CareApiTestCase):
    def test_odd_inputs_never_500(self):
        api = self.api_as(self.zhang)
        big = 10 ** 20
        for path, params in (("/care/anniversaries", {"org": big}), ("/care/anniversaries", {"org": self.root.id,
                                                                                             "from": "9999-12-31"}),
                             ("/care/anniversaries", {"org": self.root.id, "kind": "x"}),
                             (f"/funds/{big}", {}), (f"/funds/{self.fund.id}/ledger", {"year": 99999}),
                             (f"/funds/{self.fund.id}/report", {"year": -1}), ("/care/medal50", {"org": "abc"}),
                             (f"/care/plans/{big}/due", {})):
            with self.subTest(path=path, **params):
                self.assertIn(api.get(path, params).status_code, (400, 404, 422))
        for path, data in ((f"/funds/{self.fund.id}/disbursements", {"amount": "1e400", "purpose": "x"}),
                           (f"/funds/{self.fund.id}/disbursements", {"amount": 1, "purpose": "x", "member_id": big}),
                           ("/care/greetings", {"member_id": self.old.id, "kind": "birthday", "date": "0001-01-01"}),
                           ("/care/visits", {"member_id": self.old.id, "visited_on": "0001-01-01", "occasion": "other",
                                             "visitors": "x"})):
            with self.subTest(path=path):
                self.assertIn(api.post(path, data).status_code, (201, 400, 404, 422))

    def test_template_api(self):
        api = self.api_as(self.li)
        path = f"/care/orgs/{self.branch_one.id}/greeting-templates/birthday"
        r = api.client.put(api._url(path), '{"text": "{name}生日快乐"}', content_type="application/json", **api.headers)
        self.assertEqual(r.status_code, 200, r.content)
        r = api.client.put(api._url(path), '{"text": "{name.__class__}"}', content_type="application/json",
                           **api.headers)
        self.assertEqual(r.status_code, 400)
        wang = self.api_as(self.wang)
        r = wang.client.put(wang._url(path), '{"text": "x"}', content_type="application/json", **wang.headers)
        self.assertEqual(r.status_code, 404)
