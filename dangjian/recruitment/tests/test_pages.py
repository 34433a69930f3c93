"""Pages: the board, a person's timeline with only the allowed steps offered, forms, scope and bad input."""
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.members.models import Member
from dangjian.recruitment import rules
from dangjian.recruitment.models import RecruitmentRecord, StepRecord

from .helpers import START_AGO, applicant, days_ago, make_full, walk


class PageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.vids = [m.id for m in make_full(cls.zhang, cls.branch_one)]

    def counts(self):
        return (Member.objects.count(), RecruitmentRecord.objects.count(), StepRecord.objects.count(),
                AuditEvent.objects.count())

    def test_board_shows_counts_and_overdue(self):
        late = applicant(self.li, self.branch_one, name="逾期者", applied_on=days_ago(45))
        applicant(self.li, self.branch_one, name="新申请", applied_on=days_ago(2))
        r = self.web_as(self.li).get("/recruitment/")
        self.assertEqual(r.status_code, 200)
        html = r.content.decode()
        self.assertIn("逾期者", html)
        self.assertIn("table-danger", html)
        self.assertIn(f"/recruitment/{late.id}/", html)
        self.assertEqual(r.context["counts"]["overdue"], 1)
        self.assertEqual(r.context["counts"]["stages"][0]["count"], 2)
        r = self.web_as(self.li).get("/recruitment/", {"due": "overdue"})
        self.assertEqual([row["name"] for row in r.context["rows"]], ["逾期者"])
        r = self.web_as(self.li).get("/recruitment/", {"stage": "nonsense", "due": "x", "page": "zz"})
        self.assertEqual(r.status_code, 200)

    def test_board_has_no_n_plus_one(self):
        for i in range(3):
            applicant(self.li, self.branch_one, name=f"人{i}", applied_on=days_ago(3 + i))
        client = self.web_as(self.li)
        client.get("/recruitment/")
        with CaptureQueriesContext(connection) as few:
            client.get("/recruitment/")
        for i in range(3, 10):
            applicant(self.li, self.branch_one, name=f"人{i}", applied_on=days_ago(3 + i))
        with CaptureQueriesContext(connection) as many:
            client.get("/recruitment/")
        self.assertEqual(len(few), len(many))

    def test_outsider_and_anonymous(self):
        member = applicant(self.li, self.branch_one, name="一支部的人", applied_on=days_ago(5))
        wang = self.web_as(self.wang)
        self.assertEqual(wang.get(f"/recruitment/org/{self.branch_one.id}/").status_code, 404)
        self.assertEqual(wang.get(f"/recruitment/{member.id}/").status_code, 404)
        before = self.counts()
        self.assertEqual(wang.post(f"/recruitment/{member.id}/steps/", {"step": "application_talk"}).status_code, 404)
        row = member.recruitment.steps.get()
        self.assertEqual(wang.post(f"/recruitment/{member.id}/steps/{row.id}/void/", {"reason": "x"}).status_code, 404)
        self.assertEqual(wang.post(f"/recruitment/{member.id}/leaving/", {"leaving_on": ""}).status_code, 404)
        self.assertEqual(self.counts(), before)
        self.assertNotIn("一支部的人", wang.get("/recruitment/").content.decode())
        from django.test import Client

        for url in ("/recruitment/", f"/recruitment/{member.id}/", "/recruitment/new/"):
            r = Client().get(url)
            self.assertEqual(r.status_code, 302)
            self.assertTrue(r["Location"].startswith("/login/"))

    def test_timeline_offers_only_allowed_steps_with_the_earliest_date(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(START_AGO))
        walk(self.li, member, upto="activist_filing", sponsors=self.vids, voters=5)
        r = self.web_as(self.li).get(f"/recruitment/{member.id}/")
        self.assertEqual(r.status_code, 200)
        offered = [f["step"].code for f in r.context["step_forms"]]
        self.assertEqual(offered, ["sponsors_assigned"])
        form = r.context["step_forms"][0]["form"]
        self.assertEqual(form["date"].value(), member.applied_on + timedelta(days=40))  # step 3's date
        html = r.content.decode()
        self.assertIn('name="step" value="sponsors_assigned"', html)
        self.assertNotIn('value="candidate_designation"', html)

    def test_record_a_step_through_the_page(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(10))
        client = self.web_as(self.li)
        r = client.post(f"/recruitment/{member.id}/steps/", {
            "step": "application_talk", "application_talk-date": days_ago(3).isoformat(),
            "application_talk-talker_id": str(self.vids[0]), "application_talk-summary": "谈话顺利"})
        self.assertEqual(r.status_code, 302, r.content.decode()[:2000])
        self.assertEqual(member.recruitment.steps.filter(step="application_talk").count(), 1)
        page = client.get(f"/recruitment/{member.id}/").content.decode()
        self.assertIn("甲党员", page)  # the talker's name on the timeline

    def test_refused_step_on_the_page_shows_the_rule_and_saves_nothing(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(60))
        client = self.web_as(self.li)
        before = self.counts()
        r = client.post(f"/recruitment/{member.id}/steps/", {
            "step": "application_talk", "application_talk-date": days_ago(1).isoformat(),
            "application_talk-talker_name": "书记"})
        self.assertEqual(r.status_code, 400)
        html = r.content.decode()
        self.assertIn("逾期记录须填写逾期原因", html)
        self.assertIn("R-TALK-1M", html)
        for data in ({"step": "application_talk", "application_talk-date": "garbage"},
                     {"step": "nonsense"},
                     {"step": "oath", "oath-date": days_ago(1).isoformat()}):
            r = client.post(f"/recruitment/{member.id}/steps/", data)
            self.assertIn(r.status_code, (302, 400), data)
        self.assertEqual(self.counts(), before)

    def test_void_through_the_page(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(10))
        walk(self.li, member, upto="application_talk", sponsors=self.vids, voters=5, start=days_ago(10))
        row = member.recruitment.steps.get(step="application_talk")
        client = self.web_as(self.li)
        self.assertEqual(client.post(f"/recruitment/{member.id}/steps/{row.id}/void/", {"reason": ""}).status_code, 400)
        r = client.post(f"/recruitment/{member.id}/steps/{row.id}/void/", {"reason": "录入错误"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(member.recruitment.steps.filter(voids=row).exists())

    def test_new_applicant_page(self):
        client = self.web_as(self.li)
        self.assertEqual(client.get("/recruitment/new/").status_code, 200)
        before = self.counts()
        young = rules.add_years(days_ago(0), -17).isoformat()
        r = client.post("/recruitment/new/", {"org_id": self.branch_one.id, "applied_on": days_ago(0).isoformat(),
                                              "name": "少年", "gender": "M", "birth_date": young, "ethnicity": "汉族"})
        self.assertEqual(r.status_code, 400)
        self.assertIn("18 周岁", r.content.decode())
        r = client.post("/recruitment/new/", {"org_id": self.branch_two.id, "applied_on": days_ago(0).isoformat(),
                                              "name": "越权", "gender": "M", "birth_date": "1990-01-01",
                                              "ethnicity": "汉族"})
        self.assertEqual(r.status_code, 400)  # not a choice for li
        self.assertEqual(self.counts(), before)
        r = client.post("/recruitment/new/", {"org_id": self.branch_one.id, "applied_on": days_ago(1).isoformat(),
                                              "name": "杨玲玲", "gender": "F", "birth_date": "1991-09-03",
                                              "ethnicity": "汉族", "unit_name": "金科物业"})
        self.assertEqual(r.status_code, 302)
        member = Member.objects.get(name="杨玲玲")
        self.assertEqual((member.stage, member.applied_on), ("applicant", days_ago(1)))
        self.assertEqual(self.web_as(self.zhao).get("/recruitment/new/").status_code, 404)

    def test_the_person_sees_their_timeline_without_forms(self):
        member = applicant(self.li, self.branch_one, applied_on=days_ago(10))
        Member.objects.filter(pk=member.pk).update(user=self.zhao)
        r = self.web_as(self.zhao).get(f"/recruitment/{member.id}/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["step_forms"], [])
        self.assertNotIn("记录下一步", r.content.decode())

    def test_home_cards(self):
        applicant(self.li, self.branch_one, name="逾期者", applied_on=days_ago(45))
        r = self.web_as(self.li).get("/")
        self.assertEqual(r.status_code, 200)
        labels = {c["label"]: c["value"] for c in r.context["summary"]}
        self.assertEqual(labels["发展党员逾期事项"], 1)
