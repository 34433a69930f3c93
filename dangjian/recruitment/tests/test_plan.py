"""发展党员计划 (R-PLAN): a 党委 sets quotas for the orgs below; plan vs actual; warn, never refuse."""
from datetime import date

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.recruitment import services
from dangjian.recruitment.models import RecruitmentPlan, StepRecord

from .helpers import START_AGO, applicant, days_ago, make_full, walk


class PlanTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.vids = [m.id for m in make_full(cls.zhang, cls.branch_one)]
        cls.year = date.today().year

    def counts(self):
        return RecruitmentPlan.objects.count(), AuditEvent.objects.count()

    def put(self, user, **body):
        return self.api_as(user).put("/recruitment/plans", {"org_id": self.branch_one.id, "year": self.year,
                                                            "quota": 2, **body})

    def test_committee_sets_a_plan_and_changes_it(self):
        r = self.put(self.zhang)
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["quota"], r.json()["actual"]), (2, 0))
        plan = RecruitmentPlan.objects.get(org=self.branch_one, year=self.year)
        self.assertEqual(plan.committee, self.community)  # the nearest 党委 above the branch
        self.assertEqual(self.put(self.zhang, quota=3).json()["quota"], 3)
        self.assertEqual(RecruitmentPlan.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="recruitment.plan").count(), 2)
        rows = self.api_as(self.zhang).get("/recruitment/plans", {"org": self.root.id, "year": self.year}).json()["rows"]
        names = [r["org_name"] for r in rows]
        self.assertEqual(names[0], self.root.name)
        self.assertIn(self.branch_one.name, names)
        self.assertIn(self.community.name, names)
        rows = self.api_as(self.li).get("/recruitment/plans", {"org": self.branch_one.id, "year": self.year}).json()["rows"]
        self.assertEqual([(r["org_name"], r["quota"]) for r in rows], [(self.branch_one.name, 3)])

    def test_a_branch_secretary_cannot_set_their_own_plan_and_outsider_gets_404(self):
        before = self.counts()
        r = self.put(self.li)
        self.assertEqual((r.status_code, r.json()["rule"]), (403, "R-PLAN"))
        self.assertEqual(self.put(self.wang).status_code, 404)
        self.assertEqual(self.put(self.zhao).status_code, 404)
        self.assertEqual(ApiClient().put("/recruitment/plans", {"org_id": self.branch_one.id, "year": self.year,
                                                                "quota": 1}).status_code, 401)
        self.assertEqual(self.api_as(self.wang).get("/recruitment/plans", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(ApiClient().get("/recruitment/plans").status_code, 401)
        self.assertEqual(self.counts(), before)

    def test_malformed_plans_change_nothing(self):
        before = self.counts()
        for body in ({"quota": -1}, {"quota": "many"}, {"year": 1999}, {"year": "x"}, {"quota": 10001},
                     {"note": "x" * 201}, {"org_id": "abc"}, {"year": self.year + 2}):
            r = self.put(self.zhang, **body)
            self.assertIn(r.status_code, (400, 404, 422), body)
        self.assertEqual(self.put(self.zhang, year=self.year + 2).json()["rule"], "R-PLAN")
        self.assertEqual(self.api_as(self.zhang).get("/recruitment/plans", {"year": 1800}).status_code, 422)
        self.assertEqual(self.counts(), before)

    def test_admission_beyond_the_plan_is_warned_not_refused(self):
        person = applicant(self.li, self.branch_one, name="超计划", applied_on=days_ago(START_AGO))
        dates = walk(self.li, person, upto="approval_talk", sponsors=self.vids, voters=5)
        approve_on = dates["approval_talk"]
        services.plan_set(actor=self.zhang, org=self.branch_one, year=approve_on.year, quota=0)
        r = self.api_as(self.li).post(f"/recruitment/{person.id}/steps",
                                      {"step": "admission_approval", "date": approve_on.isoformat(), "approved": True})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertIn("R-PLAN", [w["rule"] for w in r.json()["warnings"]])
        self.assertTrue(StepRecord.objects.filter(record__member=person, step="admission_approval").exists())
        rows = self.api_as(self.zhang).get("/recruitment/plans", {"org": self.community.id,
                                                                   "year": approve_on.year}).json()["rows"]
        row = next(r for r in rows if r["org_id"] == self.branch_one.id)
        self.assertEqual((row["quota"], row["actual"], row["over"]), (0, 1, True))
        self.assertEqual(next(r for r in rows if r["org_id"] == self.community.id)["actual"], 1)
        other_year = self.api_as(self.zhang).get("/recruitment/plans", {"org": self.community.id,
                                                                         "year": approve_on.year - 1}).json()["rows"]
        self.assertEqual(sum(r["actual"] for r in other_year), 0)

    def test_within_the_plan_no_warning(self):
        person = applicant(self.li, self.branch_one, name="计划内", applied_on=days_ago(START_AGO))
        dates = walk(self.li, person, upto="approval_talk", sponsors=self.vids, voters=5)
        services.plan_set(actor=self.zhang, org=self.branch_one, year=dates["approval_talk"].year, quota=1)
        _, warnings = services.step_record_create(actor=self.li, member=person, step="admission_approval",
                                                  on=dates["approval_talk"], data={"approved": True})
        self.assertNotIn("R-PLAN", [w.rule for w in warnings])

    def test_plan_page(self):
        web = self.web_as(self.zhang)
        r = web.get("/recruitment/plan/", {"org": self.root.id})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "plan-form")
        before = self.counts()
        r = web.post(f"/recruitment/plan/?org={self.root.id}", {"org_id": self.branch_one.id, "year": self.year,
                                                                 "quota": -5})
        self.assertEqual(r.status_code, 400)
        r = web.post(f"/recruitment/plan/?org={self.root.id}", {"org_id": 999999, "year": self.year, "quota": 1})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.counts(), before)
        r = web.post(f"/recruitment/plan/?org={self.root.id}", {"org_id": self.branch_one.id, "year": self.year,
                                                                 "quota": 4})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(RecruitmentPlan.objects.get(org=self.branch_one, year=self.year).quota, 4)
        r = self.web_as(self.li).get("/recruitment/plan/")
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "plan-form")
        self.assertContains(r, "4")
        self.assertEqual(self.web_as(self.li).post("/recruitment/plan/", {"org_id": self.branch_one.id,
                                                                          "year": self.year, "quota": 9}).status_code, 404)
        self.assertEqual(self.web_as(self.wang).get("/recruitment/plan/", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get("/recruitment/plan/").status_code, 404)
        self.assertIn("/login/", self.client.get("/recruitment/plan/").url)
        self.assertEqual(RecruitmentPlan.objects.get(org=self.branch_one, year=self.year).quota, 4)
