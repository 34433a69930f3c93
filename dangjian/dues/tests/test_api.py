"""The /api/v1/dues contract of issue 10, scope (wang sees nothing of branch one) and bad input."""
import json
from datetime import date
from decimal import Decimal

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.dues import services
from dangjian.dues.models import DuesExemption, DuesPayment, DuesPaymentMonth, DuesProfile, DuesPublication

from .helpers import make_member, ml, this_month


def put(api: ApiClient, path: str, data):
    return api.client.put(api._url(path), json.dumps(data), content_type="application/json", **api.headers)


class DuesApiTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.liu = make_member(cls.branch_one, "刘红梅", joined_on=date(2005, 3, 1))
        cls.me = make_member(cls.branch_one, "赵志强", joined_on=date(2012, 7, 1), user=cls.zhao)
        cls.qian = make_member(cls.branch_two, "钱立平")
        start = ml(-12)
        for m in (cls.liu, cls.me):
            services.dues_base_set(actor=cls.li, member=m, category="employed", income="4000.00",
                                   effective_from=start)
        services.dues_base_set(actor=cls.wang, member=cls.qian, category="retired", income="3000",
                               effective_from=start)

    def counts(self):
        return (DuesPayment.objects.count(), DuesPaymentMonth.objects.count(), DuesProfile.objects.count(),
                DuesExemption.objects.count(), DuesPublication.objects.count())


class QuoteApiTests(DuesApiTestCase):
    def test_quote_contract(self):
        api = self.api_as(self.li)
        r = api.get("/dues/quote", {"category": "employed", "income": "3000.01"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json(), {"category": "employed", "income": "3000.01", "rate": "0.01", "amount": "30.00"})
        r = api.get("/dues/quote", {"category": "employed", "income": "3000.00"})
        self.assertEqual((r.json()["rate"], r.json()["amount"]), ("0.005", "15.00"))
        r = api.get("/dues/quote", {"category": "retired", "income": "5000.00"})
        self.assertEqual((r.json()["rate"], r.json()["amount"]), ("0.005", "25.00"))
        r = api.get("/dues/quote", {"category": "student"})
        self.assertEqual(r.json(), {"category": "student", "income": None, "rate": None, "amount": "0.20"})

    def test_quote_bad_input(self):
        api = self.api_as(self.li)
        for params in ({"category": "employed", "income": "-1"}, {"category": "employed", "income": "abc"},
                       {"category": "employed", "income": "3000.001"}, {"category": "cadre", "income": "100"},
                       {"category": "employed"}):
            with self.subTest(**params):
                r = api.get("/dues/quote", params)
                self.assertEqual(r.status_code, 400, r.content)
                self.assertIn("detail", r.json())
        self.assertEqual(api.get("/dues/quote").status_code, 422)

    def test_anonymous_401(self):
        self.assertEqual(ApiClient().get("/dues/quote", {"category": "student"}).status_code, 401)


class BaseApiTests(DuesApiTestCase):
    def test_put_base(self):
        r = put(self.api_as(self.li), f"/dues/members/{self.liu.id}/base",
                {"category": "employed", "income": "6000", "effective_from": ml(1), "reason": "晋升，工资调整"})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((body["monthly_amount"], body["rate"], body["effective_from"]), ("90.00", "0.015", ml(1)))

    def test_put_base_bad_input_writes_nothing(self):
        before, audits = self.counts(), AuditEvent.objects.count()
        api = self.api_as(self.li)
        for data in ({"category": "employed", "income": "-100", "effective_from": ml(1), "reason": "x"},
                     {"category": "employed", "income": "12.345", "effective_from": ml(1), "reason": "x"},
                     {"category": "nobody", "income": "100", "effective_from": ml(1), "reason": "x"},
                     {"category": "employed", "income": "4000", "effective_from": "2026/01", "reason": "x"},
                     {"category": "employed", "income": "4000"}):
            with self.subTest(**data):
                r = put(api, f"/dues/members/{self.liu.id}/base", data)
                self.assertIn(r.status_code, (400, 422), r.content)
        self.assertEqual(self.counts(), before)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_outsider_and_member_get_404(self):
        data = {"category": "student", "effective_from": ml(0)}
        self.assertEqual(put(self.api_as(self.wang), f"/dues/members/{self.liu.id}/base", data).status_code, 404)
        self.assertEqual(put(self.api_as(self.zhao), f"/dues/members/{self.me.id}/base", data).status_code, 404)
        self.assertEqual(put(ApiClient(), f"/dues/members/{self.liu.id}/base", data).status_code, 401)


class PaymentApiTests(DuesApiTestCase):
    def pay(self, user, member, months, amount, **extra):
        return self.api_as(user).post("/dues/payments", {"member_id": member.id, "months": months,
                                                         "amount": amount, "method": "cash", **extra})

    def test_pay_quarter_then_refuse_twice(self):
        r = self.pay(self.li, self.liu, [ml(0), ml(1), ml(2)], "120.00")
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual((body["months"], body["amount"], body["proxy"]), ([ml(0), ml(1), ml(2)], "120.00", False))
        r = self.pay(self.li, self.liu, [ml(2)], "40.00")
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json()["rule"], "R-DUES-ONCE")

    def test_bad_payments_write_nothing(self):
        before, audits = self.counts(), AuditEvent.objects.count()
        cases = [
            ([ml(4)], "20.00", {}, "R-DUES-ADVANCE"),
            ([ml(-7)], "20.00", {}, "R-DUES-BACK"),
            ([ml(0), ml(-1)], "20.00", {}, "R-DUES-AMOUNT"),
            ([ml(0)], "abc", {}, None),
            ([ml(0)], "-20", {}, None),
            ([ml(0)], "20.001", {}, None),
            (["2026-13"], "20.00", {}, None),
            ([ml(0), ml(0)], "40.00", {}, "R-DUES-ONCE"),
            ([], "0", {}, None),
            ([ml(0)], "20.00", {"method": "salary"}, "R-DUES-METHOD"),
            ([ml(0)], "20.00", {"voluntary": "-1"}, None),
            ([ml(0)], "20.00", {"paid_on": "2099-01-01"}, None),
        ]
        for months, amount, extra, rule in cases:
            with self.subTest(months=months, amount=amount, **extra):
                r = self.pay(self.li, self.liu, months, amount, **extra)
                self.assertIn(r.status_code, (400, 409, 422), r.content)
                self.assertIn("detail", r.json())
                if rule:
                    self.assertEqual(r.json()["rule"], rule)
        r = self.api_as(self.li).post("/dues/payments", {"member_id": self.liu.id, "months": ml(0)})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(self.counts(), before)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_back_payment_within_six_months_and_voluntary(self):
        r = self.pay(self.li, self.liu, [ml(-6), ml(-5)], "80.00", voluntary="1000.00", proxy_name="刘小红")
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["to_centre"], r.json()["proxy"], r.json()["voluntary"]), (True, True, "1000.00"))

    def test_reverse_then_pay_again(self):
        pid = self.pay(self.li, self.liu, [ml(0)], "40.00").json()["id"]
        api = self.api_as(self.li)
        self.assertEqual(api.post(f"/dues/payments/{pid}/reverse", {"reason": ""}).status_code, 400)
        r = api.post(f"/dues/payments/{pid}/reverse", {"reason": "收款重复登记"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["kind"], r.json()["amount"], r.json()["reverses_id"]), ("reversal", "-40.00", pid))
        self.assertEqual(api.post(f"/dues/payments/{pid}/reverse", {"reason": "again"}).status_code, 409)
        self.assertEqual(self.pay(self.li, self.liu, [ml(0)], "40.00").status_code, 201)

    def test_member_months(self):
        self.pay(self.li, self.liu, [ml(-1)], "40.00")
        r = self.api_as(self.li).get(f"/dues/members/{self.liu.id}", {"year": this_month().year})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual(len(body["months"]), 12)
        by = {m["month"]: m for m in body["months"]}
        if ml(-1) in by:
            self.assertEqual(by[ml(-1)]["state"], "paid")
        self.assertEqual(by[ml(0)]["state"], "due")
        self.assertEqual(Decimal(body["due"]) - Decimal(body["paid"]), Decimal(body["outstanding"]))
        self.assertEqual(body["monthly_amount"], "40.00")

    def test_member_sees_own_months_only(self):
        api = self.api_as(self.zhao)
        self.assertEqual(api.get(f"/dues/members/{self.me.id}").status_code, 200)
        self.assertEqual(api.get(f"/dues/members/{self.liu.id}").status_code, 404)
        self.assertEqual(self.pay(self.zhao, self.me, [ml(0)], "40.00").status_code, 404)

    def test_outsider_gets_404_everywhere(self):
        pid = self.pay(self.li, self.liu, [ml(0)], "40.00").json()["id"]
        api = self.api_as(self.wang)
        before = self.counts()
        self.assertEqual(api.get(f"/dues/members/{self.liu.id}").status_code, 404)
        self.assertEqual(api.get(f"/dues/members/{self.liu.id}/profiles").status_code, 404)
        self.assertEqual(self.pay(self.wang, self.liu, [ml(1)], "40.00").status_code, 404)
        self.assertEqual(api.get(f"/dues/payments/{pid}").status_code, 404)
        self.assertEqual(api.post(f"/dues/payments/{pid}/reverse", {"reason": "x"}).status_code, 404)
        self.assertEqual(api.get("/dues/payments", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/dues/arrears", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/dues/report", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/dues/publications", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.post("/dues/publications", {"org_id": self.branch_one.id, "year": 2025}).status_code, 404)
        ex = {"from_month": ml(1), "to_month": ml(2), "reason": "x", "branch_decided_on": "2025-01-01",
              "approved_on": "2025-01-02", "approval_ref": "x"}
        self.assertEqual(api.post(f"/dues/members/{self.liu.id}/exemptions", ex).status_code, 404)
        # wang's own list never shows branch one's payments
        r = api.get("/dues/payments", {"org": self.branch_two.id})
        self.assertEqual(r.json()["count"], 0)
        self.assertEqual(self.counts(), before)

    def test_anonymous_401(self):
        anon = ApiClient()
        self.assertEqual(anon.get(f"/dues/members/{self.liu.id}").status_code, 401)
        self.assertEqual(anon.post("/dues/payments", {"member_id": self.liu.id, "months": [ml(0)], "amount": "20",
                                                      "method": "cash"}).status_code, 401)


class ReportApiTests(DuesApiTestCase):
    def test_report_and_arrears_and_list(self):
        api = self.api_as(self.zhang)
        api.post("/dues/payments", {"member_id": self.qian.id, "months": [ml(0)], "amount": "15.00", "method": "cash"})
        r = api.get("/dues/report", {"org": self.root.id})
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual({row["org_id"] for row in body["rows"]}, {self.branch_one.id, self.branch_two.id})
        self.assertEqual(Decimal(body["total"]["due"]), sum(Decimal(row["due"]) for row in body["rows"]))
        r = api.get("/dues/arrears", {"org": self.root.id})
        levels = {i["member_id"]: i["level"] for i in r.json()["items"]}
        self.assertEqual(levels.get(self.liu.id), "case")  # a year unpaid → R-ABSENT-6M (a warning)
        self.assertEqual(api.get("/dues/payments", {"org": self.root.id}).json()["count"], 1)

    def test_publication_api(self):
        api = self.api_as(self.li)
        r = api.post("/dues/publications", {"org_id": self.branch_one.id, "year": this_month().year,
                                            "handed_up": "0", "used": "0"})
        self.assertEqual(r.status_code, 201, r.content)
        r = api.post("/dues/publications", {"org_id": self.branch_one.id, "year": this_month().year,
                                            "handed_up": "99999"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(api.get("/dues/publications", {"org": self.branch_one.id}).json()["count"], 1)


class OddInputTests(DuesApiTestCase):
    def test_odd_inputs_never_500(self):
        api = self.api_as(self.zhang)
        big = 10 ** 20
        for path, params in ((f"/dues/members/{big}", {}), (f"/dues/members/{self.liu.id}", {"year": 99999}),
                             ("/dues/payments", {"org": self.root.id, "year": 10 ** 9}),
                             ("/dues/report", {"org": big}), ("/dues/arrears", {"org": "x"}),
                             ("/dues/quote", {"category": "employed", "income": "1e400"}),
                             ("/dues/quote", {"category": "employed", "income": "9" * 29})):
            with self.subTest(path=path, **params):
                self.assertIn(api.get(path, params).status_code, (400, 404, 422))
        for data in ({"member_id": big, "months": [ml(0)], "amount": "1", "method": "cash"},
                     {"member_id": self.liu.id, "months": ["0001-01"], "amount": "1", "method": "cash"},
                     {"member_id": self.liu.id, "months": ["9999-12"], "amount": "1", "method": "cash"},
                     {"member_id": self.liu.id, "months": [ml(0)], "amount": "1", "method": "cash",
                      "paid_on": "0001-01-01"}):
            with self.subTest(**{k: str(v) for k, v in data.items()}):
                self.assertIn(api.post("/dues/payments", data).status_code, (400, 404, 422))


class PolicyApiTests(DuesApiTestCase):
    def test_branch_sets_farmer_amount_committee_sets_limits(self):
        li = self.api_as(self.li)
        r = put(li, f"/dues/orgs/{self.branch_one.id}/policy", {"farmer_amount": "0.50"})
        self.assertEqual((r.status_code, r.json()["farmer_amount"]), (200, "0.50"), r.content)
        self.assertEqual(put(li, f"/dues/orgs/{self.branch_one.id}/policy", {"farmer_amount": "1.01"}).status_code, 400)
        self.assertEqual(put(li, f"/dues/orgs/{self.branch_one.id}/policy", {"back_limit_months": 8}).status_code, 400)
        r = put(self.api_as(self.zhang), f"/dues/orgs/{self.root.id}/policy", {"back_limit_months": 8})
        self.assertEqual((r.status_code, r.json()["back_limit_months"]), (200, 8))
        self.assertEqual(put(self.api_as(self.wang), f"/dues/orgs/{self.branch_one.id}/policy",
                             {"farmer_amount": "0.30"}).status_code, 404)
        r = put(li, f"/dues/members/{self.liu.id}/base", {"category": "farmer", "effective_from": ml(1),
                                                          "reason": "回乡务农"})
        self.assertEqual(r.json()["monthly_amount"], "0.50")
