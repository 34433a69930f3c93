from datetime import date

from django.utils import timezone

from dangjian.core.testing import ApiClient
from dangjian.duties.models import PledgeItem, PledgeProgress, PledgeTemplate, ResponsibilityPledge

from .base import DutiesCase

ITEMS = [{"content": "落实“三会一课”制度", "weight": 40}, {"content": "发展党员工作", "weight": "35.5"},
         {"content": "党费收缴", "weight": "24.5"}]


class PledgeApiTests(DutiesCase):
    def setUp(self):
        self.year = timezone.localdate().year
        r = self.api_as(self.zhang).post("/duties/pledges", {"org_id": self.community.id, "year": self.year,
                                                            "title": "党建工作责任书", "items": ITEMS})
        self.assertEqual(r.status_code, 201, r.content)
        self.template = r.json()
        self.p1 = ResponsibilityPledge.objects.get(template_id=self.template["id"], org=self.branch_one)
        self.p2 = ResponsibilityPledge.objects.get(template_id=self.template["id"], org=self.branch_two)

    def test_issue_goes_to_direct_children_with_items(self):
        self.assertEqual(self.template["pledge_count"], 2)
        self.assertEqual([i["weight"] for i in self.template["items"]], ["40.00", "35.50", "24.50"])
        self.assertEqual(PledgeProgress.objects.filter(pledge=self.p1).count(), 3)

    def test_issue_to_chosen_targets_below(self):
        r = self.api_as(self.zhang).post("/duties/pledges", {
            "org_id": self.root.id, "year": self.year, "title": "支部责任书", "items": [{"content": "x", "weight": 100}],
            "target_org_ids": [self.branch_one.id, self.other_branch.id]})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(set(ResponsibilityPledge.objects.filter(template_id=r.json()["id"])
                             .values_list("org_id", flat=True)), {self.branch_one.id, self.other_branch.id})

    def test_secretary_signs_and_reports_progress(self):
        api = self.api_as(self.li)
        r = api.post(f"/duties/pledges/{self.p1.id}/sign", {"signer": "李秀英", "signed_on": str(timezone.localdate())})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["state"], "signed")
        item = PledgeItem.objects.filter(template_id=self.template["id"]).order_by("order").first()
        r = api.post(f"/duties/pledges/{self.p1.id}/progress", {"item_id": item.id, "percent": 50, "note": "已召开"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["completion"], "20.00")
        self.assertEqual(r.json()["items"][0]["percent"], 50)
        r = api.get("/duties/pledges", {"year": self.year})
        self.assertEqual([p["org_id"] for p in r.json()["items"]], [self.branch_one.id])
        self.assertEqual(r.json()["items"][0]["completion"], "20.00")

    def test_signing_twice_is_a_conflict(self):
        api = self.api_as(self.li)
        api.post(f"/duties/pledges/{self.p1.id}/sign", {"signer": "李秀英", "signed_on": str(timezone.localdate())})
        self.assert_refused(api.post(f"/duties/pledges/{self.p1.id}/sign",
                                     {"signer": "李秀英", "signed_on": str(timezone.localdate())}), 409)

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/duties/pledges/{self.p1.id}").status_code, 404)
        self.assertEqual(api.post(f"/duties/pledges/{self.p1.id}/sign",
                                  {"signer": "王坤", "signed_on": "2025-01-02"}).status_code, 404)
        self.assertEqual(api.post(f"/duties/pledges/{self.p1.id}/progress", {"item_id": 1, "percent": 1}).status_code,
                         404)
        self.assertEqual(api.get("/duties/pledges", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual([p["org_id"] for p in api.get("/duties/pledges").json()["items"]], [self.branch_two.id])
        self.assertEqual(self.api_as(self.zhao).get("/duties/pledges").json()["count"], 0)
        self.assertEqual(self.api_as(self.zhao).get(f"/duties/pledges/{self.p1.id}").status_code, 404)

    def test_anonymous_gets_401(self):
        self.assertEqual(ApiClient().get("/duties/pledges").status_code, 401)
        self.assertEqual(ApiClient().post("/duties/pledges", {}).status_code, 401)


class PledgeBadInputTests(DutiesCase):
    def setUp(self):
        self.api = self.api_as(self.zhang)
        self.before = self.counts(PledgeTemplate, ResponsibilityPledge, PledgeProgress)
        self.body = {"org_id": self.community.id, "year": timezone.localdate().year, "title": "责任书",
                     "items": ITEMS}

    def tearDown(self):
        self.assertEqual(self.counts(PledgeTemplate, ResponsibilityPledge, PledgeProgress), self.before)

    def post(self, **changes):
        return self.api.post("/duties/pledges", {**self.body, **changes})

    def test_weights_not_100(self):
        self.assert_refused(self.post(items=[{"content": "a", "weight": 50}, {"content": "b", "weight": 49}]), 400,
                            "100")

    def test_bad_items(self):
        self.assert_refused(self.post(items=[]), 400)
        self.assert_refused(self.post(items=[{"content": " ", "weight": 100}]), 400, "内容")
        self.assert_refused(self.post(items=[{"content": "a", "weight": "abc"}]), 422)
        self.assert_refused(self.post(items=[{"content": "a", "weight": -10}, {"content": "b", "weight": 110}]), 400)

    def test_branch_cannot_issue(self):
        self.assert_refused(self.api_as(self.li).post("/duties/pledges", {**self.body, "org_id": self.branch_one.id}),
                            400, "党支部")

    def test_target_outside_subtree(self):
        self.assert_refused(self.post(target_org_ids=[self.other_branch.id]), 400, "下级")
        self.assert_refused(self.post(target_org_ids=[self.community.id]), 400, "下级")

    def test_bad_year_and_title(self):
        self.assert_refused(self.post(year=1800), 400, "年度")
        self.assert_refused(self.post(title=""), 400)
        self.assert_refused(self.post(year="abc"), 422)

    def test_outsider_and_member(self):
        self.assert_refused(self.api_as(self.wang).post("/duties/pledges", self.body), 404)
        self.assert_refused(self.api_as(self.zhao).post("/duties/pledges", self.body), 404)

    def test_duplicate_title(self):
        self.assertEqual(self.post().status_code, 201)
        self.before = self.counts(PledgeTemplate, ResponsibilityPledge, PledgeProgress)
        self.assert_refused(self.post(), 409)

    def test_progress_refused_before_signing_and_out_of_range(self):
        r = self.post()
        self.before = self.counts(PledgeTemplate, ResponsibilityPledge, PledgeProgress)
        pledge = ResponsibilityPledge.objects.get(template_id=r.json()["id"], org=self.branch_one)
        item_id = r.json()["items"][0]["id"]
        li = self.api_as(self.li)
        self.assert_refused(li.post(f"/duties/pledges/{pledge.id}/progress", {"item_id": item_id, "percent": 10}),
                            400, "签订")
        li.post(f"/duties/pledges/{pledge.id}/sign", {"signer": "李", "signed_on": str(timezone.localdate())})
        self.before[-1] += 1
        self.assert_refused(li.post(f"/duties/pledges/{pledge.id}/progress", {"item_id": item_id, "percent": 101}),
                            400, "100")
        self.assert_refused(li.post(f"/duties/pledges/{pledge.id}/progress", {"item_id": 999999, "percent": 1}), 400)
        self.assert_refused(li.post(f"/duties/pledges/{pledge.id}/sign",
                                    {"signer": "李", "signed_on": str(timezone.localdate())}), 409)

    def test_future_signing_date(self):
        r = self.post()
        self.before = self.counts(PledgeTemplate, ResponsibilityPledge, PledgeProgress)
        pledge = ResponsibilityPledge.objects.get(template_id=r.json()["id"], org=self.branch_one)
        self.assert_refused(self.api_as(self.li).post(f"/duties/pledges/{pledge.id}/sign",
                                                      {"signer": "李", "signed_on": "2999-01-01"}), 400, "今天")
        self.assert_refused(self.api_as(self.li).post(f"/duties/pledges/{pledge.id}/sign",
                                                      {"signer": "李", "signed_on": "not-a-date"}), 422)
        self.assertEqual(ResponsibilityPledge.objects.get(pk=pledge.pk).state, "issued")
        self.assertEqual(date.today().year >= 2024, True)
