"""API /api/v1/recruitment: the contract of issue 5, scope (wang sees nothing of branch one), bad input."""
from datetime import timedelta

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient, PersonaTestCase
from dangjian.members.models import Member
from dangjian.recruitment import rules
from dangjian.recruitment.models import RecruitmentRecord, StepRecord

from .helpers import START_AGO, applicant, days_ago, make_full, plan, walk

APPLICANT = {"name": "俞小明", "gender": "M", "birth_date": "1986-04-12", "unit_name": "华强公司", "occupation": "营销总监"}


class RecruitmentApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.vids = [m.id for m in make_full(cls.zhang, cls.branch_one)]
        make_full(cls.zhang, cls.branch_two, prefix="二")

    def counts(self):
        return (Member.objects.count(), RecruitmentRecord.objects.count(), StepRecord.objects.count(),
                AuditEvent.objects.count())

    def post_step(self, user, member_id, body):
        return self.api_as(user).post(f"/recruitment/{member_id}/steps", body)

    def test_create_applicant_and_read_the_pipeline(self):
        r = self.api_as(self.li).post("/recruitment/applicants", {**APPLICANT, "org_id": self.branch_one.id,
                                                                  "applied_on": days_ago(3).isoformat()})
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(body["stage"], "applicant")
        self.assertEqual([(s["step"], s["date"]) for s in body["steps"]], [("application", days_ago(3).isoformat())])
        [allowed] = body["allowed"]
        self.assertEqual((allowed["step"], allowed["earliest"], allowed["latest"]),
                         ("application_talk", days_ago(3).isoformat(), rules.add_months(days_ago(3), 1).isoformat()))
        self.assertEqual(body["violations"], [])
        member = Member.objects.get(id=body["member_id"])
        self.assertEqual((member.stage, member.applied_on, member.org_id), ("applicant", days_ago(3), self.branch_one.id))
        r = self.api_as(self.li).get(f"/recruitment/{member.id}")
        self.assertEqual(r.json()["allowed"][0]["step"], "application_talk")

    def test_applicant_bad_input_changes_nothing(self):
        api = self.api_as(self.li)
        before = self.counts()
        young = {**APPLICANT, "birth_date": rules.add_years(days_ago(0), -17).isoformat()}
        cases = [
            ({**young, "org_id": self.branch_one.id, "applied_on": days_ago(0).isoformat()}, 400, "R-AGE"),
            ({**APPLICANT, "org_id": self.branch_one.id, "applied_on": days_ago(-1).isoformat()}, 400, "R-FUTURE"),
            ({**APPLICANT, "org_id": self.branch_one.id, "applied_on": "2024-02-30"}, 422, None),
            ({**APPLICANT, "org_id": self.branch_one.id}, 422, None),
            ({**APPLICANT, "org_id": self.community.id, "applied_on": days_ago(1).isoformat()}, 404, None),
            ({**APPLICANT, "gender": "X", "org_id": self.branch_one.id, "applied_on": days_ago(1).isoformat()}, 400, None),
            ({**APPLICANT, "org_id": self.branch_two.id, "applied_on": days_ago(1).isoformat()}, 404, None),
        ]
        for body, status, rule in cases:
            r = api.post("/recruitment/applicants", body)
            self.assertEqual(r.status_code, status, (body, r.content))
            self.assertIn("detail", r.json())
            if rule:
                self.assertEqual(r.json()["rule"], rule)
        r = self.api_as(self.zhang).post("/recruitment/applicants", {**APPLICANT, "org_id": self.community.id,
                                                                     "applied_on": days_ago(1).isoformat()})
        self.assertEqual((r.status_code, r.json()["field"]), (400, "org_id"))  # members live in a 党支部
        self.assertEqual(self.counts(), before)

    def test_happy_path_from_application_to_full_member_through_the_api(self):
        api = self.api_as(self.li)
        start = days_ago(START_AGO)
        r = api.post("/recruitment/applicants", {**APPLICANT, "org_id": self.branch_one.id,
                                                 "applied_on": start.isoformat()})
        member_id = r.json()["member_id"]
        for code, on, data in plan(start, self.vids, 5):
            body = {"step": code, "date": on.isoformat(), **{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                                               for k, v in data.items()}}
            r = self.post_step(self.li, member_id, body)
            self.assertEqual(r.status_code, 201, (code, r.content))
            self.assertEqual(r.json()["step"]["step"], code)
        body = api.get(f"/recruitment/{member_id}").json()
        vote_on = next(s["date"] for s in body["steps"] if s["step"] == "admission_vote")
        self.assertEqual((body["stage"], body["state"], body["joined_on"]), ("full", "completed", vote_on))
        member = Member.objects.get(id=member_id)
        self.assertEqual(member.full_on, rules.add_years(member.joined_on, 1))
        self.assertEqual(len(body["steps"]), 27)  # 25 steps, two of them assessed twice
        self.assertEqual(body["allowed"], [])

    def test_refused_steps_return_detail_and_rule_and_save_nothing(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(400))
        before = self.counts()
        cases = [
            ({"step": "activist_recommendation", "date": days_ago(1).isoformat(), "method": "member_recommendation"},
             "R-ORDER"),
            ({"step": "application_talk", "date": days_ago(1).isoformat(), "talker_name": "书记"}, "R-TALK-1M"),
            ({"step": "application_talk", "date": days_ago(-1).isoformat(), "talker_name": "书记"}, "R-FUTURE"),
            ({"step": "application_talk", "date": days_ago(401).isoformat(), "talker_name": "书记"}, "R-ORDER"),
        ]
        for body, rule in cases:
            r = self.post_step(self.li, member.id, body)
            self.assertEqual(r.status_code, 400, r.content)
            self.assertEqual(r.json()["rule"], rule)
            self.assertTrue(r.json()["detail"])
        self.assertEqual(self.counts(), before)

    def test_malformed_steps_get_4xx(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(10))
        before = self.counts()
        for body, status in [
            ({"step": "nonsense", "date": days_ago(1).isoformat()}, 400),
            ({"step": "application_talk", "date": "not-a-date", "talker_name": "书记"}, 422),
            ({"step": "application_talk", "talker_name": "书记"}, 422),
            ({"step": "application_talk", "date": days_ago(1).isoformat(), "talker_name": "书记", "extra": 1}, 400),
            ({"step": "application_talk", "date": days_ago(1).isoformat(), "talker_id": "abc"}, 400),
            ({"step": "application_talk", "date": days_ago(1).isoformat(), "talker_name": ["x"]}, 400),
            ({"step": "application_talk", "date": days_ago(1).isoformat()}, 400),
        ]:
            r = self.post_step(self.li, member.id, body)
            self.assertEqual(r.status_code, status, (body, r.content))
            self.assertIn("detail", r.json())
        r = self.api_as(self.li).client.post(f"/api/v1/recruitment/{member.id}/steps", "{not json",
                                             content_type="application/json", **self.api_as(self.li).headers)
        self.assertIn(r.status_code, (400, 422))
        self.assertEqual(self.counts(), before)

    def test_vote_counts_that_do_not_add_up_are_refused(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(START_AGO))
        walk(self.li, member, upto="application_form", sponsors=self.vids, voters=5)
        vote_on = (member.applied_on + timedelta(days=460)).isoformat()
        before = self.counts()
        for counts, rule in [({"present": 5, "for": 3, "against": 1, "abstain": 0}, "R-MAJORITY"),
                             ({"present": 2, "for": 2, "against": 0, "abstain": 0}, "R-QUORUM"),
                             ({"present": 5, "for": 2, "against": 3, "abstain": 0, "passed": True}, "R-MAJORITY")]:
            r = self.post_step(self.li, member.id, {"step": "admission_vote", "date": vote_on, **counts})
            self.assertEqual((r.status_code, r.json()["rule"]), (400, rule))
        self.assertEqual(self.counts(), before)

    def test_three_sponsors_or_one_introducer_refused(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(START_AGO))
        walk(self.li, member, upto="activist_recommendation", sponsors=self.vids, voters=5)
        on = (member.applied_on + timedelta(days=45)).isoformat()
        r = self.post_step(self.li, member.id, {"step": "sponsors_assigned", "date": on, "sponsor_ids": self.vids[:3]})
        self.assertEqual((r.status_code, r.json()["rule"]), (400, "R-SPONSORS"))

    def test_outsider_gets_404_everywhere(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(10))
        api = self.api_as(self.wang)
        before = self.counts()
        self.assertEqual(api.get(f"/recruitment/{member.id}").status_code, 404)
        self.assertEqual(self.post_step(self.wang, member.id, {"step": "application_talk", "date": days_ago(1).isoformat(),
                                                               "talker_name": "x"}).status_code, 404)
        self.assertEqual(api.patch(f"/recruitment/{member.id}", {"leaving_on": None}).status_code, 404)
        row = member.recruitment.steps.get()
        self.assertEqual(api.post(f"/recruitment/{member.id}/steps/{row.id}/void", {"reason": "x"}).status_code, 404)
        self.assertEqual(api.get("/recruitment", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get("/recruitment", {"org": self.community.id}).status_code, 404)
        self.assertEqual(api.get("/recruitment").json()["count"], 0)
        self.assertEqual(self.counts(), before)
        self.assertEqual(api.get("/recruitment/999999").status_code, 404)

    def test_anonymous_gets_401(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(10))
        anon = ApiClient()
        self.assertEqual(anon.get(f"/recruitment/{member.id}").status_code, 401)
        self.assertEqual(anon.get("/recruitment").status_code, 401)
        self.assertEqual(anon.post("/recruitment/applicants", APPLICANT).status_code, 401)
        self.assertEqual(anon.post(f"/recruitment/{member.id}/steps", {}).status_code, 401)

    def test_the_person_sees_their_own_pipeline_but_cannot_record(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(10))
        Member.objects.filter(pk=member.pk).update(user=self.zhao)
        api = self.api_as(self.zhao)
        self.assertEqual(api.get(f"/recruitment/{member.id}").json()["stage"], "applicant")
        r = self.post_step(self.zhao, member.id, {"step": "application_talk", "date": days_ago(1).isoformat(),
                                                  "talker_name": "x"})
        self.assertEqual(r.status_code, 404)

    def test_list_filters_by_org_stage_and_due(self):
        soon = applicant(self.li, self.branch_one, name="将到期", applied_on=days_ago(25))  # talk due in ~5 days
        late = applicant(self.li, self.branch_one, name="已逾期", applied_on=days_ago(45))  # talk overdue
        later = applicant(self.li, self.branch_one, name="不急", applied_on=days_ago(1))   # due in ~30 days
        act = applicant(self.li, self.branch_one, name="积极分子", applied_on=days_ago(START_AGO))
        walk(self.li, act, upto="activist_filing", sponsors=self.vids, voters=5)
        other = applicant(self.wang, self.branch_two, name="二支部申请人", applied_on=days_ago(25))
        api = self.api_as(self.li)
        ids = lambda params: {i["member_id"] for i in api.get("/recruitment", params).json()["items"]}  # noqa: E731
        self.assertEqual(ids({}), {soon.id, late.id, later.id, act.id})
        self.assertEqual(ids({"org": self.branch_one.id, "due_within": 14}), {soon.id})
        self.assertEqual(ids({"org": self.branch_one.id, "due": "overdue"}), {late.id})
        self.assertEqual(ids({"org": self.branch_one.id, "due_within": 40}), {soon.id, later.id})
        self.assertEqual(ids({"org": self.branch_one.id, "stage": "activist"}), {act.id})
        self.assertEqual(ids({"org": self.branch_one.id, "q": "积极"}), {act.id})
        zhang = {i["member_id"] for i in self.api_as(self.zhang).get("/recruitment", {"org": self.root.id}).json()["items"]}
        self.assertEqual(zhang, {soon.id, late.id, later.id, act.id, other.id})
        item = next(i for i in api.get("/recruitment").json()["items"] if i["member_id"] == late.id)
        self.assertTrue(item["overdue"])
        self.assertEqual(item["deadline_step"], "application_talk")
        for params in ({"page_size": 201}, {"due": "whenever"}, {"due_within": -1}, {"org": "x"}):
            self.assertEqual(api.get("/recruitment", params).status_code, 422, params)
        self.assertEqual(api.get("/recruitment", {"stage": "boss"}).status_code, 400)

    def test_void_and_leaving_through_the_api(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(10))
        r = self.post_step(self.li, member.id, {"step": "application_talk", "date": days_ago(5).isoformat(),
                                                "talker_id": self.vids[0]})
        step_id = r.json()["step"]["id"]
        r = self.api_as(self.li).post(f"/recruitment/{member.id}/steps/{step_id}/void", {"reason": ""})
        self.assertEqual(r.status_code, 400)
        r = self.api_as(self.li).post(f"/recruitment/{member.id}/steps/{step_id}/void", {"reason": "谈话人录错"})
        self.assertEqual(r.status_code, 201, r.content)
        body = self.api_as(self.li).get(f"/recruitment/{member.id}").json()
        self.assertEqual([s["step"] for s in body["steps"]], ["application"])
        self.assertEqual(len(body["voided"]), 2)
        r = self.api_as(self.li).patch(f"/recruitment/{member.id}", {"leaving_on": days_ago(-20).isoformat()})
        self.assertEqual((r.status_code, r.json()["leaving_on"]), (200, days_ago(-20).isoformat()))

    def test_steps_table(self):
        r = self.api_as(self.zhao).get("/recruitment/steps")
        self.assertEqual(len(r.json()), 25)
        self.assertEqual(r.json()[14]["code"], "admission_vote")
