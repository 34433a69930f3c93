"""民主评议党员: rules at their boundaries, the service, the API and the pages (scope, bad input)."""
from datetime import date, timedelta

from django.test import SimpleTestCase
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.members.models import Disposal

from .. import reviews, rules
from ..models import MeetingSettings, Review, ReviewGrade
from .helpers import MeetingTestCase, held_meeting


class ReviewRuleTests(SimpleTestCase):
    def test_no_quota_by_default(self):  # RULES §7: no quota by default
        self.assertIsNone(rules.excellent_cap(graded=10, cap_percent=None))
        self.assertIsNone(rules.check_review_grades(["excellent"] * 10))

    def test_cap_rounds_down(self):
        self.assertEqual(rules.excellent_cap(graded=10, cap_percent=20), 2)
        self.assertEqual(rules.excellent_cap(graded=9, cap_percent=20), 1)  # 1.8 → 1: never above the share
        self.assertEqual(rules.excellent_cap(graded=5, cap_percent=20), 1)
        self.assertEqual(rules.excellent_cap(graded=4, cap_percent=20), 0)
        self.assertEqual(rules.excellent_cap(graded=3, cap_percent=100), 3)

    def test_cap_boundary(self):
        ten = ["qualified"] * 8
        self.assertIsNone(rules.check_review_grades(ten + ["excellent"] * 2, cap_percent=20))  # exactly 20 %
        over = rules.check_review_grades(["qualified"] * 7 + ["excellent"] * 3, cap_percent=20)  # 30 %
        self.assertIn("至多 2 人", over[0])
        self.assertIsNone(rules.check_review_grades(["qualified"] * 9 + ["excellent"], cap_percent=10))
        self.assertIsNotNone(rules.check_review_grades(["qualified"] * 8 + ["excellent"] * 2, cap_percent=10))

    def test_grade_outside_the_set(self):
        self.assertEqual(rules.check_review_grades(["good"])[1], "grade")
        self.assertEqual(set(rules.REVIEW_GRADES), {"excellent", "qualified", "basically_qualified", "unqualified"})

    def test_default_rectify_deadline_is_six_months(self):
        self.assertEqual(rules.rectify_deadline(date(2026, 8, 31)), date(2027, 2, 28))


class ReviewServiceTests(MeetingTestCase):
    def open(self, year=None):
        return reviews.review_open(actor=self.li, org=self.branch_one, year=year or timezone.localdate().year)

    def test_unqualified_opens_a_rectify_disposal_on_close(self):
        review = self.open()
        reviews.review_grades_set(actor=self.li, review=review, rows=[
            {"member_id": self.zhao_member.id, "grade": "excellent"},
            {"member_id": self.others[0].id, "grade": "unqualified", "note": "长期不参加组织生活"},
            {"member_id": self.others[1].id, "grade": "basically_qualified"}])
        self.assertFalse(Disposal.objects.exists())  # drafts while open
        reviews.review_close(actor=self.li, review=review)
        review.refresh_from_db()
        self.assertEqual(review.state, "closed")
        d = Disposal.objects.get()
        self.assertEqual((d.member_id, d.kind, d.state), (self.others[0].id, "rectify", "open"))
        self.assertEqual(d.source, f"meetings:review:{review.id}")
        self.assertEqual(d.deadline, rules.rectify_deadline(timezone.localdate()))
        self.assertIn("长期不参加组织生活", d.reason)
        self.assertEqual(ReviewGrade.objects.get(member=self.others[0]).disposal_id, d.id)
        self.assertTrue(AuditEvent.objects.filter(verb="review.close").exists())
        self.assertTrue(AuditEvent.objects.filter(verb="member.disposal.rectify").exists())

    def test_closed_review_cannot_change(self):
        review = self.open()
        reviews.review_grades_set(actor=self.li, review=review, rows=[{"member_id": self.zhao_member.id,
                                                                       "grade": "qualified"}])
        reviews.review_close(actor=self.li, review=review)
        r = self.api_as(self.li).post(f"/reviews/{review.id}/grades", {"grades": [
            {"member_id": self.zhao_member.id, "grade": "excellent"}]})
        self.assertEqual(r.status_code, 409)
        self.assertEqual(self.api_as(self.li).post(f"/reviews/{review.id}/close", {}).status_code, 409)

    def test_cap_from_committee_settings_is_enforced(self):
        MeetingSettings.objects.create(org=self.root, review_excellent_cap=20)
        review = self.open()
        self.assertEqual(review.excellent_cap, 20)
        # 7 members on the rolls; grading 5 → at most one 优秀
        ids = [self.zhao_member.id, self.li_member.id] + [m.id for m in self.others[:3]]
        rows = [{"member_id": i, "grade": "excellent" if n < 2 else "qualified"} for n, i in enumerate(ids)]
        r = self.api_as(self.li).post(f"/reviews/{review.id}/grades", {"grades": rows})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["rule"], "R-MEET-REVIEW")
        self.assertEqual(ReviewGrade.objects.count(), 0)
        rows[1]["grade"] = "qualified"
        self.assertEqual(self.api_as(self.li).post(f"/reviews/{review.id}/grades", {"grades": rows}).status_code, 200)
        # A later single change that breaks the share over the whole review is refused too.
        r = self.api_as(self.li).post(f"/reviews/{review.id}/grades", {"grades": [
            {"member_id": ids[2], "grade": "excellent"}]})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(ReviewGrade.objects.filter(grade="excellent").count(), 1)


class ReviewApiTests(MeetingTestCase):
    def test_open_grade_and_read(self):
        year = timezone.localdate().year
        meeting = held_meeting(self.branch_one, "review", date(year, 1, 15))
        api = self.api_as(self.li)
        r = api.post(f"/orgs/{self.branch_one.id}/reviews", {"year": year, "meeting_id": meeting.id})
        self.assertEqual(r.status_code, 201, r.content)
        rid = r.json()["id"]
        self.assertEqual(r.json()["summary"]["members"], 7)
        r = api.post(f"/reviews/{rid}/grades", {"grades": [
            {"member_id": self.zhao_member.id, "grade": "excellent", "self_assessment": "自评", "mutual_opinion": "好"}]})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["summary"]["counts"]["excellent"], 1)
        row = next(g for g in r.json()["grades"] if g["member_id"] == self.zhao_member.id)
        self.assertEqual((row["grade_label"], row["self_assessment"]), ("优秀", "自评"))
        r = api.get(f"/orgs/{self.branch_one.id}/reviews", {"year": year})
        self.assertEqual(r.json()["count"], 1)
        self.assertEqual(api.get(f"/reviews/{rid}").status_code, 200)
        self.assertEqual(api.post(f"/orgs/{self.branch_one.id}/reviews", {"year": year}).status_code, 409)

    def test_outsider_gets_404_everywhere(self):
        review = reviews.review_open(actor=self.li, org=self.branch_one, year=timezone.localdate().year)
        api = self.api_as(self.wang)
        self.assertEqual(api.post(f"/orgs/{self.branch_one.id}/reviews", {"year": 2025}).status_code, 404)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/reviews").status_code, 404)
        self.assertEqual(api.get(f"/reviews/{review.id}").status_code, 404)
        self.assertEqual(api.post(f"/reviews/{review.id}/grades", {"grades": [
            {"member_id": self.zhao_member.id, "grade": "excellent"}]}).status_code, 404)
        self.assertEqual(api.post(f"/reviews/{review.id}/close", {}).status_code, 404)
        web = self.web_as(self.wang)
        self.assertEqual(web.get(f"/meetings/reviews/{review.id}/").status_code, 404)
        self.assertEqual(web.post(f"/meetings/reviews/{review.id}/", {f"grade_{self.zhao_member.id}": "excellent"})
                         .status_code, 404)
        self.assertEqual(web.post(f"/meetings/reviews/{review.id}/close/").status_code, 404)
        self.assertEqual(web.get(f"/meetings/reviews/?org={self.branch_one.id}").status_code, 404)
        self.assertEqual(web.post("/meetings/reviews/open/", {"org_id": self.branch_one.id, "year": 2025})
                         .status_code, 404)
        self.assertEqual(ReviewGrade.objects.count(), 0)
        self.assertEqual(Review.objects.count(), 1)

    def test_anonymous(self):
        from dangjian.core.testing import ApiClient

        self.assertEqual(ApiClient().get(f"/orgs/{self.branch_one.id}/reviews").status_code, 401)
        self.assertEqual(ApiClient().post(f"/orgs/{self.branch_one.id}/reviews", {"year": 2025}).status_code, 401)
        r = self.client.get("/meetings/reviews/")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/", r["Location"])

    def test_plain_member_cannot_grade(self):
        review = reviews.review_open(actor=self.li, org=self.branch_one, year=timezone.localdate().year)
        r = self.api_as(self.zhao).post(f"/reviews/{review.id}/grades", {"grades": [
            {"member_id": self.zhao_member.id, "grade": "excellent"}]})
        self.assertIn(r.status_code, (403, 404))
        self.assertEqual(ReviewGrade.objects.count(), 0)

    def test_bad_input_changes_nothing(self):
        year = timezone.localdate().year
        api = self.api_as(self.li)
        for body in ({"year": year + 1}, {"year": 1999}, {"year": "x"}, {}):
            r = api.post(f"/orgs/{self.branch_one.id}/reviews", body)
            self.assertIn(r.status_code, (400, 422), body)
        other = held_meeting(self.branch_one, "theme_day", date(year, 1, 5))
        r = api.post(f"/orgs/{self.branch_one.id}/reviews", {"year": year, "meeting_id": other.id})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(api.post(f"/orgs/{self.community.id}/reviews", {"year": year}).status_code, 404)
        r = self.api_as(self.zhang).post(f"/orgs/{self.community.id}/reviews", {"year": year})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Review.objects.count(), 0)
        review = reviews.review_open(actor=self.li, org=self.branch_one, year=year)
        bad = [
            [{"member_id": self.zhao_member.id, "grade": "good"}],
            [{"member_id": self.sun_member.id, "grade": "qualified"}],  # another branch's member
            [{"member_id": self.zhao_member.id, "grade": "qualified"},
             {"member_id": self.zhao_member.id, "grade": "excellent"}],
            [{"member_id": self.zhao_member.id, "grade": "unqualified"}],  # no reason
            [{"member_id": self.li_member.id, "grade": "qualified"},
             {"member_id": self.zhao_member.id, "grade": "unqualified", "note": "x",
              "rectify_deadline": str(timezone.localdate() + timedelta(days=400))}],  # > 1 year
            [],
            [{"member_id": "abc", "grade": "qualified"}],
        ]
        for rows in bad:
            r = api.post(f"/reviews/{review.id}/grades", {"grades": rows})
            self.assertIn(r.status_code, (400, 422), rows)
            self.assertIn("detail", r.json())
        self.assertEqual(ReviewGrade.objects.count(), 0)
        r = api.post(f"/reviews/{review.id}/close", {})
        self.assertEqual(r.status_code, 400)  # nothing graded
        r = api.post(f"/reviews/{review.id}/close", {"closed_on": str(timezone.localdate() + timedelta(days=1))})
        self.assertEqual(r.status_code, 400)
        review.refresh_from_db()
        self.assertEqual(review.state, "open")

    def test_close_rolls_back_when_a_disposal_fails(self):
        review = reviews.review_open(actor=self.li, org=self.branch_one, year=timezone.localdate().year)
        ReviewGrade.objects.create(review=review, member=self.zhao_member, grade="unqualified", note="x",
                                   rectify_deadline=timezone.localdate() - timedelta(days=1))  # before the decision
        r = self.api_as(self.li).post(f"/reviews/{review.id}/close", {})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(Disposal.objects.count(), 0)
        review.refresh_from_db()
        self.assertEqual(review.state, "open")


class ReviewPageTests(MeetingTestCase):
    def test_secretary_opens_grades_and_closes_on_pages(self):
        year = timezone.localdate().year
        web = self.web_as(self.li)
        r = web.get(f"/meetings/reviews/?org={self.branch_one.id}&year={year}")
        self.assertContains(r, "开展")
        r = web.post("/meetings/reviews/open/", {"org_id": self.branch_one.id, "year": year})
        review = Review.objects.get()
        self.assertRedirects(r, f"/meetings/reviews/{review.id}/")
        r = web.post(f"/meetings/reviews/{review.id}/", {
            f"grade_{self.zhao_member.id}": "excellent", f"mutual_{self.zhao_member.id}": "带头作用好",
            f"grade_{self.others[0].id}": "unqualified", f"note_{self.others[0].id}": "不履行党员义务",
            f"grade_{self.others[1].id}": ""})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(ReviewGrade.objects.count(), 2)
        r = web.get(f"/meetings/reviews/{review.id}/")
        self.assertContains(r, "确定评议结果")
        self.assertContains(r, "带头作用好")
        r = web.post(f"/meetings/reviews/{review.id}/close/", {"closed_on": str(timezone.localdate())})
        self.assertEqual(Disposal.objects.filter(member=self.others[0], kind="rectify").count(), 1)
        r = web.get(f"/meetings/reviews/{review.id}/")
        self.assertContains(r, "已转限期改正")
        self.assertNotContains(r, "保存评定")

    def test_bad_grade_on_page_changes_nothing(self):
        review = reviews.review_open(actor=self.li, org=self.branch_one, year=timezone.localdate().year)
        web = self.web_as(self.li)
        r = web.post(f"/meetings/reviews/{review.id}/", {f"grade_{self.zhao_member.id}": "unqualified"}, follow=True)
        self.assertContains(r, "须填写评定意见")
        r = web.post(f"/meetings/reviews/{review.id}/", {f"grade_{self.sun_member.id}": "qualified"}, follow=True)
        self.assertContains(r, "只能评议本支部")
        self.assertEqual(ReviewGrade.objects.count(), 0)


class ReviewSettingsTests(MeetingTestCase):
    def test_committee_sets_the_excellent_cap(self):
        api = self.api_as(self.zhang)
        base = {"checkin_lead_minutes": 30, "lecture_freq": "quarter", "assembly_quorum": True,
                "absent_warning_months": 3}
        for bad in (0, 101, "x"):
            r = api.put(f"/orgs/{self.root.id}/meeting-settings", {**base, "review_excellent_cap": bad})
            self.assertIn(r.status_code, (400, 422), bad)
        self.assertFalse(MeetingSettings.objects.exists())
        r = api.put(f"/orgs/{self.root.id}/meeting-settings", {**base, "review_excellent_cap": 20})
        self.assertEqual(r.status_code, 200, r.content)
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/meeting-settings")
        self.assertEqual((r.json()["review_excellent_cap"], r.json()["inherited_from"]), (20, self.root.id))
        r = api.put(f"/orgs/{self.root.id}/meeting-settings", base)  # omitted: no quota
        self.assertIsNone(r.json()["review_excellent_cap"])
        web = self.web_as(self.zhang)
        r = web.post(f"/meetings/settings/?org={self.root.id}", {**base, "assembly_quorum": "on",
                                                                 "review_excellent_cap": "30"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(MeetingSettings.objects.get().review_excellent_cap, 30)
