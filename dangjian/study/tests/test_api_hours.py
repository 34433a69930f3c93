from decimal import Decimal

from django.utils import timezone

from dangjian.core.testing import ApiClient
from dangjian.orgs.models import Org
from dangjian.study.models import Course, StudyCredit, StudyLeader, StudyPolicy

from .base import StudyCase, make_member


class HoursApiTests(StudyCase):
    def setUp(self):
        self.year = timezone.localdate().year
        self.today = timezone.localdate()

    def credit(self, member, hours=Decimal(0), seconds=0, year=None):
        StudyCredit.objects.create(member=member, org=member.org, year=year or self.year, credited_on=self.today,
                                   source="course" if hours else "online", hours=hours, seconds=seconds)

    def hours(self, user=None, **params):
        r = self.api_as(user or self.zhang).get("/study/hours", {"org": self.branch_one.id, "year": self.year,
                                                                 **params})
        self.assertEqual(r.status_code, 200, r.content)
        return {row["member_id"]: row for row in r.json()["items"]}

    def test_member_boundaries_31_99_and_32(self):
        a = make_member(self.zhang, self.branch_one, "甲")
        b = make_member(self.zhang, self.branch_one, "乙")
        c = make_member(self.zhang, self.branch_one, "丙")
        self.credit(a, Decimal("31.99"))
        self.credit(b, Decimal("32"))
        self.credit(c, seconds=32 * 3600 - 1)            # online: 31.9997 real hours → 31.99
        rows = self.hours()
        self.assertEqual((rows[a.id]["hours"], rows[a.id]["required"], rows[a.id]["met"]), ("31.99", "32.00", False))
        self.assertEqual((rows[b.id]["hours"], rows[b.id]["met"]), ("32.00", True))
        self.assertEqual((rows[c.id]["hours"], rows[c.id]["met"]), ("31.99", False))

    def test_leader_needs_56_and_a_training(self):
        self.credit(self.m_li, Decimal("55.99"))
        row = self.hours()[self.m_li.id]
        self.assertEqual((row["required"], row["is_leader"], row["met"]), ("56.00", True, False))
        self.credit(self.m_li, Decimal("0.01"))
        self.assertFalse(self.hours()[self.m_li.id]["met"])       # 56 but no concentrated training
        course = Course.objects.create(org=self.root, title="党校培训", starts_on=self.today, ends_on=self.today,
                                       hours=Decimal("0.5"))
        self.api_as(self.li).post(f"/study/courses/{course.id}/attendance", {"member_ids": [self.m_li.id]})
        row = self.hours()[self.m_li.id]
        self.assertEqual((row["hours"], row["trained"], row["met"]), ("56.50", True, True))

    def test_marked_committee_member_and_committee_policy(self):
        m = make_member(self.zhang, self.branch_one, "组织委员")
        StudyLeader.objects.create(member=m, title="组织委员")
        self.assertEqual(self.hours()[m.id]["required"], "56.00")
        StudyPolicy.objects.create(org=self.community, member_hours=Decimal(40), leader_hours=Decimal(60))
        rows = self.hours()
        self.assertEqual((rows[m.id]["required"], rows[self.m_zhao.id]["required"]), ("60.00", "40.00"))

    def test_exempt_members_are_left_out_of_alerts(self):
        old = make_member(self.zhang, self.branch_one, "老党员", is_exempt=True)
        unmet = self.hours(status="unmet")
        self.assertNotIn(old.id, unmet)
        self.assertIn(self.m_zhao.id, unmet)
        self.assertTrue(self.hours()[old.id]["exempt"])

    def test_only_the_year_counts_and_reversal_cancels(self):
        self.credit(self.m_zhao, Decimal(40), year=self.year - 1)
        self.assertEqual(self.hours()[self.m_zhao.id]["hours"], "0.00")
        self.credit(self.m_zhao, Decimal(40))
        credit = StudyCredit.objects.filter(member=self.m_zhao, year=self.year).get()
        r = self.api_as(self.li).post(f"/study/credits/{credit.id}/reverse", {"reason": "重复登记"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(self.hours()[self.m_zhao.id]["hours"], "0.00")
        self.assert_refused(self.api_as(self.li).post(f"/study/credits/{credit.id}/reverse", {"reason": "x"}), 409)
        self.assert_refused(self.api_as(self.wang).post(f"/study/credits/{credit.id}/reverse", {"reason": "x"}), 404)

    def test_scope(self):
        self.assertEqual(self.api_as(self.wang).get("/study/hours", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).get("/study/hours", {"org": self.branch_one.id}).status_code, 404)
        self.assertEqual(ApiClient().get("/study/hours", {"org": self.branch_one.id}).status_code, 401)
        self.assertEqual(self.api_as(self.zhang).get("/study/hours").status_code, 422)
        rows = self.hours(user=self.zhang, org=self.community.id)
        self.assertEqual(set(rows), {self.m_li.id, self.m_zhao.id, self.m_wang.id})
        me = self.api_as(self.zhao).get("/study/me").json()
        self.assertEqual((me["member_id"], me["required"]), (self.m_zhao.id, "32.00"))

    def test_list_has_no_n_plus_one(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from dangjian.study.selectors import hours_rows

        org = Org.objects.get(pk=self.branch_one.pk)
        with CaptureQueriesContext(connection) as few:
            hours_rows(actor=self.zhang, org=org, year=self.year)
        for i in range(5):
            make_member(self.zhang, self.branch_one, f"党员{i}")
        with CaptureQueriesContext(connection) as many:
            rows = hours_rows(actor=self.zhang, org=org, year=self.year)
        self.assertEqual(len(rows), 7)
        self.assertEqual(len(many), len(few))


class HomeCardCountTests(StudyCase):
    setUp, credit = HoursApiTests.setUp, HoursApiTests.credit  # not a subclass: its tests would run twice

    def test_the_home_card_counts_what_the_unmet_list_shows(self):
        """hours_unmet_count (the home card, plain values) against hours_rows(status="unmet") on a mix of the
        boundaries above: 31.99 / 32 offline, online just short, a leader with 56 but no training and one with
        training, an exempt member, a committee policy with its own minimum and online minutes per hour."""
        from dangjian.study.selectors import hours_rows, hours_unmet_count

        a, b, c = (make_member(self.zhang, self.branch_one, n) for n in "甲乙丙")
        self.credit(a, Decimal("31.99"))
        self.credit(b, Decimal("32"))
        self.credit(c, seconds=32 * 3600 - 1)
        self.credit(self.m_li, Decimal("56"))
        leader = make_member(self.zhang, self.branch_one, "组织委员")
        StudyLeader.objects.create(member=leader, title="组织委员")
        self.credit(leader, Decimal("60"))
        course = Course.objects.create(org=self.root, title="党校培训", starts_on=self.today, ends_on=self.today,
                                       hours=Decimal("0.5"))
        self.api_as(self.li).post(f"/study/courses/{course.id}/attendance", {"member_ids": [leader.id]})
        make_member(self.zhang, self.branch_one, "老党员", is_exempt=True)

        def both(org):
            org = Org.objects.get(pk=org.pk)
            listed = len(hours_rows(actor=self.zhang, org=org, year=self.year, status="unmet"))
            return hours_unmet_count(actor=self.zhang, org=org, year=self.year), listed

        for org in (self.root, self.community, self.branch_one):
            counted, listed = both(org)
            self.assertEqual(counted, listed, org.name)
        self.assertGreaterEqual(both(self.branch_one)[0], 3)  # 甲, 丙 and li (no training) at least
        StudyPolicy.objects.create(org=self.community, member_hours=Decimal("31.99"), leader_hours=Decimal(60),
                                   online_minutes_per_hour=45)
        for org in (self.root, self.community, self.branch_one):
            counted, listed = both(org)
            self.assertEqual(counted, listed, org.name)
