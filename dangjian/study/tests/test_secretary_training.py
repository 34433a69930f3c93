"""R-STUDY-56: a new secretary is trained within half a year of taking office. Boundaries of the rule, the list of
secretaries not yet trained / overdue (page and API), scope, anonymous and malformed input."""
from datetime import date
from decimal import Decimal

import pytest

from dangjian.core.testing import ApiClient
from dangjian.elections.models import Committee, CommitteeSeat
from dangjian.study import rules, selectors
from dangjian.study.models import Course, CourseAttendance

from .base import StudyCase, make_member


@pytest.mark.parametrize("took_office,deadline", [
    (date(2025, 3, 31), date(2025, 9, 30)), (date(2025, 1, 15), date(2025, 7, 15)),
    (date(2025, 8, 31), date(2026, 2, 28)), (date(2023, 8, 31), date(2024, 2, 29)),
    (date(2025, 7, 1), date(2026, 1, 1))])
def test_deadline_is_six_calendar_months(took_office, deadline):
    assert rules.new_secretary_deadline(took_office) == deadline


def test_status_at_the_boundary():
    took = date(2025, 3, 31)  # deadline 2025-09-30
    status = rules.new_secretary_status
    assert status(took_office_on=took, trained_on=None, today=date(2025, 9, 30)) == rules.PENDING
    assert status(took_office_on=took, trained_on=None, today=date(2025, 10, 1)) == rules.OVERDUE
    assert status(took_office_on=took, trained_on=date(2025, 9, 30), today=date(2026, 1, 1)) == rules.ON_TIME
    assert status(took_office_on=took, trained_on=date(2025, 10, 1), today=date(2026, 1, 1)) == rules.LATE
    assert status(took_office_on=took, trained_on=took, today=took) == rules.ON_TIME


def committee(org, secretary, took_office_on, *, current=True, elected_on=None):
    elected_on = elected_on or took_office_on
    c = Committee.objects.create(org=org, region_id=org.region_id, elected_on=elected_on,
                                 took_office_on=took_office_on, term_years=3, term_ends_on=date(2099, 1, 1),
                                 expires_on=date(2099, 1, 1), is_current=current)
    CommitteeSeat.objects.create(committee=c, member=secretary, duty="secretary")
    return c


def course(org, ends_on, kind="party_school", title="党组织书记培训班"):
    return Course.objects.create(org=org, region_id=org.region_id, title=title, kind=kind, starts_on=ends_on,
                                 ends_on=ends_on, hours=Decimal(24))


def attend(c, member):
    CourseAttendance.objects.create(course=c, member=member, hours=c.hours)


class SecretaryTrainingTests(StudyCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        committee(cls.branch_one, cls.m_li, date(2025, 3, 31))                       # deadline 2025-09-30
        cls.old_wang = make_member(cls.zhang, cls.branch_two, "王坤前任")
        committee(cls.branch_two, cls.m_wang, date(2019, 1, 10), current=False)     # W already secretary in 2019
        committee(cls.branch_two, cls.m_wang, date(2022, 1, 10))                    # re-elected: counts from 2019
        cls.m_other = make_member(cls.zhang, cls.other_branch, "机关书记")
        committee(cls.other_branch, cls.old_wang, date(2019, 1, 10), current=False)
        committee(cls.other_branch, cls.m_other, date(2025, 6, 1))                  # a new one after another person

    def rows(self, actor=None, org=None, on=date(2025, 9, 30), status=""):
        return {r["name"]: r for r in selectors.secretary_training(actor=actor or self.zhang, org=org or self.root,
                                                                    on=on, status=status)}

    def test_boundary_of_the_half_year(self):
        self.assertEqual(self.rows(on=date(2025, 9, 30))["李秀英"]["status"], rules.PENDING)
        self.assertEqual(self.rows(on=date(2025, 10, 1))["李秀英"]["status"], rules.OVERDUE)
        self.assertEqual(self.rows(on=date(2025, 10, 1))["李秀英"]["days_over"], 1)
        c = course(self.root, date(2025, 9, 30))
        attend(c, self.m_li)
        row = self.rows(on=date(2025, 12, 1))["李秀英"]
        self.assertEqual((row["status"], row["trained_on"], row["course_title"]),
                         (rules.ON_TIME, date(2025, 9, 30), "党组织书记培训班"))

    def test_late_training_and_what_does_not_count(self):
        attend(course(self.root, date(2025, 3, 30), title="任前培训"), self.m_li)     # before taking office
        attend(course(self.root, date(2025, 5, 1), kind="lecture", title="专题辅导"), self.m_li)
        self.assertEqual(self.rows(on=date(2025, 10, 1))["李秀英"]["status"], rules.OVERDUE)
        attend(course(self.root, date(2025, 10, 1), kind="concentrated", title="冬春轮训"), self.m_li)
        self.assertEqual(self.rows(on=date(2025, 12, 1))["李秀英"]["status"], rules.LATE)

    def test_re_elected_secretary_counts_from_the_first_term(self):
        rows = self.rows(on=date(2025, 9, 30))
        self.assertEqual(rows["王坤"]["took_office_on"], date(2019, 1, 10))
        self.assertEqual(rows["王坤"]["status"], rules.OVERDUE)
        self.assertEqual(rows["机关书记"]["took_office_on"], date(2025, 6, 1))
        self.assertNotIn("王坤前任", rows)                                            # not current
        self.assertEqual(set(self.rows(status="overdue")), {"王坤"})
        self.assertEqual(set(self.rows(status="untrained")), {"王坤", "李秀英", "机关书记"})
        self.assertEqual(set(self.rows(status="on_time")), set())

    def test_page_and_api(self):
        r = self.web_as(self.zhang).get(f"/study/secretaries/?org={self.root.id}&status=")
        self.assertContains(r, "李秀英")
        self.assertContains(r, "王坤")
        self.assertContains(r, "逾期未培训")
        body = self.api_as(self.li).get("/study/secretary-training", {"org": self.branch_one.id, "status": ""}).json()
        self.assertEqual([i["name"] for i in body["items"]], ["李秀英"])
        self.assertEqual(body["items"][0]["deadline"], "2025-09-30")
        body = self.api_as(self.zhang).get("/study/secretary-training", {"org": self.root.id,
                                                                        "status": "overdue"}).json()
        self.assertEqual([i["name"] for i in body["items"]], ["王坤", "李秀英", "机关书记"])  # today is past 2025
        self.assertEqual(self.api_as(self.zhang).get("/study/secretary-training", {
            "org": self.root.id, "status": "on_time"}).json()["count"], 0)

    def test_outsider_member_anonymous_and_malformed(self):
        wang = self.api_as(self.wang)
        self.assertEqual(wang.get("/study/secretary-training", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual([i["name"] for i in wang.get("/study/secretary-training", {
            "org": self.branch_two.id, "status": ""}).json()["items"]], ["王坤"])
        self.assertEqual(self.web_as(self.wang).get(f"/study/secretaries/?org={self.branch_one.id}").status_code,
                         404)
        self.assertNotContains(self.web_as(self.wang).get("/study/secretaries/?status="), "李秀英")
        self.assertEqual(self.api_as(self.zhao).get("/study/secretary-training",
                                                    {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get("/study/secretaries/").status_code, 404)
        self.assertEqual(ApiClient().get("/study/secretary-training", {"org": self.root.id}).status_code, 401)
        self.assertTrue(self.client.get("/study/secretaries/")["Location"].startswith("/login/"))
        before = self.counts(Committee, CourseAttendance)
        zhang = self.api_as(self.zhang)
        for params in ({"org": self.root.id, "status": "bogus"}, {"org": "abc"}, {},
                       {"org": self.root.id, "page": 0}):
            self.assertEqual(zhang.get("/study/secretary-training", params).status_code, 422, params)
        self.assertEqual(zhang.get("/study/secretary-training", {"org": 999999}).status_code, 404)
        self.assertEqual(self.web_as(self.zhang).get("/study/secretaries/?status=bogus&page=x&org=abc").status_code,
                         404)
        self.assertEqual(self.web_as(self.zhang).get("/study/secretaries/?status=bogus&page=x").status_code, 200)
        self.assertEqual(self.counts(Committee, CourseAttendance), before)
