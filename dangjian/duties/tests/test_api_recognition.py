from django.utils import timezone

from dangjian.core.testing import ApiClient
from dangjian.duties.models import Honor, ServiceBrand, WorkMethod, WorkMethodRecord, WorkStepRecord
from dangjian.orgs.models import Org

from .base import DutiesCase, make_member


class HonorApiTests(DutiesCase):
    def setUp(self):
        self.year = timezone.localdate().year
        self.member = make_member(self.zhang, self.branch_one, "姚国俊")

    def nominate(self, user=None, **changes):
        body = {"org_id": self.branch_one.id, "subject": "person", "member_id": self.member.id,
                "award": "优秀共产党员", "level": "town", "year": self.year, "story": "38 年党龄，带头做志愿者", **changes}
        return self.api_as(user or self.li).post("/honors", body)

    def test_nomination_approval_showcase(self):
        r = self.nominate()
        self.assertEqual(r.status_code, 201, r.content)
        hid = r.json()["id"]
        self.assertEqual(r.json()["person_name"], "姚国俊")
        self.assert_refused(self.api_as(self.li).post(f"/honors/{hid}/decide", {"approve": True}), 403)
        self.assertEqual(ApiClient().get("/honors/showcase").json()["count"], 0)
        r = self.api_as(self.zhang).post(f"/honors/{hid}/decide", {"approve": True, "public": True})
        self.assertEqual(r.json()["state"], "approved")
        show = ApiClient().get("/honors/showcase").json()
        self.assertEqual([h["person_name"] for h in show["items"]], ["姚国俊"])
        self.assertNotIn("member_id", show["items"][0])

    def test_org_honor_uses_the_org_name(self):
        r = self.nominate(member_id=None, subject="org", award="先进基层党组织")
        self.assertEqual(r.json()["person_name"], "第一党支部")

    def test_bad_input_writes_nothing(self):
        before = self.counts(Honor)
        self.assert_refused(self.nominate(subject="org"), 400, "个人表彰")
        self.assert_refused(self.nominate(level="galactic"), 400)
        self.assert_refused(self.nominate(member_id=None, person_name=""), 400, "姓名")
        self.assert_refused(self.nominate(user=self.zhang, org_id=self.branch_two.id), 400, "不在推荐组织")
        self.assert_refused(self.nominate(user=self.wang), 404)
        self.assertEqual(self.counts(Honor), before)
        hid = self.nominate().json()["id"]
        before = self.counts(Honor)
        self.assert_refused(self.nominate(), 409)
        self.assert_refused(self.api_as(self.zhang).post(f"/honors/{hid}/decide", {"approve": False}), 400, "意见")
        self.assert_refused(self.api_as(self.wang).post(f"/honors/{hid}/decide", {"approve": True}), 404)
        self.assertEqual(self.counts(Honor), before)
        self.assertEqual(self.api_as(self.wang).get("/honors", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(self.api_as(self.wang).get("/honors").json()["count"], 0)


class BrandApiTests(DutiesCase):
    def test_seed_002_figures(self):
        """三明市直机关工委: 85 directly-led orgs all created brands, 29 more from others: 114, 20 优秀, 10 提名."""
        committee = self.root.add_child(name="市直机关工委", kind=Org.Kind.COMMITTEE, region_id=self.root.id)
        direct = [committee.add_child(name=f"直属党组织{i}", kind=Org.Kind.COMMITTEE if i < 10 else Org.Kind.BRANCH,
                                      region_id=self.root.id) for i in range(85)]
        direct = list(Org.objects.filter(id__in=[o.id for o in direct]).order_by("path"))
        others = [direct[i % 10].add_child(name=f"下属支部{i}", kind=Org.Kind.BRANCH, region_id=self.root.id)
                  for i in range(29)]
        ratings = ["excellent"] * 20 + ["nominated"] * 10 + [""] * 84
        for n, org in enumerate(direct + others):
            ServiceBrand.objects.create(org=org, region_id=org.region_id, name=f"品牌{n}", year=2017,
                                        rating=ratings[n])
        r = self.api_as(self.zhang).get("/brands/coverage", {"org": committee.id}).json()
        self.assertEqual((r["total"], r["excellent"], r["nominated"]), (114, 20, 10))
        self.assertEqual((r["direct_total"], r["direct_covered"], r["direct_percent"]), (85, 85, "100.00"))
        self.assertEqual((r["from_direct"], r["from_others"]), (85, 29))

    def test_create_rate_and_scope(self):
        r = self.api_as(self.li).post("/brands", {"org_id": self.branch_one.id, "name": "红色物业",
                                                  "year": 2025, "idea": "小事不出楼院"})
        self.assertEqual(r.status_code, 201, r.content)
        bid = r.json()["id"]
        self.assert_refused(self.api_as(self.li).post(f"/brands/{bid}/rate", {"rating": "excellent"}), 403)
        self.assert_refused(self.api_as(self.wang).post(f"/brands/{bid}/rate", {"rating": "excellent"}), 404)
        before = self.counts(ServiceBrand)
        self.assert_refused(self.api_as(self.zhang).post(f"/brands/{bid}/rate", {"rating": "gold"}), 400)
        self.assert_refused(self.api_as(self.li).post("/brands", {"org_id": self.branch_one.id, "name": "红色物业",
                                                                  "year": 2025}), 409)
        self.assert_refused(self.api_as(self.wang).post("/brands", {"org_id": self.branch_one.id, "name": "x",
                                                                    "year": 2025}), 404)
        self.assertEqual(self.counts(ServiceBrand), before)
        r = self.api_as(self.zhang).post(f"/brands/{bid}/rate", {"rating": "excellent"})
        self.assertEqual(r.json()["rating"], "excellent")
        self.assertEqual(self.api_as(self.zhang).get("/brands", {"rating": "excellent"}).json()["count"], 1)
        self.assertEqual(self.api_as(self.wang).get("/brands").json()["count"], 0)
        self.assertEqual(self.api_as(self.wang).get("/brands", {"org": self.branch_one.id}).status_code, 404)


class WorkMethodApiTests(DutiesCase):
    def test_default_seven_steps_and_records(self):
        methods = self.api_as(self.li).get("/duties/work-methods").json()
        default = next(m for m in methods if m["org_id"] is None)
        self.assertEqual(default["steps"][0], "定目标计划")
        self.assertEqual(len(default["steps"]), 7)
        r = self.api_as(self.li).post("/duties/work-records", {"method_id": default["id"], "org_id": self.branch_one.id,
                                                               "title": "2025 年支部建设", "year": 2025})
        self.assertEqual(r.status_code, 201, r.content)
        rid = r.json()["id"]
        r = self.api_as(self.li).post(f"/duties/work-records/{rid}/steps",
                                      {"step_no": 1, "done_on": "2025-01-10", "content": "制定年度计划"})
        self.assertEqual(r.json()["steps"][0]["done_on"], "2025-01-10")
        before = self.counts(WorkStepRecord, WorkMethodRecord)
        self.assert_refused(self.api_as(self.li).post(f"/duties/work-records/{rid}/steps",
                                                      {"step_no": 1, "done_on": "2025-01-10", "content": "x"}), 409)
        self.assert_refused(self.api_as(self.li).post(f"/duties/work-records/{rid}/steps",
                                                      {"step_no": 8, "done_on": "2025-01-10", "content": "x"}), 400)
        self.assert_refused(self.api_as(self.wang).post(f"/duties/work-records/{rid}/steps",
                                                        {"step_no": 2, "done_on": "2025-01-10", "content": "x"}), 404)
        self.assert_refused(self.api_as(self.li).post(f"/duties/work-records/{rid}/rate", {"rating": "excellent"}), 403)
        self.assertEqual(self.counts(WorkStepRecord, WorkMethodRecord), before)
        self.assertEqual(self.api_as(self.zhang).post(f"/duties/work-records/{rid}/rate",
                                                      {"rating": "nominated"}).json()["rating"], "nominated")

    def test_committee_method(self):
        r = self.api_as(self.zhang).post("/duties/work-methods", {"org_id": self.community.id, "name": "三步法",
                                                                  "steps": ["议", "办", "评"]})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertIn(r.json()["id"], [m["id"] for m in self.api_as(self.li).get("/duties/work-methods").json()])
        before = WorkMethod.objects.count()
        self.assert_refused(self.api_as(self.li).post("/duties/work-methods", {
            "org_id": self.branch_one.id, "name": "x", "steps": ["a"]}), 400, "党支部")
        self.assert_refused(self.api_as(self.zhang).post("/duties/work-methods", {
            "org_id": self.community.id, "name": "y", "steps": ["a", "a"]}), 400, "重复")
        self.assertEqual(WorkMethod.objects.count(), before)


class ContractDefaultsTests(DutiesCase):
    def test_minimal_bodies_of_the_contract(self):
        r = self.api_as(self.li).post("/brands", {"org_id": self.branch_one.id, "name": "党员先锋岗"})
        self.assertEqual((r.status_code, r.json()["year"]), (201, timezone.localdate().year))
        r = self.api_as(self.li).post("/honors", {"org_id": self.branch_one.id, "award": "优秀共产党员",
                                                  "person_name": "张桂兰"})
        self.assertEqual((r.status_code, r.json()["subject"], r.json()["state"]), (201, "person", "nominated"))
        r = self.api_as(self.zhang).post("/duties/inspections", {"org_id": self.community.id, "title": "督查"})
        self.assertEqual(r.status_code, 201, r.content)
        r = self.api_as(self.zhang).post("/duties/pledges", {"org_id": self.community.id,
                                                             "items": [{"content": "全面从严治党", "weight": 100}]})
        self.assertEqual((r.status_code, r.json()["pledge_count"]), (201, 2))
