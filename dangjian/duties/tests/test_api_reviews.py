from django.utils import timezone

from dangjian.core.testing import ApiClient, make_user
from dangjian.duties.models import DutyReport, ReviewScore

from .base import DutiesCase


class ReviewSetup(DutiesCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhou = make_user("zhou", cls.root, "admin")      # a second reviewer of the committee
        cls.sun = make_user("sun", cls.other_branch, "secretary")

    def setUp(self):
        self.year = timezone.localdate().year
        r = self.api_as(self.zhang).post("/duties/review-schemes", {
            "org_id": self.root.id, "year": self.year, "title": "书记抓党建述职评议",
            "criteria": [{"name": "履职尽责", "max_score": 60}, {"name": "工作成效", "max_score": 40}]})
        self.assertEqual(r.status_code, 201, r.content)
        self.scheme = r.json()
        self.c1, self.c2 = [c["id"] for c in self.scheme["criteria"]]
        self.reports = {}
        for user, org in ((self.li, self.branch_one), (self.wang, self.branch_two), (self.sun, self.other_branch)):
            r = self.api_as(user).post("/duties/reports", {"scheme_id": self.scheme["id"], "org_id": org.id,
                                                           "reporter": user.username, "content": "一年来……"})
            self.assertEqual(r.status_code, 201, r.content)
            self.reports[org.id] = r.json()["id"]

    def score(self, user, org, a, b):
        return self.api_as(user).post(f"/duties/reports/{self.reports[org.id]}/scores",
                                      {"scores": [{"criterion_id": self.c1, "score": a},
                                                  {"criterion_id": self.c2, "score": b}]})



class ReviewApiTests(ReviewSetup):
    def test_results_rank_ties_and_grades(self):
        self.assertEqual(self.score(self.zhang, self.branch_one, 55, 35).status_code, 201)   # 90
        self.assertEqual(self.score(self.zhou, self.branch_one, 50, 30).status_code, 201)    # 80 → mean 85
        self.score(self.zhang, self.branch_two, 50, 35)                                       # 85
        self.score(self.zhang, self.other_branch, "50.5", "29.49")                            # 79.99
        rows = self.api_as(self.zhang).get(f"/duties/review-schemes/{self.scheme['id']}/results").json()
        got = {r["org_id"]: (r["total"], r["rank"], r["grade"]) for r in rows}
        self.assertEqual(got, {self.branch_one.id: ("85.00", 1, "fairly_good"),
                               self.branch_two.id: ("85.00", 1, "fairly_good"),
                               self.other_branch.id: ("79.99", 3, "average")})
        self.assertEqual(rows[-1]["org_id"], self.other_branch.id)

    def test_branch_sees_only_its_own_row_with_true_rank(self):
        self.score(self.zhang, self.branch_one, 60, 40)
        self.score(self.zhang, self.branch_two, 50, 30)
        rows = self.api_as(self.wang).get(f"/duties/review-schemes/{self.scheme['id']}/results").json()
        self.assertEqual([(r["org_id"], r["rank"]) for r in rows], [(self.branch_two.id, 2)])

    def test_unscored_report_has_no_rank(self):
        rows = self.api_as(self.zhang).get(f"/duties/review-schemes/{self.scheme['id']}/results").json()
        self.assertEqual({r["rank"] for r in rows}, {None})

    def test_secretary_cannot_score(self):
        self.assert_refused(self.score(self.li, self.branch_one, 60, 40), 403)
        self.assert_refused(self.score(self.wang, self.branch_one, 60, 40), 404)

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        self.assertEqual(api.get(f"/duties/reports/{self.reports[self.branch_one.id]}").status_code, 404)
        self.assertEqual(api.post("/duties/reports", {"scheme_id": self.scheme["id"], "org_id": self.branch_one.id,
                                                      "reporter": "x", "content": "y"}).status_code, 404)
        self.assertEqual(ApiClient().get(f"/duties/reports/{self.reports[self.branch_one.id]}").status_code, 401)


class ReviewBadInputTests(ReviewSetup):
    def setUp(self):
        super().setUp()
        self.before = self.counts(DutyReport, ReviewScore)

    def tearDown(self):
        self.assertEqual(self.counts(DutyReport, ReviewScore), self.before)

    def test_scores_outside_the_range(self):
        self.assert_refused(self.score(self.zhang, self.branch_one, 61, 40), 400, "0 到 60")
        self.assert_refused(self.score(self.zhang, self.branch_one, -1, 40), 400)
        self.assert_refused(self.score(self.zhang, self.branch_one, "10.001", 40), 422)
        self.assert_refused(self.score(self.zhang, self.branch_one, "abc", 40), 422)

    def test_missing_or_foreign_criteria(self):
        r = self.api_as(self.zhang).post(f"/duties/reports/{self.reports[self.branch_one.id]}/scores",
                                         {"scores": [{"criterion_id": self.c1, "score": 50}]})
        self.assert_refused(r, 400, "工作成效")
        r = self.api_as(self.zhang).post(f"/duties/reports/{self.reports[self.branch_one.id]}/scores",
                                         {"scores": [{"criterion_id": 999999, "score": 1}]})
        self.assert_refused(r, 400)

    def test_scoring_twice(self):
        self.assertEqual(self.score(self.zhang, self.branch_one, 50, 30).status_code, 201)
        self.before = self.counts(DutyReport, ReviewScore)
        self.assert_refused(self.score(self.zhang, self.branch_one, 60, 40), 409)

    def test_second_report_and_wrong_org(self):
        self.assert_refused(self.api_as(self.li).post("/duties/reports", {
            "scheme_id": self.scheme["id"], "org_id": self.branch_one.id, "reporter": "李", "content": "y"}), 409)
        self.assert_refused(self.api_as(self.zhang).post("/duties/reports", {
            "scheme_id": self.scheme["id"], "org_id": self.root.id, "reporter": "张", "content": "y"}), 400)
        self.assert_refused(self.api_as(self.li).post("/duties/reports", {
            "scheme_id": self.scheme["id"], "org_id": self.branch_one.id, "reporter": "李", "content": " "}), 400)

    def test_bad_scheme(self):
        api = self.api_as(self.zhang)
        body = {"org_id": self.root.id, "year": self.year, "title": "新评议", "criteria": [{"name": "a", "max_score": 0}]}
        self.assert_refused(api.post("/duties/review-schemes", body), 400, "满分")
        self.assert_refused(api.post("/duties/review-schemes", {**body, "criteria": []}), 400)
        self.assert_refused(api.post("/duties/review-schemes", {
            **body, "criteria": [{"name": "a", "max_score": 10}], "thresholds": [80, 90, 60]}), 400, "分数线")
