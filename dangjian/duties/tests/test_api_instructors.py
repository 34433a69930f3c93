from datetime import timedelta

from django.utils import timezone

from dangjian.core.testing import ApiClient, make_user
from dangjian.duties.models import ChecklistItem, InstructorAssignment, InstructorLog
from dangjian.orgs.models import Unit

from .base import DutiesCase


class InstructorApiTests(DutiesCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.liu = make_user("liu", cls.other_branch, "member")  # the instructor's own account
        unit = Unit.objects.create(name="华强公司", kind=Unit.Kind.ENTERPRISE)
        cls.branch_one.unit = unit
        cls.branch_one.save()

    def setUp(self):
        self.today = timezone.localdate()
        self.api = self.api_as(self.zhang)
        r = self.api.post("/duties/instructors", {"org_id": self.root.id, "name": "刘指导", "phone": "13800000000",
                                                  "unit": "镇组织办", "username": "liu"})
        self.assertEqual(r.status_code, 201, r.content)
        self.instructor = r.json()
        r = self.api.post(f"/duties/instructors/{self.instructor['id']}/assignments",
                          {"org_id": self.branch_one.id, "started_on": str(self.today - timedelta(days=30))})
        self.assertEqual(r.status_code, 201, r.content)
        self.assignment = r.json()
        self.visit = ChecklistItem.objects.get(org=None, category="visit", text="老党员、老干部必访")

    def log(self, user, **changes):
        body = {"category": "visit", "item_id": self.visit.id, "happened_on": str(self.today),
                "content": "走访老党员姚国俊", **changes}
        return self.api_as(user).post(f"/duties/assignments/{self.assignment['id']}/logs", body)

    def test_instructor_logs_and_checklist_counts(self):
        self.assertEqual(self.log(self.liu).status_code, 201)
        self.assertEqual(self.log(self.li, content="二次走访").status_code, 201)
        self.assertEqual(self.log(self.li, category="attend", item_id=None, content="参加支部大会").status_code, 201)
        body = self.api_as(self.liu).get(f"/duties/assignments/{self.assignment['id']}").json()
        visit = next(c for c in body["checklist"] if c["category"] == "visit")
        self.assertEqual((visit["done"], visit["total"]), (1, 5))
        self.assertEqual(next(i["count"] for i in visit["items"] if i["item_id"] == self.visit.id), 2)
        self.assertEqual([c["label"] for c in body["checklist"]], ["五必知", "五必到", "五必访", "五必办"])

    def test_committee_items_extend_the_default_list(self):
        ChecklistItem.objects.create(org=self.root, category="know", order=100, text="企业生产经营状况必知")
        body = self.api.get(f"/duties/assignments/{self.assignment['id']}").json()
        know = next(c for c in body["checklist"] if c["category"] == "know")
        self.assertEqual(know["total"], 6)

    def test_coverage_of_enterprise_branches(self):
        r = self.api.get("/duties/instructors/coverage", {"org": self.root.id, "enterprise_only": "true"})
        self.assertEqual((r.json()["total"], r.json()["covered"], r.json()["percent"]), (1, 1, "100.00"))
        r = self.api.get("/duties/instructors/coverage", {"org": self.root.id})
        self.assertEqual((r.json()["total"], r.json()["covered"]), (3, 1))
        self.api.post(f"/duties/assignments/{self.assignment['id']}/end", {"ended_on": str(self.today - timedelta(1))})
        r = self.api.get("/duties/instructors/coverage", {"org": self.root.id})
        self.assertEqual(r.json()["covered"], 0)

    def test_branch_secretary_sees_instructor_through_assignment(self):
        r = self.api_as(self.li).get("/duties/instructors")
        self.assertEqual([i["id"] for i in r.json()["items"]], [self.instructor["id"]])

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/duties/assignments/{self.assignment['id']}").status_code, 404)
        self.assertEqual(api.get(f"/duties/instructors/{self.instructor['id']}").status_code, 404)
        self.assertEqual(self.log(self.wang).status_code, 404)
        self.assertEqual(api.get("/duties/instructors").json()["count"], 0)
        self.assertEqual(api.get("/duties/instructors", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/duties/instructors/coverage", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(self.log(self.zhao).status_code, 404)
        self.assertEqual(ApiClient().get("/duties/instructors").status_code, 401)


class InstructorBadInputTests(InstructorApiTests):
    def setUp(self):
        super().setUp()
        self.before = self.counts(InstructorAssignment, InstructorLog)

    def tearDown(self):
        self.assertEqual(self.counts(InstructorAssignment, InstructorLog), self.before)

    def test_instructor_logs_and_checklist_counts(self):
        for changes, fragment in [({"category": "sing"}, "类别"), ({"category": "know"}, "清单"),
                                  ({"happened_on": str(self.today + timedelta(days=1))}, "今天"),
                                  ({"happened_on": str(self.today - timedelta(days=60))}, "指导期"),
                                  ({"content": "  "}, "工作内容")]:
            self.assert_refused(self.log(self.liu, **changes), 400, fragment)
        self.assert_refused(self.log(self.liu, happened_on="2025-02-30"), 422)

    def test_committee_items_extend_the_default_list(self):
        self.assert_refused(self.api.post(f"/duties/instructors/{self.instructor['id']}/assignments",
                                          {"org_id": self.branch_one.id, "started_on": str(self.today)}), 409)
        self.assert_refused(self.api.post(f"/duties/instructors/{self.instructor['id']}/assignments",
                                          {"org_id": self.root.id, "started_on": str(self.today)}), 400)

    def test_coverage_of_enterprise_branches(self):
        self.assert_refused(self.api_as(self.li).post(f"/duties/instructors/{self.instructor['id']}/assignments",
                                                      {"org_id": self.branch_one.id, "started_on": str(self.today)}),
                            404)
